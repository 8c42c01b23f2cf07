"""INPUT arguments (files, folders, globs) → the jobs of a run, each with its output folder.

Folders are searched recursively for image files (:data:`IMAGE_EXTENSIONS`, hidden files
skipped); a file named explicitly is always taken (a bad one becomes a row of the summary);
a glob may match files and folders (``**`` works). Each image's outputs go to
``OUT/<its path relative to the argument, without extension>/``; clashing names get the
extension, then a number, appended. For per-set pages (panorama) each folder is one job.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["IMAGE_EXTENSIONS", "Job", "Source", "expand", "image_jobs", "set_jobs"]

#: What a folder search takes (the formats the app reads).
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"})


@dataclass(frozen=True)
class Source:
    """One input file: its path, its name relative to the argument, or why it is missing."""

    path: str
    rel: PurePosixPath
    missing: str | None = None


@dataclass(frozen=True)
class Job:
    """One unit of work: one image (or, for per-set pages, one folder's images)."""

    name: str                  # output sub-folder, relative to --out (posix)
    paths: tuple[str, ...]     # the input files
    label: str                 # the summary's "input" column
    missing: str | None = None


def _is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_EXTENSIONS and not any(p.startswith(".") for p in path.parts)


def _folder(root: Path, prefix: PurePosixPath = PurePosixPath()) -> list[Source]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            file = Path(dirpath) / name
            rel = PurePosixPath(file.relative_to(root).as_posix())
            if _is_image(Path(rel)):
                out.append(Source(str(file), prefix / rel))
    return sorted(out, key=lambda s: s.rel.as_posix())


def _glob_base(pattern: str) -> Path:
    parts = []
    for part in Path(pattern).parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def expand(inputs: list[str], *, exclude: str | os.PathLike | None = None) -> list[Source]:
    """Every input file, in argument order (folders and globs sorted), each taken once; files found in
    folders or by globs under ``exclude`` (the output folder) are left out.
    """
    sources: list[Source] = []
    for arg in inputs:
        path = Path(arg)
        if path.is_dir():
            sources += _folder(path)
        elif path.is_file():
            sources.append(Source(str(path), PurePosixPath(path.name)))
        elif glob.has_magic(arg):
            base = _glob_base(arg)
            matches = sorted(glob.glob(arg, recursive=True))
            any_file = bool(Path(arg).suffix)  # "*.dat" asks for those files; "photos/*" for images
            if not matches:
                sources.append(Source(arg, PurePosixPath(path.name), f"No file matches {arg!r}."))
            for match in matches:
                m = Path(match)
                rel = PurePosixPath(m.relative_to(base).as_posix()) if m.is_relative_to(base) else PurePosixPath(m.name)
                if m.is_dir():
                    sources += _folder(m, rel)
                elif m.is_file() and (any_file or _is_image(m)):
                    sources.append(Source(match, rel))
        else:
            sources.append(Source(arg, PurePosixPath(path.name or "input"), f"No such file or folder: {arg!r}."))
    skip = os.path.realpath(exclude) + os.sep if exclude is not None else None
    named = {os.path.realpath(a) for a in inputs if Path(a).is_file()}
    seen, unique = set(), []
    for s in sources:
        key = os.path.realpath(s.path) if s.missing is None else ("missing", s.path)
        if skip and s.missing is None and key.startswith(skip) and key not in named:
            continue
        if key not in seen:
            seen.add(key)
            unique.append(s)
    return unique


def _unique_names(candidates: list[tuple[str, str]]) -> list[str]:
    """Output names from (stem, suffix) pairs: clashes get the suffix, then a number."""
    names, taken = [], set()
    for stem, suffix in candidates:
        name = stem
        if name.lower() in taken and suffix:
            name = f"{stem}_{suffix.lstrip('.').lower()}"
        base, n = name, 2
        while name.lower() in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def _stem(rel: PurePosixPath) -> str:
    rel = rel.with_suffix("") if rel.suffix else rel
    return "/".join(p for p in rel.parts if p not in ("", ".", "..", "/")) or "input"


def image_jobs(sources: list[Source]) -> list[Job]:
    """One job per image."""
    names = _unique_names([(_stem(s.rel), s.rel.suffix) for s in sources])
    return [Job(name, (s.path,), s.path, s.missing) for s, name in zip(sources, names)]


def set_jobs(sources: list[Source]) -> list[Job]:
    """One job per folder of images (files named on their own form one set per parent folder)."""
    groups: dict[str, list[Source]] = {}
    for s in sources:
        folder = os.path.dirname(os.path.abspath(s.path)) if s.missing is None else s.path
        groups.setdefault(folder, []).append(s)
    candidates, jobs = [], []
    for folder, members in groups.items():
        parent = members[0].rel.parent
        candidates.append((str(parent) if str(parent) != "." else (Path(folder).name or "set"), ""))
    for (folder, members), name in zip(groups.items(), _unique_names(candidates)):
        missing = members[0].missing if len(members) == 1 else None
        present = tuple(m.path for m in members if m.missing is None)
        jobs.append(Job(name, present, folder + os.sep if missing is None else folder, missing))
    return jobs
