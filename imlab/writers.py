"""Outputs as files: encoding, atomic writes, the per-job completion marker and ``summary.csv``.

``batch_outputs`` returns arrays and tables by file stem; :func:`encode` turns them into bytes
(on the worker, so only bytes travel): label arrays (any integer dtype other than uint8) →
8- or 16-bit PNG (:func:`core.images.to_png_bytes`), uint8 / bool images → PNG, float arrays →
``.npy``, :class:`pandas.DataFrame` → CSV (``index=False``, as the page's download).

Every file is written to a temporary name in its folder, then renamed over the final name
(:func:`os.replace`), so a file is either absent, the old one or the new one, never half
written. A job's folder is complete when its marker (``.imlab.json``, written last) names the
same fingerprint (settings, model and input sizes / times) and every listed file has the
listed size; ``--resume`` skips such jobs and redoes every other.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from core.images import to_png_bytes

__all__ = ["MARKER", "SUMMARY", "BASE_COLUMNS", "encode", "is_complete", "read_marker", "summary_csv",
           "write_atomic", "write_job"]

#: The completion marker in each job's folder.
MARKER = ".imlab.json"
#: The one table of the run, in --out.
SUMMARY = "summary.csv"
#: The first columns of summary.csv; the page's headline numbers follow.
BASE_COLUMNS = ("input", "status", "message", "width", "height", "seconds")

_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def encode(outputs: dict) -> tuple[dict[str, bytes], dict]:
    """``batch_outputs``'s dict → (file name → bytes, the ``"summary"`` dict).

    Raises
    ------
    TypeError, ValueError
        For a stem that is not a plain file name or a value of another kind.
    """
    files: dict[str, bytes] = {}
    summary = dict(outputs.get("summary") or {})
    for key, value in outputs.items():
        if key == "summary":
            continue
        if not isinstance(key, str) or not _STEM.match(key):
            raise ValueError(f"batch output name {key!r} is not a plain file stem")
        if isinstance(value, pd.DataFrame):
            files[f"{key}.csv"] = value.to_csv(index=False).encode()
        elif isinstance(value, np.ndarray) and value.dtype.kind == "f":
            files[f"{key}.npy"] = _npy(value)
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biu":
            files[f"{key}.png"] = to_png_bytes(value)
        elif isinstance(value, bytes) and "." in key:
            files[key] = value
        else:
            raise TypeError(f"batch output {key!r} is a {type(value).__name__}; expected an array, a "
                            "DataFrame or bytes under a file name")
    return files, summary


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(tmp, "xb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def read_marker(folder: Path) -> dict | None:
    """The marker of a job folder, or None (absent or unreadable)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_complete(folder: Path, fingerprint: str) -> dict | None:
    """The marker if the folder holds every output of a run with this fingerprint, else None."""
    marker = read_marker(folder)
    if not marker or marker.get("fingerprint") != fingerprint or not isinstance(marker.get("files"), dict):
        return None
    for name, size in marker["files"].items():
        try:
            if (folder / name).stat().st_size != size:
                return None
        except OSError:
            return None
    return marker


def write_job(folder: Path, files: dict[str, bytes], row: dict, fingerprint: str) -> None:
    """Write a job's files atomically, drop files an earlier run left there, then the marker."""
    old = read_marker(folder)
    marker_path = folder / MARKER
    if marker_path.exists():
        marker_path.unlink()  # from here until the new marker, the folder reads as incomplete
    for name, data in files.items():
        write_atomic(folder / name, data)
    for name in (old or {}).get("files", {}) if isinstance((old or {}).get("files"), dict) else ():
        if name not in files and _STEM.match(name):
            (folder / name).unlink(missing_ok=True)
    marker = {"fingerprint": fingerprint, "files": {n: len(d) for n, d in files.items()},
              "sha256": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}, "row": row}
    write_atomic(marker_path, json.dumps(marker, indent=1, default=str).encode())


def summary_csv(rows: list[dict]) -> bytes:
    """``summary.csv``: one row per job, :data:`BASE_COLUMNS` then every headline key (first-seen order)."""
    columns = list(BASE_COLUMNS)
    for row in rows:
        columns += [k for k in row if k not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return buffer.getvalue().encode()
