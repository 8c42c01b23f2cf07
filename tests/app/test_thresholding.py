"""AppTest: the Thresholding page — methods, presets, the manual slider, links, bad input, the script."""

import numpy as np
import pytest

from tests.app.conftest import app_test, no_exception, texts

PAGE = "pages/thresholding.py"


def widget(at, label):
    return next(w for w in [*at.selectbox, *at.slider] if w.label == label)


def script_code(at) -> str:
    return next(c.value for c in at.code if "from skimage import" in c.value)


def test_opens_on_the_tutorial_setting():
    at = app_test(PAGE)
    no_exception(at)
    assert widget(at, "Method").value == "otsu"
    assert widget(at, "Image").value == "camera"
    body = texts(at)
    assert "the contour at the threshold **102**" in body  # filters.threshold_otsu(camera)
    assert "between-class variance" in body and "Its maximum, at **102**" in body
    assert len(at.get("plotly_chart")) == 1
    assert "threshold = filters.threshold_otsu(gray)" in script_code(at)


def test_method_and_manual_slider_change_the_output():
    at = app_test(PAGE)
    before = texts(at)
    widget(at, "Method").set_value("li").run()
    no_exception(at)
    after = texts(at)
    assert "Li (minimum cross-entropy)" in after and after != before
    assert "between-class variance" not in after  # the Otsu curve is only for Otsu
    assert "filters.threshold_li(gray)" in script_code(at)
    widget(at, "Manual threshold (0…255)").set_value(200).run()
    no_exception(at)
    assert "Manual threshold 200:" in texts(at)
    assert "manual = gray > 200" in script_code(at)


def test_presets_apply_their_values():
    at = app_test(PAGE)
    at.button(key="thresholding:preset:Multi-Otsu, 3 classes").click().run()
    no_exception(at)
    assert widget(at, "Method").value == "multiotsu"
    assert widget(at, "Classes").value == 3
    assert "Multi-Otsu classes, dark to bright" in texts(at)
    assert "threshold_multiotsu(gray, classes=3)" in script_code(at)
    widget(at, "Classes").set_value(4).run()
    no_exception(at)
    assert "pixel shares" in texts(at) and "classes=4" in script_code(at)
    at.button(key="thresholding:preset:Coins with Li").click().run()
    no_exception(at)
    assert widget(at, "Image").value == "coins" and widget(at, "Method").value == "li"


def test_link_with_settings_opens_them():
    at = app_test(PAGE, query={"method": "yen", "manual": "77", "image": "coins"})
    no_exception(at)
    assert widget(at, "Method").value == "yen"
    assert widget(at, "Manual threshold (0…255)").value == 77
    assert widget(at, "Image").value == "coins"
    assert not at.warning
    code = script_code(at)
    assert "data.coins()" in code and "threshold_yen" in code and "gray > 77" in code


def test_garbage_link_falls_back_with_a_notice():
    at = app_test(PAGE, query={"method": "magic", "manual": "999", "classes": "x"})
    no_exception(at)
    assert widget(at, "Method").value == "otsu"
    assert widget(at, "Manual threshold (0…255)").value == 128
    notice = " ".join(w.value for w in at.warning)
    assert "method=magic" in notice and "manual=999" in notice


def test_rgb_input_is_converted_and_the_page_says_so():
    at = app_test(PAGE, query={"image": "astronaut"})
    no_exception(at)
    assert "is a colour image: it is converted to gray" in texts(at)
    assert "util.img_as_ubyte(color.rgb2gray(image))" in script_code(at)


def _with_upload(image: np.ndarray):
    """Open the page as if this image had been uploaded (the upload lives in session state)."""
    return app_test(PAGE, session_state={"_upload": {"name": "flat.png", "image": image, "original_shape": image.shape},
                                         "thresholding:image": "upload"})


def test_uniform_image_says_otsu_is_undefined():
    at = _with_upload(np.full((64, 64), 90, np.uint8))
    no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "single gray level (90)" in errors and "undefined" in errors
    assert "Share this view" in texts(at)  # the page still renders its footer


@pytest.mark.parametrize("method", ["minimum", "multiotsu"])
def test_too_few_levels_gives_an_actionable_error(method):
    two = np.zeros((64, 64), np.uint8)
    two[:, 32:] = 200
    at = _with_upload(two)
    widget(at, "Method").set_value(method).run()
    no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert ("try Otsu" in errors) if method == "minimum" else ("lower classes" in errors)
