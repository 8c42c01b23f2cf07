"""AppTest: the Digits (SVC) page — presets, sliders, links, a drawing, and the script."""

from tests.app.conftest import app_test, metric, no_exception, texts

PAGE = "pages/digits.py"


def slider(at, label):
    return next(s for s in [*at.select_slider, *at.slider] if s.label == label)


def settings(at) -> tuple:
    """(gamma, C, held-out fraction, split seed) as the sliders show them."""
    return tuple(slider(at, label).value for label in ("gamma", "C (penalty)", "Held-out fraction", "Split seed"))


def script_code(at) -> str:
    return next(c.value for c in at.code if "train_test_split" in c.value)


def drawing(points, width=22):
    path = [["M", *points[0]]] + [["L", *p] for p in points[1:]]
    return {"drawing": {"raw": {"objects": [{"type": "Path", "path": path, "strokeWidth": width}],
                                "background": "#ffffff"}, "data": None}, "backgroundFit": None}


def test_opens_on_the_tutorial_setting():
    at = app_test(PAGE)
    no_exception(at)
    assert slider(at, "gamma").value == 0.001 and slider(at, "C (penalty)").value == 100.0
    assert metric(at, "Held-out accuracy") == "99.33%"
    assert metric(at, "Held-out digits") == "450"
    body = texts(at)
    assert "(1797, 64)" in body and "(1797, 8, 8)" in body
    assert "The canvas is empty" in body
    # the tutorial's own check, predicted [9, 8]
    assert any("→ [9, 8]" in c.value for c in at.code)
    assert "svm.SVC(gamma=0.001, C=100.0)" in script_code(at)


def test_preset_and_slider_change_the_result():
    at = app_test(PAGE)
    at.button(key="digits:preset:γ too large (0.1)").click().run()
    no_exception(at)
    assert slider(at, "gamma").value == 0.1
    accuracy = float(metric(at, "Held-out accuracy").rstrip("%"))
    assert accuracy < 50  # the model memorised its training digits
    assert "Misclassified held-out digits" in texts(at)
    slider(at, "gamma").set_value(0.0001).run()
    slider(at, "C (penalty)").set_value(0.1).run()
    no_exception(at)
    smooth = float(metric(at, "Held-out accuracy").rstrip("%"))
    assert smooth != accuracy and smooth < 99.33
    assert "svm.SVC(gamma=0.0001, C=0.1)" in script_code(at)
    slider(at, "Held-out fraction").set_value(0.5).run()
    assert metric(at, "Held-out digits") == "899"


def test_link_with_settings_opens_them():
    at = app_test(PAGE, query={"gamma": "0.0005", "C": "10", "test_size": "0.4", "seed": "3"})
    no_exception(at)
    assert settings(at) == (0.0005, 10.0, 0.4, 3)
    assert metric(at, "Held-out digits") == "719"
    assert not at.warning
    assert "random_state=3" in script_code(at)


def test_garbage_link_falls_back_with_a_notice():
    at = app_test(PAGE, query={"gamma": "banana", "C": "-5", "seed": "1000", "colour": "red"})
    no_exception(at)
    assert settings(at) == (0.001, 100.0, 0.25, 0)
    notice = " ".join(w.value for w in at.warning)
    assert "gamma=banana" in notice and "colour" in notice
    assert metric(at, "Held-out accuracy") == "99.33%"


def test_a_drawing_is_predicted_and_lands_in_the_script():
    at = app_test(PAGE)
    at.session_state["digits:canvas"] = drawing([(80, 50), (200, 50), (120, 240)])  # a "7"
    at.run()
    no_exception(at)
    assert metric(at, "Prediction") == "7"
    assert "The canvas is empty" not in texts(at)
    code = script_code(at)
    assert "digit = np.array([" in code and "your digit is predicted" in code
    # a "1" instead
    at.session_state["digits:canvas"] = drawing([(150, 40), (130, 240)])
    at.run()
    assert metric(at, "Prediction") == "1"


def test_an_empty_drawing_says_so():
    at = app_test(PAGE)
    at.session_state["digits:canvas"] = {"drawing": {"raw": {"objects": []}, "data": None}, "backgroundFit": None}
    at.run()
    no_exception(at)
    assert "The canvas is empty" in texts(at)
    assert not any(m.label == "Prediction" for m in at.metric)
    assert "digit = np.array" not in script_code(at)


def test_gallery_counts_the_mistakes_core_makes():
    from core.digits import train_digits

    at = app_test(PAGE, query={"gamma": "0.01"})
    no_exception(at)
    expected = train_digits(0.01, 100.0)
    n_wrong = len(expected.errors())
    assert n_wrong > 3  # a wider-than-tutorial gamma makes more mistakes
    assert f"**Misclassified held-out digits: {n_wrong}** of 450" in texts(at)
    assert metric(at, "Held-out accuracy") == f"{expected.accuracy:.2%}"
