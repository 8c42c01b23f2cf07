"""AppTest of the Colour k-means page (pages/colour_clustering.py)."""

from tests.app.conftest import app_test, metric, no_exception

PAGE = "pages/colour_clustering.py"
P = "colour_clustering"


def test_default_is_the_tutorial_setting_and_k_changes_the_output():
    at = app_test(PAGE)
    no_exception(at)
    assert at.radio(key=f"{P}:color_space").value == "lab"
    assert at.multiselect(key=f"{P}:channels").value == ["a", "b"]
    assert at.slider(key=f"{P}:k").value == 2
    assert metric(at, "Clusters") == "2" and metric(at, "Features") == "a, b"
    inertia_2 = [c.value for c in at.caption if "Inertia" in c.value]
    at.slider(key=f"{P}:k").set_value(5).run()
    no_exception(at)
    assert metric(at, "Clusters") == "5"
    assert [c.value for c in at.caption if "Inertia" in c.value] != inertia_2
    assert "KMeans(n_clusters=5" in "".join(c.value for c in at.code)


def test_presets_set_channels_and_k():
    at = app_test(PAGE)
    at.button(key=f"{P}:preset:Tutorial: k=4 on L, a, b").click().run()
    no_exception(at)
    assert at.multiselect(key=f"{P}:channels").value == ["L", "a", "b"]
    assert metric(at, "Clusters") == "4" and metric(at, "Features") == "L, a, b"
    at.button(key=f"{P}:preset:Exercise: k=3 on a, b").click().run()
    assert metric(at, "Clusters") == "3" and metric(at, "Features") == "a, b"


def test_rgb_space_and_views():
    at = app_test(PAGE)
    at.radio(key=f"{P}:color_space").set_value("rgb").run()
    no_exception(at)
    assert metric(at, "Features") == "R, G, B"
    assert at.multiselect(key=f"{P}:channels").disabled
    assert "X = image.reshape(-1, 3) / 255.0" in "".join(c.value for c in at.code)


def test_iris_tab_k_changes_the_agreement():
    at = app_test(PAGE)
    ari_3 = metric(at, "Adjusted Rand index")
    assert 0.6 < float(ari_3) < 0.9
    at.slider(key=f"{P}:iris_k").set_value(2).run()
    no_exception(at)
    assert metric(at, "Adjusted Rand index") != ari_3


def test_bad_input_is_a_message_not_a_traceback():
    # a gray image has a = b = 0 everywhere: fewer distinct colours than k
    at = app_test(PAGE, query={"image": "camera"})
    no_exception(at)
    assert any("no colour variation" in e.value and "Add L" in e.value for e in at.error)
    # no channel at all
    at = app_test(PAGE)
    at.multiselect(key=f"{P}:channels").set_value([]).run()
    no_exception(at)
    assert any("at least one channel" in e.value for e in at.error)


def test_a_shared_link_opens_the_same_settings():
    at = app_test(PAGE, query={"image": "chelsea", "color_space": "lab", "channels": "L,b", "k": "6",
                               "seed": "7", "view": "boundaries", "iris_k": "4"})
    no_exception(at)
    assert at.sidebar.selectbox(key=f"{P}:image").value == "chelsea"
    assert at.multiselect(key=f"{P}:channels").value == ["L", "b"]
    assert at.slider(key=f"{P}:k").value == 6
    assert at.number_input(key=f"{P}:seed").value == 7
    assert at.slider(key=f"{P}:iris_k").value == 4
    assert metric(at, "Clusters") == "6"
    assert not at.warning


def test_a_garbage_link_falls_back_to_defaults_with_a_notice():
    at = app_test(PAGE, query={"k": "99", "channels": "x,y", "color_space": "hsv", "bogus": "1"})
    no_exception(at)
    assert at.slider(key=f"{P}:k").value == 2
    assert at.multiselect(key=f"{P}:channels").value == ["a", "b"]
    assert at.radio(key=f"{P}:color_space").value == "lab"
    assert any("could not be used" in w.value for w in at.warning)


def test_k_above_the_distinct_colours_of_an_upload_is_a_message():
    import numpy as np

    two = np.zeros((40, 40, 3), np.uint8)
    two[:, 20:] = (250, 30, 30)
    at = app_test(PAGE, session_state={"_upload": {"name": "two.png", "image": two, "original_shape": two.shape},
                                       f"{P}:image": "upload", f"{P}:k": 3})
    no_exception(at)
    assert any("only 2 distinct colours" in e.value and "at most 2" in e.value for e in at.error)
    at.slider(key=f"{P}:k").set_value(2).run()
    assert not at.error and metric(at, "Clusters") == "2"


def test_downloads_are_offered():
    at = app_test(PAGE)
    labels = {b.label for b in at.get("download_button")}
    assert {"Average-colour image (PNG)", "Cluster labels (PNG)", "Palette (CSV)", "Iris with clusters (CSV)",
            "Download the script (.py)"} <= labels
