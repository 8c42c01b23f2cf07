"""Thread-pool limits without a library scan per call.

``threadpoolctl.threadpool_limits`` lists every loaded shared library on each call (4 ms idle, 10–20 ms in a
server that has loaded streamlit, scikit-learn and the rest): on a second-stage slider that is a tenth of the
compute. One :class:`threadpoolctl.ThreadpoolController` is kept and scanned again only when it knows no
library of the asked API yet (one loaded after the first scan, e.g. scikit-learn's OpenMP).
"""

from __future__ import annotations

import threading

from threadpoolctl import ThreadpoolController

__all__ = ["limit_threads"]

_LOCK = threading.Lock()
_CONTROLLER: list[ThreadpoolController] = []


def _controller(user_api: str) -> ThreadpoolController:
    with _LOCK:
        if not _CONTROLLER or not _CONTROLLER[0].select(user_api=user_api).lib_controllers:
            _CONTROLLER[:] = [ThreadpoolController()]
        return _CONTROLLER[0]


def limit_threads(limits: int = 1, user_api: str = "blas"):
    """A context manager: at most ``limits`` threads for ``user_api`` ("blas" or "openmp") inside it.

    The same as ``threadpoolctl.threadpool_limits(limits, user_api)``, from a controller scanned once.
    """
    return _controller(user_api).limit(limits=limits, user_api=user_api)
