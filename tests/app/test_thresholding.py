"""AppTest: the Thresholding page — the tutorial's cells, methods, presets, the manual slider, links, bad input and
the shown script, compared with the stages and the tutorial's own code."""


import numpy as np
import pytest
from skimage import data, exposure, filters

from core import thresholding as T
from core.images import fit_working_size, load_sample
from tests.app.conftest import app_test, no_exception, texts
from tests.scripts import run_script

PAGE = "pages/thresholding.py"
P = "thresholding"


def widget(at, label):
    return next(w for w in [*at.selectbox, *at.slider] if w.label == label)


def script_code(at) -> str:
    return next(c.value for c in at.code if "from skimage import" in c.value)


def chart_dataset(at, name: str, index: int = 0):
    """A named dataset of the page's Vega-Lite chart, as the browser receives it (Arrow IPC → DataFrame)."""
    import pyarrow as pa

    chart = at.get("vega_lite_chart")[index].proto
    data = next(d.data.data for d in chart.datasets if d.name == name)
    return pa.ipc.open_stream(data).read_all().to_pandas()


def page_values(at) -> dict:
    return {name: at.session_state[f"{P}:{name}"] for name in T.SCHEMA.fields}


def test_opens_on_the_tutorial_cells_with_the_tutorials_threshold():
    at = app_test(PAGE, working_size=1024)
    no_exception(at)
    assert page_values(at) == T.PRESETS["Tutorial (Otsu)"]
    camera = data.camera()  # the tutorial's cells 18-21
    val = filters.threshold_otsu(camera)
    hi = exposure.histogram(camera)
    body = texts(at)
    assert f"the contour of camera at the threshold **{val:g}**" in body and val == 102
    assert f"Its maximum, at **{val:g}**" in body
    assert "Otsu gives **102** on this cameraman where the tutorial's figure shows ≈ 87" in body
    assert "replaced `data.camera()` in version 0.18" in body
    assert f"white = brighter, {100 * np.mean(camera > val):.1f}% of the pixels" in body
    bars = chart_dataset(at, "hist")
    np.testing.assert_array_equal(bars["intensity"], hi[1])  # the tutorial's histogram is the one plotted
    np.testing.assert_array_equal(bars["count"], hi[0])
    assert "contour(camera" not in body


def test_the_shown_script_reproduces_what_the_page_shows(tmp_path):
    at = app_test(PAGE, query={"image": "astronaut", "method": "multiotsu", "classes": "4", "manual": "90"})
    no_exception(at)
    values = page_values(at)
    ns = run_script(P, values, tmp_path, image="astronaut", shape=load_sample("astronaut").shape, working_size=256)
    gray = T.gray_ubyte(fit_working_size(load_sample("astronaut"), 256))
    expected = T.threshold_image(gray, "multiotsu", classes=4)
    np.testing.assert_array_equal(ns["result"], expected.labels)
    shown = ", ".join(f"{t:.4g}" for t in ns["thresholds"])
    assert f"dark to bright (thresholds {shown})" in texts(at)
    _, _, differs = T.manual_comparison(gray, expected.labels, 90)
    assert f"Where they differ: {100 * differs:.1f}%" in texts(at)
    assert "is a colour image: it is converted to gray" in texts(at)
    code = script_code(at)
    assert "data.astronaut()" in code and "method = 'multiotsu'" in code and "classes = 4" in code


def test_method_and_manual_slider_change_the_output():
    at = app_test(PAGE)
    before = texts(at)
    widget(at, "Method").set_value("li").run()
    no_exception(at)
    after = texts(at)
    assert "Li (minimum cross-entropy)" in after and after != before
    assert "between-class variance" not in after  # the Otsu curve is only for Otsu
    assert "method = 'li'" in script_code(at)
    widget(at, "Manual threshold (0…255)").set_value(200).run()
    no_exception(at)
    assert "Manual threshold 200:" in texts(at)
    assert "manual = 200" in script_code(at)


def test_presets_set_every_value():
    at = app_test(PAGE, query={"manual": "33", "log_counts": "1"})
    at.button(key=f"{P}:preset:Multi-Otsu, 3 classes").click().run()
    no_exception(at)
    assert page_values(at) == T.PRESETS["Multi-Otsu, 3 classes"]  # the manual value and log scale are reset
    assert "Multi-Otsu classes of camera, dark to bright" in texts(at)
    widget(at, "Classes").set_value(4).run()
    no_exception(at)
    assert "pixel shares" in texts(at) and "classes = 4" in script_code(at)
    at.button(key=f"{P}:preset:Coins with Li").click().run()
    no_exception(at)
    assert page_values(at) == T.PRESETS["Coins with Li"]
    assert "contour(camera" not in texts(at) and "the contour of coins" in texts(at)


def test_five_classes_get_a_word_and_an_estimate_before_they_run():
    at = app_test(PAGE, query={"method": "multiotsu", "classes": "4"})
    assert f"5 classes take about {T.MULTIOTSU_SECONDS[5]:.0f} s" in widget(at, "Classes").help
    assert "whatever the image size" not in texts(at)
    at = app_test(PAGE, query={"method": "multiotsu", "classes": "5", "image": "coins"})  # the slow search runs
    no_exception(at)
    assert (f"tries every set of 4 thresholds among 256 gray levels: **about {T.MULTIOTSU_SECONDS[5]:.0f} s**, "
            "whatever the image size") in texts(at)


def test_link_with_settings_opens_them():
    at = app_test(PAGE, query={"method": "yen", "manual": "77", "image": "coins"})
    no_exception(at)
    assert page_values(at) == T.SCHEMA.parse({"method": "yen", "manual": "77", "image": "coins"})
    assert not at.warning
    code = script_code(at)
    assert "data.coins()" in code and "method = 'yen'" in code and "manual = 77" in code


def test_garbage_link_falls_back_with_a_notice():
    at = app_test(PAGE, query={"method": "magic", "manual": "999", "classes": "x"})
    no_exception(at)
    assert widget(at, "Method").value == "otsu"
    assert widget(at, "Manual threshold (0…255)").value == 128
    notice = " ".join(w.value for w in at.warning)
    assert "The 'manual' parameter must be an int in the range \\[0, 255\\]; got '999'" in notice


def _with_upload(image: np.ndarray):
    """Open the page as if this image had been uploaded (the upload lives in session state)."""
    upload = {"name": "flat.png", "image": image, "original_shape": image.shape, "id": 1, "page": P}
    return app_test(PAGE, session_state={"_upload": upload, f"{P}:image": "upload"})


def test_uniform_image_says_otsu_is_undefined():
    at = _with_upload(np.full((64, 64), 90, np.uint8))
    no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "single gray level (90)" in errors and "undefined" in errors
    assert "Share this view" in texts(at)  # the page still renders its footer
    assert 'Image.open("your_image.png")' in script_code(at)


@pytest.mark.parametrize("method", ["minimum", "multiotsu"])
def test_too_few_levels_gives_an_actionable_error(method):
    two = np.zeros((64, 64), np.uint8)
    two[:, 32:] = 200
    at = _with_upload(two)
    widget(at, "Method").set_value(method).run()
    no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert ("try Otsu" in errors) if method == "minimum" else ("lower classes" in errors)
