"""The command line: ``python -m imlab run | segment | pages`` (see the README's "Batch and cluster").

Exit status: 0 when at least one input succeeded (failures are rows of ``summary.csv``);
1 when every input failed or none was found; 2 when the settings, the model or the options are
invalid (checked before any work starts, with the app's message).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imlab.inputs import expand, image_jobs, set_jobs

__all__ = ["build_parser", "main"]

EXIT_OK, EXIT_ALL_FAILED, EXIT_INVALID = 0, 1, 2


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number ≥ 1; got {value}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, folders (searched recursively) or globs")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder (created if needed)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive, default=0, metavar="N",
                       help="run on a local Dask cluster of N worker processes (default: in this process)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--resume", action="store_true", help="skip inputs whose outputs are already complete")
    p.add_argument("--dry-run", action="store_true", help="list what would run, and where its outputs go; do nothing")
    p.add_argument("--working-size", type=_positive, default=None, metavar="PX",
                   help="downscale each image so its longest side is at most PX, as the app's working size "
                        "does (default: full resolution)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m imlab", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Apply a page's settings, or a trained segmenter, to many images: in this process, on a "
                    "local Dask cluster (--workers N) or on an existing one (--scheduler ADDRESS).",
        epilog="examples:\n"
               "  python -m imlab run \"http://localhost:8501/superpixels?n_segments=300&k=6\" photos/ --out out/\n"
               "  python -m imlab run superpixels_settings.json \"scans/**/*.tif\" --out out/ --workers 2 --resume\n"
               "  python -m imlab segment --model segmenter.zip slides/ --out labels/ --probabilities\n"
               "exit status: 0 if any input succeeded, 1 if every input failed, 2 for invalid settings or options.\n"
               "See the README, Batch and cluster.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="apply a page's settings (a share link or settings file) to many images",
                         description="Apply a page's settings to every input image; write what the page shows.")
    run.add_argument("link", metavar="LINK", help="a share link (full URL or page?query) or a settings .json file")
    _common(run)
    seg = sub.add_parser("segment", help="apply a segmenter saved by the trainable segmentation page",
                         description="Label every pixel of every input with a trained segmenter, in tiles.")
    seg.add_argument("--model", required=True, type=Path, metavar="MODEL", help="the segmenter file from the page")
    seg.add_argument("--probabilities", action="store_true", help="also write probabilities.npy (H, W, K float32)")
    seg.add_argument("--tile", type=_positive, default=1024, metavar="PX", help="tile side (default 1024)")
    seg.add_argument("--overlap", type=_positive, default=None, metavar="PX",
                     help="context around each tile (default: the segmenter's features' reach; see the README "
                          "for the seam margin)")
    _common(seg)
    sub.add_parser("pages", help="list the pages and whether each can run in batch")
    return parser


def _pages() -> int:
    from imlab.registry import BatchUnavailable, load_module, pages, technique

    for page in pages():
        try:
            tech = technique(page)
            print(f"{page:24s} run ({'one set per folder' if tech.per_set else 'per image'}): "
                  f"{', '.join(n for n in tech.schema.fields if n != 'image')}")
            module = load_module(tech.module)  # parts of a page that are not per image (the iris k-means)
            for name in sorted(n for n in dir(module) if n.endswith("_BATCH_REASON")):
                print(f"{'':24s} not in batch: {getattr(module, name)}")
        except BatchUnavailable as err:
            print(f"{page:24s} {err}")
    return EXIT_OK


def _task(args) -> tuple:
    """(task, model bytes, per_set) from the arguments; raises ValueError with the message to print."""
    from imlab.jobs import Task

    if args.command == "run":
        from imlab.settings import load_settings

        tech, values = load_settings(args.link)
        values = {k: v for k, v in values.items() if k != "image"}  # the inputs are the images
        task = Task("run", page=tech.page, module=tech.module, values=values, per_set=tech.per_set,
                    working_size=args.working_size)
        return task, None
    from core.trainable import load_segmenter

    if args.tile < 64 or args.tile > 8192:
        raise ValueError(f"--tile must be in the range [64, 8192] pixels; got {args.tile}.")
    try:
        model = args.model.read_bytes()
    except OSError as err:
        raise ValueError(f"The model file {args.model} cannot be read ({err.strerror or err}).") from None
    try:
        load_segmenter(model)
    except ValueError as err:
        raise ValueError(f"{args.model}: {err}") from None
    task = Task("segment", page="segment", working_size=args.working_size, probabilities=args.probabilities,
                tile=args.tile, overlap=args.overlap)
    return task, model


def main(argv=None) -> int:
    """Parse ``argv`` and run; returns the exit status (see the module docstring)."""
    args = build_parser().parse_args(argv)
    if args.command == "pages":
        return _pages()
    try:
        task, model = _task(args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    sources = expand(args.inputs, exclude=args.out)  # never the outputs of an earlier run
    jobs = set_jobs(sources) if task.per_set else image_jobs(sources)
    if not jobs:
        print("error: no input images found (folders are searched for "
              ".png .jpg .jpeg .tif .tiff .bmp .gif .webp files).", file=sys.stderr)
        return EXIT_ALL_FAILED
    if args.dry_run:
        return _dry_run(task, jobs, args, model)
    from imlab.runner import Backend, run_jobs

    backend = Backend(workers=args.workers, scheduler=args.scheduler)
    try:
        rows = run_jobs(task, jobs, args.out, backend=backend, model=model, resume=args.resume,
                        progress=not args.quiet)
    except OSError as err:  # the cluster cannot be reached, the output folder cannot be written
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    failed = [r for r in rows if r["status"] != "ok"]
    for r in failed[:20]:
        print(f"failed: {r['input']}: {r['message']}", file=sys.stderr)
    if len(failed) > 20:
        print(f"… and {len(failed) - 20} more (see summary.csv)", file=sys.stderr)
    print(f"{len(rows) - len(failed)} of {len(rows)} {'sets' if task.per_set else 'images'} done, "
          f"{len(failed)} failed; outputs and summary.csv in {args.out}")
    return EXIT_ALL_FAILED if len(failed) == len(rows) else EXIT_OK


def _dry_run(task, jobs, args, model) -> int:
    import hashlib

    from imlab.runner import fingerprint
    from imlab.writers import is_complete

    digest = hashlib.sha256(model).hexdigest() if model is not None else None
    todo = 0
    for job in jobs:
        note = ""
        if job.missing:
            note = f"  [error: {job.missing}]"
        elif args.resume:
            try:
                if is_complete(args.out / job.name, fingerprint(task, job, digest)):
                    note = "  [complete: skipped]"
            except OSError as err:
                note = f"  [error: {err}]"
        todo += not note
        inputs = job.label if len(job.paths) <= 1 else f"{job.label} ({len(job.paths)} images)"
        print(f"{inputs} -> {args.out / job.name}{note}")
    where = (f"on the Dask cluster at {args.scheduler}" if args.scheduler else
             f"on a local Dask cluster of {args.workers} workers" if args.workers else "in this process")
    print(f"dry run: {todo} of {len(jobs)} would run {where} ({task.command} {task.page}); nothing was written.")
    return EXIT_OK
