"""The AppTest speed-ups of ``tests/app/conftest.py`` are in effect and still mean what they did.

If Streamlit renames or moves what they replace, these tests fail (rather than the suite silently slowing down
or, worse, waiting on the wrong thing).
"""

import pytest
from streamlit.testing.v1 import AppTest, local_script_runner
from streamlit.testing.v1 import app_test as apptest_module

from tests.app.conftest import ROOT, app_test, trainable_opened_on


def test_scripts_are_compiled_once_and_shared_by_every_apptest():
    cache = apptest_module._imgml_script_cache
    app_test("pages/thresholding.py")
    first = cache.get_bytecode(str(ROOT / "pages" / "thresholding.py"))
    app_test("pages/thresholding.py").run()
    assert cache.get_bytecode(str(ROOT / "pages" / "thresholding.py")) is first  # not compiled again
    assert str(ROOT / "app.py") in cache._cache


def test_component_discovery_runs_once():
    assert apptest_module.BidiComponentManager() is apptest_module.BidiComponentManager()
    at = app_test("pages/trainable_segmentation.py", session_state=trainable_opened_on("blank"))  # the canvas page
    assert not at.exception, [e.value for e in at.exception]
    assert at._bidi_component_manager is apptest_module.BidiComponentManager()


def test_a_run_is_awaited_by_joining_its_thread_with_the_same_timeout_and_error(tmp_path):
    assert local_script_runner.require_widgets_deltas.__module__ == "tests.app.conftest"
    script = tmp_path / "slow.py"
    script.write_text("import time\nimport streamlit as st\nst.write('start')\ntime.sleep(1.5)\nst.write('end')\n")
    with pytest.raises(RuntimeError, match=r"AppTest script run timed out after 0\.3\(s\)"):
        AppTest.from_file(str(script), default_timeout=0.3).run()  # then, as before, the runner is stopped
    fast = tmp_path / "fast.py"
    fast.write_text("import streamlit as st\nst.write('done')\n")
    assert AppTest.from_file(str(fast), default_timeout=5).run().markdown[0].value == "done"


def test_xdist_work_units_keep_the_browser_tests_and_each_pages_sweep_and_presets_together(pytestconfig):
    from tests.conftest import pytest_xdist_make_scheduler, work_unit

    assert work_unit("tests/e2e/test_digits_canvas.py::test_drawn_digits_are_read_right") == "browser"
    assert work_unit("tests/e2e/test_browser_tour.py::test_tour") == "browser"
    assert work_unit("tests/app/test_sweep.py::test_numeric_widget_extreme[trainable_segmentation-trees-max]") == \
        "sweep:trainable_segmentation"
    assert work_unit("tests/app/test_sweep.py::test_page_default_runs[digits]") == "sweep:digits"
    assert work_unit("tests/app/test_presets_match_scripts.py::test_the_shown_script_matches_the_page[trainable_"
                     "segmentation-tutorial]") == "presets:trainable_segmentation"
    assert work_unit("tests/core/test_canvas.py::test_x[a-b]") == "tests/core/test_canvas.py::test_x[a-b]"
    if pytestconfig.getvalue("dist") == "loadgroup":  # under xdist: the scheduler it really uses
        scheduler = pytest_xdist_make_scheduler(pytestconfig, None)
        assert scheduler._split_scope("tests/e2e/test_superpixels_colour.py::test_a") == "browser"
        assert pytestconfig.option.loadscopereorder is False  # work units in collection order: the browser first
