"""Which core module does a page's batch work: page URL name → module.

Each technique's core module (or package) exposes ``SCHEMA`` (a :class:`core.schema.Schema`) and
``batch_outputs(image, values)``; modules whose work is not per image set ``BATCH = None`` and a
one-line ``BATCH_REASON``. Panorama's ``batch_outputs`` takes a list of images (``BATCH = "set"``):
each folder's images are one set. A module may also give ``batch_decode(data, values, working_size)``
to read its input files its own way (objects: label images keep their ids).

Extra techniques (a plugin, a test's fake) are added with :func:`register` in this process, or
with the environment variable ``IMLAB_TECHNIQUES="page=package.module[,page=module…]"``, which
also reaches Dask workers started from this process.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from types import ModuleType

__all__ = ["ENV", "PAGES", "SEGMENT", "BatchUnavailable", "Technique", "load_module", "pages", "register",
           "technique"]

#: Marks the page whose batch form is ``python -m imlab segment``.
SEGMENT = "segment"
#: The app's pages (URL names) and the core module that does each one's batch work.
PAGES: dict[str, str] = {
    "superpixels": "core.superpixels",
    "thresholding": "core.thresholding",
    "gabor": "core.gabor",
    "colour_clustering": "core.clustering",
    "keypoints": "core.keypoints",
    "panorama": "core.panorama",
    "objects": "core.objects",
    "digits": "core.digits",
    "trainable_segmentation": SEGMENT,
}
#: Pages whose ``batch_outputs`` takes a list of images (one set per folder), unless the module
#: says so itself with ``BATCH = "set"``.
SET_PAGES = frozenset({"panorama"})
#: Environment variable naming extra techniques: ``page=module[,page=module…]``.
ENV = "IMLAB_TECHNIQUES"

_REGISTERED: dict[str, str] = {}


class BatchUnavailable(ValueError):
    """The page cannot run in batch (not per image, not ready yet, or unknown); the message says why."""


@dataclass(frozen=True)
class Technique:
    """A page that can run in batch: its schema, module name and whether it takes sets of images."""

    page: str
    module: str
    schema: object
    per_set: bool = False


def register(page: str, module: str) -> None:
    """Add (or replace) the module that does ``page``'s batch work, in this process."""
    _REGISTERED[page] = module


def _from_env() -> dict[str, str]:
    out = {}
    for part in os.environ.get(ENV, "").split(","):
        if "=" in part:
            page, module = part.split("=", 1)
            out[page.strip()] = module.strip()
    return out


def pages() -> dict[str, str]:
    """Every known page → module (the app's, then ``IMLAB_TECHNIQUES``, then :func:`register`)."""
    return {**PAGES, **_from_env(), **_REGISTERED}


def load_module(name: str) -> ModuleType:
    """Import a technique module by name (on a worker too)."""
    return importlib.import_module(name)


def technique(page: str) -> Technique:
    """The batch technique of a page.

    Raises
    ------
    BatchUnavailable
        For an unknown page (listing the known ones), the trainable-segmentation page (use
        ``segment``), a page whose work is not per image (its ``BATCH_REASON``), or a module
        that has no ``SCHEMA`` / ``batch_outputs`` yet.
    """
    known = pages()
    if page not in known:
        raise BatchUnavailable(f"There is no page named {page!r}; the pages are {', '.join(known)}.")
    name = known[page]
    if name == SEGMENT:
        raise BatchUnavailable(f"The {page} page trains a segmenter: download it from the page "
                               "(\"Model file (.zip)\") and apply it with "
                               "`python -m imlab segment --model segmenter.zip INPUT... --out DIR`.")
    try:
        module = load_module(name)
    except ImportError as err:
        raise BatchUnavailable(f"The {page} page cannot run in batch: its module {name} "
                               f"does not import ({err}).") from None
    if getattr(module, "BATCH", "") is None:
        reason = getattr(module, "BATCH_REASON", "its work is not per image")
        raise BatchUnavailable(f"The {page} page cannot run in batch. {reason}")
    schema = getattr(module, "SCHEMA", None)
    if schema is None or not callable(getattr(module, "batch_outputs", None)):
        raise BatchUnavailable(f"The {page} page cannot run in batch yet (its module {name} has no "
                               "SCHEMA and batch_outputs).")
    per_set = getattr(module, "BATCH", None) == "set" or page in SET_PAGES
    return Technique(page=page, module=name, schema=schema, per_set=per_set)
