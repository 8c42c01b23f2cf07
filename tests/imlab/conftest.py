"""Fixtures of the batch tests: small generated images in a temp folder, the fake technique."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from imlab.registry import ENV

FAKE = "fake=tests.imlab.fake_technique"


def scene(seed: int, size=(48, 64)) -> np.ndarray:
    """A small RGB picture: a gradient, two rectangles and a disc, with a little noise."""
    rng = np.random.default_rng(seed)
    h, w = size
    yy, xx = np.mgrid[:h, :w]
    img = np.zeros((h, w, 3), np.float64)
    img[..., 0] = xx / w
    img[..., 1] = yy / h
    img[h // 5: h // 2, w // 6: w // 2] = (0.9, 0.2, 0.1)
    img[h // 2:, w // 2: w - 4] = (0.1, 0.3, 0.9)
    img[(yy - h * 0.7) ** 2 + (xx - w * 0.25) ** 2 < (h / 6) ** 2] = (0.95, 0.9, 0.2)
    img += rng.normal(0, 0.03, img.shape)
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def save(path: Path, array: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


@pytest.fixture
def fake(monkeypatch):
    """Register the fake technique (reaches Dask workers too: they inherit the environment)."""
    monkeypatch.setenv(ENV, FAKE)
    return "fake"


@pytest.fixture
def folder(tmp_path) -> Path:
    """in/: three good images (one in a sub-folder, one JPEG) and a text file that is skipped."""
    root = tmp_path / "in"
    save(root / "one.png", scene(1))
    save(root / "two.png", scene(2, (40, 56)))
    save(root / "sub" / "three.jpg", scene(3))
    (root / "notes.txt").write_text("not an image")
    return root


def files_of(folder: Path) -> dict[str, bytes]:
    """Every output file under a folder (relative posix path → bytes); summary.csv and the markers
    (which hold each job's seconds) left out."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "summary.csv" and not p.name.startswith(".")}
