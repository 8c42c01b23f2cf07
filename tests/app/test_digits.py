"""AppTest: the Digits (SVC) page — what it shows equals core's stages and its script's output."""


from core import digits as D
from tests.app.conftest import app_test, metric, no_exception, texts
from tests.digit_drawings import fabric_paths, placed
from tests.scripts import run_script

PAGE = "pages/digits.py"
P = "digits"


def page_values(at) -> dict:
    return D.SCHEMA.parse({name: at.session_state[f"{P}:{name}"] for name in D.SCHEMA.fields})


def script_code(at) -> str:
    return next(c.value for c in at.code if "train_test_split" in c.value)


def canvas_state(json_data) -> dict:
    """What streamlit-drawable-canvas keeps in session state for a drawing."""
    return {"drawing": {"raw": json_data, "data": None}, "backgroundFit": None}


def test_opens_on_the_tutorial_setting_and_matches_core():
    at = app_test(PAGE)
    no_exception(at)
    values = page_values(at)
    assert values == D.SCHEMA.defaults() == D.PRESETS["Tutorial (γ=0.001, C=100)"]
    expected = D.train_digits(values["gamma"], values["C"], test_size=values["test_size"], random_state=values["seed"])
    assert metric(at, "Held-out accuracy") == f"{expected.accuracy:.2%}" == "99.33%"
    assert metric(at, "Held-out digits") == "450"
    assert any("→ [9, 8]" in c.value for c in at.code)  # the tutorial's own check
    body = texts(at)
    assert "(1797, 64)" in body and "(1797, 8, 8)" in body and "The canvas is empty" in body
    assert f"**Misclassified held-out digits: {len(expected.errors())}** of 450" in body
    # its script against the page: tests/app/test_presets_match_scripts.py (every preset)


def test_a_preset_sets_every_value():
    at = app_test(PAGE, query={"gamma": "0.0005", "C": "10", "test_size": "0.4", "seed": "3"})
    at.button(key=f"{P}:preset:γ too large (0.1)").click().run()
    no_exception(at)
    assert page_values(at) == D.PRESETS["γ too large (0.1)"]
    accuracy = float(metric(at, "Held-out accuracy").rstrip("%"))
    assert accuracy < 50  # the model memorised its training digits
    next(s for s in at.select_slider if s.label == "gamma").set_value(0.0001).run()
    assert float(metric(at, "Held-out accuracy").rstrip("%")) != accuracy


def test_links_restore_settings_and_garbage_gets_the_one_message_form():
    at = app_test(PAGE, query={"gamma": "0.0005", "C": "10", "test_size": "0.4", "seed": "3"})
    no_exception(at)
    assert page_values(at) == {"gamma": 0.0005, "C": 10.0, "test_size": 0.4, "seed": 3}
    assert metric(at, "Held-out digits") == "719" and not at.warning
    at = app_test(PAGE, query={"gamma": "banana", "seed": "1000", "colour": "red"})
    no_exception(at)
    assert page_values(at) == D.SCHEMA.defaults()
    notice = " ".join(w.value for w in at.warning)
    assert "The 'gamma' parameter must be a positive float" in notice and "colour" in notice.split("is not a setting")[0][-12:]


def test_a_drawing_is_read_and_the_verdict_is_the_top_score(tmp_path):
    at = app_test(PAGE)
    drawing = fabric_paths(placed(0, 200, aspect=1.0))  # a clean round 0 (the issue: it was read as 1)
    at.session_state[f"{P}:canvas"] = canvas_state(drawing)
    at.run()
    no_exception(at)
    digit = D.drawing_to_digit(D.rasterize_strokes(drawing))
    scores = D.digit_scores(D.train_digits().model, digit)
    assert metric(at, "Prediction") == "0" == str(scores["digit"].iloc[0])
    shown = next(m for m in at.metric if m.label == "Prediction")
    assert f"runner-up: {scores['digit'].iloc[1]}" in str(shown.proto.delta)
    assert "The canvas is empty" not in texts(at)
    values = page_values(at)
    out = run_script(P, {**values, "digit": at.session_state[f"{P}:drawn"]}, tmp_path)
    assert f"read as 0 · runner-up: {scores['digit'].iloc[1]}" in out["__stdout__"]
    at.session_state[f"{P}:canvas"] = canvas_state(fabric_paths(placed(7, 220)))
    at.run()
    assert metric(at, "Prediction") == "7"
    assert "digit = [" in script_code(at)  # the footer's script carries the drawing


def test_an_empty_drawing_says_so_and_the_script_says_why():
    at = app_test(PAGE)
    at.session_state[f"{P}:canvas"] = canvas_state({"objects": []})
    at.run()
    no_exception(at)
    assert "The canvas is empty" in texts(at)
    assert not any(m.label == "Prediction" for m in at.metric)
    assert "digit = None" in script_code(at) and "No drawing" in script_code(at)


def test_training_time_is_never_stale():
    at = app_test(PAGE, query={"seed": "11"})
    slider = next(s for s in at.slider if s.label == "Split seed")
    slider.set_value(12).run()
    next(s for s in at.slider if s.label == "Split seed").set_value(11).run()  # back to a trained model
    no_exception(at)
    assert metric(at, "Training time") == "cached"
