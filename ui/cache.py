"""The project's caching rule, written once.

Expensive results are cached with Streamlit's caches, keyed on the full bytes
digest of every numpy array argument (Streamlit's own hash samples large
arrays, so two different images could collide) plus the other arguments, and
bounded in size and age.

Shared work is done once:

- keys hold nothing session-specific: arrays by content digest, samples by name, parameters by value
  (``tests/app/test_shell.py`` checks that two sessions share one entry);
- concurrent identical requests do not compute in parallel: Streamlit 1.67 takes a per-key compute lock
  (``streamlit/runtime/caching/cache_utils.py``: ``_handle_cache_miss`` holds ``compute_value_lock(value_key)``
  and re-reads the cache under it), so the second session waits for the first one's result (a test checks it);
- the bytes are bounded by the memory budget of :mod:`ui.memory`: all ``st.cache_data`` entries together by
  ``server.maxCacheDataSize`` (``.streamlit/config.toml``), one function by ``CACHE_DATA_PER_FUNCTION_MB``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import streamlit as st

from core.images import image_digest
from ui.memory import CACHE_DATA_PER_FUNCTION_MB

__all__ = ["cache_data", "cache_resource", "HASH_FUNCS", "Keyed", "keyed_table"]


class Keyed:
    """An array with its content digest, computed once: cached functions hash it by that digest.

    A fragment rerun passes the same first-stage arrays to its cached stages every time; wrapping them once
    per first-stage result (``cache.Keyed(labels)``) spares re-hashing megabytes on every slider move. The
    array must not be modified after wrapping (the digest would be stale).
    """

    __slots__ = ("array", "digest")

    def __init__(self, array: np.ndarray, digest: str | None = None):
        self.array = array
        self.digest = digest or image_digest(array)

    def __repr__(self) -> str:  # short, in Streamlit's cache-miss spinner text
        return f"Keyed({self.digest[:8]})"


def keyed_table(table: pd.DataFrame) -> Keyed:
    """A table as a :class:`Keyed` (``.array`` is the table): digest of its row hashes, index and column names.

    For a table that every fragment rerun passes to cached stages (a measured object table): hashed once per
    full run instead of on every call.
    """
    rows = pd.util.hash_pandas_object(table, index=True).to_numpy()
    names = np.frombuffer("\0".join(map(str, table.columns)).encode(), dtype=np.uint8)
    return Keyed(table, f"{image_digest(rows)}:{image_digest(names)}")


#: numpy arrays are hashed by a digest of all their bytes, shape and dtype; a :class:`Keyed` by its digest.
HASH_FUNCS = {np.ndarray: image_digest, Keyed: lambda keyed: keyed.digest}


def cache_data(func=None, *, max_entries: int = 8, ttl: float = 3600,
               max_size: str | int = f"{CACHE_DATA_PER_FUNCTION_MB}MB", **kwargs):
    """``st.cache_data`` with digest-keyed arrays, bounded in entries, age and bytes (per function)."""
    decorator = st.cache_data(max_entries=max_entries, ttl=ttl, max_size=max_size, hash_funcs=HASH_FUNCS, **kwargs)
    return decorator(func) if func is not None else decorator


def cache_resource(func=None, *, max_entries: int = 4, ttl: float = 3600, **kwargs):
    """``st.cache_resource`` with digest-keyed arrays and bounded ``max_entries`` / ``ttl``.

    For objects that must not be copied per call (trained models).
    """
    decorator = st.cache_resource(max_entries=max_entries, ttl=ttl, hash_funcs=HASH_FUNCS, **kwargs)
    return decorator(func) if func is not None else decorator


@functools.lru_cache(maxsize=32)
def _sample(name: str) -> np.ndarray:
    from core.images import load_sample

    image = load_sample(name)
    image.setflags(write=False)  # shared by every session: never modified in place
    return image


def sample(name: str) -> np.ndarray:
    """A bundled sample, loaded once per process and shared read-only by all sessions."""
    return _sample(name)
