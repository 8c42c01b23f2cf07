"""core._threads: the thread limit holds inside and is undone after, from one library scan."""

from threadpoolctl import threadpool_info

from core import _threads
from core._threads import limit_threads


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_limit_threads_limits_blas_inside_and_restores_it_after():
    before = _blas_threads()
    assert before, "numpy's BLAS should be found"
    with limit_threads(1, user_api="blas"):
        assert _blas_threads() == [1] * len(before)
    assert _blas_threads() == before


def test_the_libraries_are_scanned_once_not_on_every_call():
    with limit_threads(1, user_api="blas"):
        pass
    controller = _threads._CONTROLLER[0]
    for _ in range(3):
        with limit_threads(1, user_api="blas"):
            pass
    assert _threads._CONTROLLER[0] is controller
