"""On Dask: `--workers 2` (a LocalCluster of worker processes) and `--scheduler ADDRESS` (an existing
cluster) give the same bytes as the in-process run."""

import csv

from imlab.cli import main
from tests.imlab.conftest import files_of, save, scene
from tests.imlab.test_segment import strokes


def summary_without_seconds(out):
    with open(out / "summary.csv", newline="") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def test_workers_2_gives_the_same_bytes_as_in_process(folder, tmp_path):
    (folder / "broken.png").write_bytes(b"not an image")
    link = "superpixels?n_segments=40&merge=kmeans&k=3"
    here, there = tmp_path / "here", tmp_path / "there"
    assert main(["run", link, str(folder), "--out", str(here), "--quiet"]) == 0
    assert main(["run", link, str(folder), "--out", str(there), "--workers", "2", "--quiet"]) == 0
    assert files_of(here) == files_of(there) and len(files_of(here)) == 3 * 6
    assert summary_without_seconds(here) == summary_without_seconds(there)


def test_scheduler_address_runs_segment_on_an_existing_cluster(tmp_path):
    from distributed import LocalCluster

    from core.trainable import fit_segmenter, save_segmenter

    image = scene(21, (64, 80))
    model = tmp_path / "segmenter.zip"
    model.write_bytes(save_segmenter(fit_segmenter(image, strokes(image.shape[:2]))))
    folder = tmp_path / "in"
    for i in range(3):
        save(folder / f"img{i}.png", scene(30 + i, (48, 64)))
    here, there = tmp_path / "here", tmp_path / "there"
    args = ["segment", "--model", str(model), str(folder), "--probabilities", "--quiet"]
    assert main([*args, "--out", str(here)]) == 0
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        assert main([*args, "--out", str(there), "--scheduler", cluster.scheduler_address]) == 0
    assert files_of(here) == files_of(there) and len(files_of(here)) == 9
    assert summary_without_seconds(here) == summary_without_seconds(there)
