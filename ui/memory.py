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



# --------------------------------------------------------------------------- the memory budget (issue 15)
# One hosted app serves a class: 30 sessions opening the same link must fit in 1.5 GB of server RSS.
# The budget, in MiB, and how each part was derived:
#
#   SERVER_BUDGET_MB  1536  the target (Streamlit Community Cloud gives 690 MB–2.7 GB).
#   BASE_MB            400  the interpreter, Streamlit, numpy/scipy/scikit-image/scikit-learn/pandas/plotly and
#                           every page module imported: 262 MB after the first page in benchmarks/LOAD.md, plus
#                           the other pages' imports and Streamlit's per-server state.
#   SAMPLES_MB          60  the bundled samples, loaded once per process and shared read-only (all 20: 22 MB
#                           measured with core.images.load_sample), plus their fitted copies at smaller working
#                           sizes (ui.images.sample_at keeps SAMPLE_SIZES_KEPT of them, each ≤ its original).
#   RESOURCE_MB         96  st.cache_resource objects shared by all sessions (trained SVCs, segmenters, ORB
#                           extractors): a few MB each, max_entries-bounded per function.
#   FEATURES_MB        192  the trainable page's per-pixel feature arrays, shared by all sessions (ui.trainable_view
#                           drops the least recently used beyond this; the newest is always kept, and one image's
#                           computation is refused above FEATURE_LIMIT_MB there). Bells Beach at 1024 px with the
#                           Tutorial preset's 30 features: 90 MiB.
#   SESSIONS            30  a class.
#   PER_SESSION_MB      20  what one session holds between reruns: its upload decoded at UPLOAD_KEEP_SIDE
#                           (≤ 2048×2048×3 = 12 MiB; a 1 MP upload 3 MiB), the canvas state (strokes are capped
#                           by core.canvas, ≤ 2 MiB of JSON), and small per-session results in session_state
#                           (≤ 6 MiB). The uploaded file's own bytes stay with Streamlit's uploader too (a phone
#                           JPEG is 2–8 MiB; the 50 MB upload cap in .streamlit/config.toml is the worst case).
#   CACHE_DATA_MB      188  what is left for every st.cache_data entry of every page and session together
#                           (results keyed by image digest and parameters, shared by all sessions; encoded
#                           images of ui.display): server.maxCacheDataSize in .streamlit/config.toml, which
#                           Streamlit 1.67 enforces as one LRU byte budget across all functions.
#
#   400 + 60 + 96 + 192 + 30 × 20 + 188 = 1536.
SERVER_BUDGET_MB = 1536
BASE_MB = 400
SAMPLES_MB = 60
RESOURCE_MB = 96
FEATURES_MB = 192
SESSIONS = 30
PER_SESSION_MB = 20
CACHE_DATA_MB = SERVER_BUDGET_MB - BASE_MB - SAMPLES_MB - RESOURCE_MB - FEATURES_MB - SESSIONS * PER_SESSION_MB
#: Uploads are kept decoded at most this large (longest side, px): the largest working size.
UPLOAD_KEEP_SIDE = 2048
#: Fitted sample copies kept (ui.images.sample_at): each working size of the few samples in use.
SAMPLE_SIZES_KEPT = 24
#: The most bytes one st.cache_data function may hold (a fifth of the shared budget), so one page cannot evict all.
CACHE_DATA_PER_FUNCTION_MB = CACHE_DATA_MB // 5


def session_bytes(state) -> int:
    """The bytes a session holds in arrays and byte strings (``st.session_state`` or any mapping), two levels deep.

    What the per-session budget (:data:`PER_SESSION_MB`) counts: uploads, canvas data, per-session results.
    """
    import numpy as np

    def size(value, depth: int) -> int:
        if isinstance(value, np.ndarray):
            return value.nbytes
        if isinstance(value, bytes | bytearray | str):
            return len(value)
        if depth and isinstance(value, dict):
            return sum(size(v, depth - 1) for v in value.values())
        if depth and isinstance(value, list | tuple):
            return sum(size(v, depth - 1) for v in value)
        return 0

    return sum(size(state[key], 2) for key in list(state.keys()))
