"""``python -m imlab``: apply a page's settings, or a trained segmenter, to many images.

A thin command line over :mod:`core` (it never imports Streamlit):

- ``python -m imlab run LINK INPUT... --out DIR`` — LINK is a page's share link (or its
  "Download settings" JSON file); every input image gets what that page shows, as files.
- ``python -m imlab segment --model MODEL INPUT... --out DIR`` — a segmenter saved by the
  trainable-segmentation page, applied in overlapping tiles (bounded memory).

Work runs in this process one image at a time, on a local Dask cluster (``--workers N``) or
on an existing one (``--scheduler ADDRESS``); the outputs are the same bytes either way.
See the README's "Batch and cluster" section.
"""

__all__ = ["main"]


def main(argv=None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    from imlab.cli import main as _main

    return _main(argv)
