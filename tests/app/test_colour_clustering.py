"""AppTest of the Colour k-means page: what it shows equals core's stages, the script and the tutorial's code."""

import numpy as np
import pytest

from core import clustering as C
from core.images import load_sample
from tests.app.conftest import app_test, metric, no_exception, texts

PAGE = "pages/colour_clustering.py"
P = "colour_clustering"


def page_values(at) -> dict:
    """The values the page used, read from its widgets' state."""
    return C.SCHEMA.parse({name: at.session_state[f"{P}:{name}"] for name in C.SCHEMA.fields})


def image_captions(at) -> str:
    """The captions of every st.image of the run."""
    return "\n".join(str(c) for element in at.get("image") for c in element.captions)


def inertia_shown(at) -> float:
    caption = next(c.value for c in at.caption if "Inertia" in c.value)
    return float(caption.rsplit(": ", 1)[1].rstrip(".").replace(",", ""))


def tutorial_cell(image, channels, k, seed=0):
    """The tutorial's cells as written: rgb2lab, np.array of the channels, KMeans(...).fit(data.T)."""
    from skimage import color
    from sklearn.cluster import KMeans

    im_lab = color.rgb2lab(image)
    data = np.array([im_lab[..., "Lab".index(c)].ravel() for c in channels])
    kmeans = KMeans(n_clusters=k, random_state=seed).fit(data.T)
    return kmeans.labels_.reshape(image.shape[:-1]), kmeans.inertia_


@pytest.mark.parametrize("preset,image,channels,k", [
    ("Tutorial: round pill, a, b, k = 2", "round_pill", "ab", 2),
    ("Tutorial: chapel floor, L, a, b, k = 4", "chapel_floor", "Lab", 4),
    ("Exercise: chapel floor, a, b, k = 3", "chapel_floor", "ab", 3),
    ("Tutorial: spices, k-means alone, k = 10", "spices", "ab", 10),
])
def test_each_tutorial_preset_gives_the_tutorials_labels(preset, image, channels, k, offered):
    at = app_test(PAGE, working_size=1024, query={"k": "5", "seed": "9", "fit": "sample", "image": "coffee"})
    offered.clear()  # what the preset's run offers, not the first run's
    at.button(key=f"{P}:preset:{preset}").click().run()
    no_exception(at)
    values = page_values(at)
    assert values["image"] == image and values["seed"] == 0 and values["fit"] == "all"  # every value set
    sample = load_sample(image)  # fits in 1024 px: the page works on the original
    labels, inertia = tutorial_cell(sample, channels, k)
    shown = [array for name, array in offered.items() if name.endswith("_labels.png")]  # the page's own labels
    assert len(shown) == 1
    np.testing.assert_array_equal(shown[0], labels)  # 100 % of the pixels
    assert inertia_shown(at) == pytest.approx(inertia, rel=1e-6)
    assert metric(at, "Clusters") == str(k)
    if image == "spices":
        assert "noisy on texture" in texts(at)


def test_exercise_preset_keeps_an_upload_and_k_changes_the_output():
    two = np.zeros((40, 40, 3), np.uint8)
    two[:, 20:] = (250, 30, 30)
    two[30:, :10] = (30, 200, 40)
    at = app_test(PAGE, session_state={"_upload": {"name": "mine.png", "image": two, "original_shape": two.shape, "id": 1, "page": "thresholding"},
                                       f"{P}:image": "upload"})
    at.button(key=f"{P}:preset:Exercise: chapel floor, a, b, k = 3").click().run()
    no_exception(at)
    assert at.session_state[f"{P}:image"] == "upload" and metric(at, "Clusters") == "3"
    assert "Original: mine\\.png (40×40)" in image_captions(at)
    labels = {b.label: b for b in at.get("download_button")}
    assert "Cluster labels (PNG)" in labels
    at.slider(key=f"{P}:k").set_value(2).run()
    assert metric(at, "Clusters") == "2"


def test_time_metric_says_cached_when_nothing_was_computed():
    at = app_test(PAGE)
    first = metric(at, "Time")
    at.slider(key=f"{P}:k").set_value(3).run()
    at.slider(key=f"{P}:k").set_value(2).run()  # back to a result already computed
    no_exception(at)
    assert first.endswith((" ms", " s")) or first == "cached"
    assert metric(at, "Time") == "cached"


def test_compare_the_two_fits():
    at = app_test(PAGE)
    at.toggle(key=f"{P}:compare").set_value(True).run()
    no_exception(at)
    share = float(metric(at, "Pixels in the same cluster").rstrip("%"))
    assert share > 99  # the round pill: sample and full fit agree


def test_rgb_space_and_iris_tab():
    at = app_test(PAGE)
    at.radio(key=f"{P}:color_space").set_value("rgb").run()
    no_exception(at)
    assert metric(at, "Features") == "R, G, B" and at.multiselect(key=f"{P}:channels").disabled
    ari_3 = metric(at, "Adjusted Rand index")
    assert ari_3 == f"{C.iris_kmeans(3).ari:.3f}"
    at.slider(key=f"{P}:iris_k").set_value(2).run()
    assert metric(at, "Adjusted Rand index") == f"{C.iris_kmeans(2).ari:.3f}"


def test_bad_input_is_a_message_not_a_traceback():
    at = app_test(PAGE, query={"image": "camera"})  # gray: a = b = 0
    no_exception(at)
    assert any("no colour variation" in e.value and "Add L" in e.value for e in at.error)
    at = app_test(PAGE)
    at.multiselect(key=f"{P}:channels").set_value([]).run()
    no_exception(at)
    assert any("The 'channels' parameter must be" in e.value and "at least one channel" in e.value
               for e in at.error)


def test_links_restore_settings_and_garbage_falls_back_with_the_one_message_form():
    at = app_test(PAGE, query={"image": "chelsea", "channels": "L,b", "k": "6", "seed": "7", "view": "boundaries",
                               "iris_k": "4", "fit": "sample"})
    no_exception(at)
    assert page_values(at) == C.SCHEMA.parse({"image": "chelsea", "channels": "L,b", "k": "6", "seed": "7",
                                              "view": "boundaries", "iris_k": "4", "fit": "sample"})
    assert metric(at, "Clusters") == "6" and not at.warning
    at = app_test(PAGE, query={"k": "99", "color_space": "hsv", "bogus": "1"})
    no_exception(at)
    assert at.slider(key=f"{P}:k").value == 2
    notice = " ".join(w.value for w in at.warning)
    assert "The 'k' parameter must be an int in the range \\[2, 12\\]; got '99'" in notice
    assert "bogus" in notice and "is not a setting of this page" in notice


def test_k_above_the_distinct_colours_of_an_upload_is_a_message():
    two = np.zeros((40, 40, 3), np.uint8)
    two[:, 20:] = (250, 30, 30)
    at = app_test(PAGE, session_state={"_upload": {"name": "two.png", "image": two, "original_shape": two.shape, "id": 1, "page": "thresholding"},
                                       f"{P}:image": "upload", f"{P}:k": 3})
    no_exception(at)
    assert any("only 2 distinct colours" in e.value and "at most 2" in e.value for e in at.error)


def test_the_view_reruns_its_fragment_and_still_reaches_the_link():
    at = app_test(PAGE)
    at.button_group(key=f"{P}:view").set_value("boundaries").run()
    no_exception(at)
    assert "cluster boundaries in yellow" in image_captions(at)
    assert at.query_params.get("view") in ("boundaries", ["boundaries"])
