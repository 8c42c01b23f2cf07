"""Keep the server's resident memory close to what it really uses.

Each browser session runs its script in its own thread, and pages allocate and free large numpy
arrays on every rerun. With glibc's defaults, every thread gets its own malloc arena and the
threshold above which big blocks are returned to the OS grows after each free, so the resident size
only ever climbs. Two ``mallopt`` settings, applied once at start-up, fix both: big arrays are mapped
and unmapped directly, and few arenas are shared. No-op outside glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8


@functools.cache
def tune_allocator(mmap_threshold: int = 1 << 20, arena_max: int = 2) -> bool:
    """Apply the settings once per process; return True if they took effect."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)) == 1
    ok &= mallopt(_M_ARENA_MAX, int(arena_max)) == 1
    return bool(ok)

