"""Known answers for core.digits: the tutorial's SVC, and drawings reduced like the dataset."""

import numpy as np
import pytest

from core import digits as D


@pytest.fixture(scope="module")
def tutorial():
    return D.train_digits()


def path(points, width=20):
    commands = [["M", *points[0]]] + [["L", *p] for p in points[1:]]
    return {"type": "path", "path": commands, "strokeWidth": width}


def test_tutorial_defaults_accuracy_and_confusion(tutorial):
    assert tutorial.accuracy >= 0.99
    assert tutorial.confusion.shape == (10, 10)
    n_test = tutorial.y_test.size
    assert tutorial.confusion.sum() == n_test == 450  # 25 % of 1797, rounded up
    assert np.trace(tutorial.confusion) / n_test == pytest.approx(tutorial.accuracy)
    errors = tutorial.errors()
    assert len(errors) == n_test - np.trace(tutorial.confusion)
    assert (errors["true"] != errors["predicted"]).all()


def test_gamma_too_large_overfits():
    bad = D.train_digits(gamma=0.1, test_size=0.5)
    assert bad.accuracy < 0.5  # each training digit becomes its own island


def test_tutorial_check_predicts_9_8():
    table = D.tutorial_check()
    assert table["predicted"].tolist() == [9, 8]
    assert table["true"].tolist() == [9, 8]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"gamma": 0}, "gamma must be a positive"), ({"C": -1}, "C must be a positive"), ({"test_size": 0.99}, "test_size")],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        D.train_digits(**kwargs)


def test_rasterize_strokes_draws_the_stroke():
    rgba = D.rasterize_strokes({"objects": [path([(140, 40), (140, 240)], width=20)]})
    assert rgba.shape == (D.CANVAS_SIZE, D.CANVAS_SIZE, 4) and rgba.dtype == np.uint8
    alpha = rgba[..., 3] > 0
    assert alpha[140, 140] and alpha[140, 131] and not alpha[140, 120]
    assert not alpha[20, 140] and alpha[45, 140]
    # a moved stroke (Fabric's left/top) lands where the canvas shows it
    moved = dict(path([(140, 40), (140, 240)], width=20), left=20.0, top=30.0, width=0.0, height=200.0)
    alpha = D.rasterize_strokes({"objects": [moved]})[..., 3] > 0
    assert alpha[130, 30] and not alpha[130, 140]


def test_drawn_one_becomes_a_dataset_sample():
    rgba = D.rasterize_strokes({"objects": [path([(150, 40), (130, 240)])]})
    digit = D.drawing_to_digit(rgba)
    assert digit.shape == (64,)
    assert digit.min() >= 0 and digit.max() <= 16
    assert np.all(digit == np.round(digit))
    image = digit.reshape(8, 8)
    assert image[:, 3:5].sum() > 0.8 * image.sum()  # a central vertical bar
    assert (image.sum(axis=1) > 0).all()  # spanning every row


def test_drawings_are_recognised(tutorial):
    theta = np.linspace(0, 2 * np.pi, 40)
    drawings = {
        0: list(zip(140 + 60 * np.cos(theta), 140 + 95 * np.sin(theta), strict=True)),
        1: [(150, 40), (130, 240)],
        7: [(80, 50), (200, 50), (120, 240)],
        4: [(170, 240), (170, 40), (80, 170), (210, 170)],
    }
    for width in (10, 40):  # the pen width is normalised away
        for label, points in drawings.items():
            digit = D.drawing_to_digit(D.rasterize_strokes({"objects": [path(points, width)]}))
            scores = D.digit_scores(tutorial.model, digit)
            assert scores.loc[scores["predicted"], "digit"].item() == label, (width, label)
            assert scores["score"].idxmax() == label


def test_dataset_digit_roundtrip(tutorial):
    from skimage.transform import resize

    digits = D.load_digits()
    hits = 0
    rows = tutorial.test_index[:40]
    for i in rows:
        big = resize(digits.images[i] / 16, (160, 160), order=1)  # bright ink on black
        hits += tutorial.model.predict(D.drawing_to_digit(big)[None])[0] == digits.target[i]
    assert hits / len(rows) >= 0.85


def test_opaque_white_background_uses_darkness():
    rgba = np.full((100, 100, 4), 255, np.uint8)
    rgba[10:90, 45:55, :3] = 0
    bitmap = D.drawing_to_bitmap(rgba)
    assert bitmap.shape == (32, 32)
    assert bitmap[:, 14:18].all() and not bitmap[:, :8].any()


def test_empty_drawing_says_what_to_do():
    with pytest.raises(ValueError, match="empty: draw a digit"):
        D.drawing_to_digit(np.zeros((280, 280, 4), np.uint8))
    with pytest.raises(ValueError, match="empty"):
        D.drawing_to_digit(D.rasterize_strokes(None))
    with pytest.raises(ValueError, match="RGBA"):
        D.drawing_to_digit(np.zeros((4, 4, 2)))


# --------------------------------------------------------------------------- "Reproduce in Python"
@pytest.mark.parametrize(
    "values",
    [
        {"gamma": 0.001, "C": 100.0, "test_size": 0.25, "seed": 0},
        {"gamma": 0.0003, "C": 10.0, "test_size": 0.4, "seed": 7, "digit": [0, 4, 16, 16, 16, 16, 12, 0] + [0] * 56},
    ],
)
def test_recipe_reproduces_the_confusion_matrix(values, tmp_path):
    """The script, run alone in a fresh interpreter, gives exactly core's confusion matrix (same split, same SVC)."""
    from core.recipes import digits as recipe
    from tests.recipes import run_recipes

    out, stdout = run_recipes({"recipe": recipe.script(values)}, tmp_path)
    expected = D.train_digits(values["gamma"], values["C"], test_size=values["test_size"], random_state=values["seed"])
    np.testing.assert_array_equal(out["recipe"]["result"], expected.confusion)
    assert "last two digits predicted: [9 8]" in stdout
    if "digit" in values:
        assert "your digit is predicted:" in stdout


def test_recipe_refuses_values_it_does_not_know():
    from core.recipes import digits as recipe

    values = {"gamma": 0.001, "C": 100.0, "test_size": 0.25, "seed": 0}
    assert "svm.SVC(gamma=0.001, C=100.0)" in recipe.script(values)
    with pytest.raises(KeyError, match="kernel"):
        recipe.script({**values, "kernel": "linear"})
    with pytest.raises(KeyError, match="seed"):
        recipe.script({"gamma": 0.001, "C": 100.0, "test_size": 0.25})
