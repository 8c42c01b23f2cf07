"""The work of one job, as run in this process or on a Dask worker: bytes in, bytes out.

:func:`compute` decodes the input file(s) with :func:`core.images.read_image` (the app's
decoder and messages) — or with the technique's own ``batch_decode(data, values, working_size)``
when it has one (objects: label files keep their 16/32-bit ids) — calls the technique's ``batch_outputs`` (or the segmenter), encodes the
outputs (:func:`imlab.writers.encode`) and returns them with the job's summary row. It never
raises: a bad file or a failing image is a row with ``status="error"`` and the message the app
would show. Nothing here touches the file system, so a remote cluster needs no shared disk.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from core.images import ImageError, read_image, to_rgb
from imlab.writers import encode

__all__ = ["CLASS_COLOURS", "Task", "compute", "segment_outputs"]

#: Class colours of the overlay: the trainable page's default palette, in its order.
CLASS_COLOURS = ["#377eb8", "#ff7f00", "#4daf4a", "#e41a1c", "#984ea3", "#ffd92f", "#a65628", "#ffffff"]
#: Opacity of the class colours over the image (the page's default).
OVERLAY_OPACITY = 0.5


@dataclass(frozen=True)
class Task:
    """What every job of a run does (the same for all; sent once with each job)."""

    command: str                      # "run" or "segment"
    page: str = ""
    module: str = ""
    values: dict = field(default_factory=dict)
    per_set: bool = False
    working_size: int | None = None
    probabilities: bool = False
    tile: int = 1024
    overlap: int | None = None        # None: the segmenter's own reach

    def identity(self) -> dict:
        """What decides the outputs (the run's fingerprint is built from it)."""
        return {"command": self.command, "page": self.page, "values": self.values, "working_size": self.working_size,
                "probabilities": self.probabilities, "tile": self.tile, "overlap": self.overlap}


_MODELS: dict[str, object] = {}
_LOCK = threading.Lock()


def _segmenter(model: bytes):
    """The segmenter of a model file, loaded once per process (keyed by its digest)."""
    from core.trainable import load_segmenter

    key = hashlib.sha256(model).hexdigest()
    with _LOCK:  # threads of one worker share the cache: load once
        if key not in _MODELS:
            _MODELS.clear()
            _MODELS[key] = _single_threaded(load_segmenter(model))
        return _MODELS[key]


def _single_threaded(seg):
    """The segmenter with every ``n_jobs`` set to 1: a forest predicting on several threads adds its trees'
    probabilities in the order the threads finish, so the last bits would differ from run to run. One job
    per core (workers) keeps the outputs byte-identical whichever way the command runs.
    """
    todo, seen = [getattr(seg, "classifier", None)], set()
    while todo:  # the fitted estimator and everything fitted inside it (votes, pipelines)
        est = todo.pop()
        if est is None or id(est) in seen or isinstance(est, str | int | float):
            continue
        seen.add(id(est))
        if getattr(est, "n_jobs", None) not in (None, 1):
            est.n_jobs = 1
        for attr in ("estimators_", "named_estimators_", "steps", "estimator_", "estimators"):
            inner = getattr(est, attr, None)
            if isinstance(inner, dict):
                inner = list(inner.values())
            if isinstance(inner, list | tuple):
                todo += [e[-1] if isinstance(e, tuple) else e for e in inner]
            elif inner is not None and hasattr(inner, "fit"):
                todo.append(inner)
    return seg


#: Tile offsets are kept multiples of this (the feature pyramid's largest block): a tile whose
#: offset is not sees a shifted block grid, and 0.1 % of its labels change (benchmarks/BATCH.md).
ALIGN = 4


def tile_overlap(seg, overlap: int | None) -> int:
    """The overlap used: ``overlap`` or the segmenter's reach (``core.trainable.tiles.default_overlap``),
    rounded up to a multiple of :data:`ALIGN`.
    """
    if overlap is None:
        from core.trainable.tiles import default_overlap

        overlap = default_overlap(seg)
    return -(-int(overlap) // ALIGN) * ALIGN


def _tiled(seg, image, tile, overlap, probabilities):
    """:func:`core.trainable.predict_tiled` with the tile and overlap aligned to :data:`ALIGN`."""
    from core.trainable import predict_tiled

    return predict_tiled(seg, image, tile=-(-int(tile) // ALIGN) * ALIGN, overlap=tile_overlap(seg, overlap),
                         return_proba=probabilities)


def _is_hex(colour) -> bool:
    return isinstance(colour, str) and len(colour) == 7 and colour[0] == "#" and all(
        ch in "0123456789abcdefABCDEF" for ch in colour[1:])


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def segment_outputs(seg, image: np.ndarray, *, tile: int = 1024, overlap: int | None = None,
                    probabilities: bool = False) -> dict:
    """What ``segment`` writes for one image: ``labels`` (classes 1…K), ``overlay`` (the model's class
    colours, else the page's palette, at the page's default opacity over the image), optionally ``probabilities`` (H, W, K float32),
    and the summary (classes and each class's share of the pixels, %).
    """
    labels, proba = _tiled(seg, image, tile, overlap, probabilities)
    k = int(seg.n_classes)
    colours = [c for c in getattr(seg, "class_colors", None) or [] if _is_hex(c)]
    colours = colours if len(colours) >= k else CLASS_COLOURS
    palette = np.zeros((k + 1, 3), np.float32)
    for c in range(1, k + 1):
        palette[c] = _hex(colours[(c - 1) % len(colours)])
    rgb = to_rgb(image)
    overlay = np.empty_like(rgb)
    for y in range(0, rgb.shape[0], 512):  # in bands: no full-size float copy of the image
        band = rgb[y:y + 512].astype(np.float32)
        overlay[y:y + 512] = ((1 - OVERLAY_OPACITY) * band + OVERLAY_OPACITY * palette[labels[y:y + 512]]).astype(
            np.uint8)
    counts = np.bincount(labels.ravel(), minlength=k + 1)
    names = list(seg.class_names) or [f"class {c}" for c in range(1, k + 1)]
    summary: dict = {"classes": k}
    for c in range(1, k + 1):
        summary[f"{names[c - 1] if c <= len(names) else f'class {c}'} %"] = round(100 * counts[c] / labels.size, 3)
    out = {"labels": labels.astype(np.uint8) if k < 256 else labels.astype(np.int32), "overlay": overlay,
           "summary": summary}
    if proba is not None:
        out["probabilities"] = proba
    return out


def _decode(data: bytes, working_size: int | None) -> np.ndarray:
    """The app's decoder; with a working size, fitted while decoding (JPEGs at a reduced scale)."""
    return read_image(data, max_side=working_size or None)


def _message(err: BaseException) -> str:
    if isinstance(err, MemoryError):
        return "Not enough memory for this image; use --working-size, or for segment a smaller --tile."
    if isinstance(err, ValueError | TypeError):  # ImageError and core's ValueErrors say what to do
        return str(err)
    return f"{type(err).__name__}: {err}"


def compute(task: Task, payload: list[tuple[str, bytes]], model: bytes | None = None) -> dict:
    """Run one job.

    Parameters
    ----------
    task : Task
    payload : list of (name, bytes)
        The input file(s): one for a per-image page and for ``segment``; a folder's images
        for a per-set page.
    model : bytes, optional
        The segmenter file (``segment``).

    Returns
    -------
    dict
        ``{"row": {status, message, width, height, seconds, headline numbers…}, "files": {name: bytes}}``.
    """
    start = time.perf_counter()
    row: dict = {"status": "ok", "message": "", "width": None, "height": None}
    files: dict[str, bytes] = {}
    try:
        decode = _decode
        if task.command == "run":
            own = getattr(_technique(task), "batch_decode", None)  # a page that reads its files its own way
            if callable(own):
                def decode(data, working_size):
                    return own(data, dict(task.values), working_size)
        if task.per_set:
            images, bad = [], []
            for name, data in payload:
                try:
                    images.append(decode(data, task.working_size))
                except ImageError as err:
                    bad.append(f"{name}: {err}")
            if bad:
                row["message"] = "Left out " + " ".join(bad)
            row["images"] = len(images)
            outputs = _technique(task).batch_outputs(images, dict(task.values))
        else:
            image = decode(payload[0][1], task.working_size)
            row["width"], row["height"] = int(image.shape[1]), int(image.shape[0])
            if task.command == "segment":
                outputs = segment_outputs(_segmenter(model), image, tile=task.tile, overlap=task.overlap,
                                          probabilities=task.probabilities)
            else:
                outputs = _technique(task).batch_outputs(image, dict(task.values))
        files, summary = encode(outputs)
        row.update(summary)
    except Exception as err:
        row["status"], files = "error", {}
        row["message"] = (row["message"] + " " if row["message"] else "") + _message(err)
    row["seconds"] = round(time.perf_counter() - start, 3)
    return {"row": row, "files": files}


def _technique(task: Task):
    from imlab.registry import load_module

    return load_module(task.module)
