"""AppTests of the Gabor filters page: the tutorial's figure, the shown script, presets, links and the bank."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from skimage import data, img_as_float
from skimage.filters import gabor_kernel

from core import gabor as G
from core.images import fit_working_size, load_sample
from tests.app.conftest import app_test, no_exception, texts
from tests.scripts import run_script

PAGE = "pages/gabor.py"
P = "gabor"


def page_values(at) -> dict:
    return {name: at.session_state[f"{P}:{name}"] for name in G.SCHEMA.fields}


def image_captions(at) -> list[str]:
    return [img.caption for e in at.get("image") for img in e.proto.imgs]


def test_opens_on_the_tutorial_figure_with_its_numbers():
    at = app_test(PAGE, working_size=256)
    no_exception(at)
    assert page_values(at) == G.PRESETS["Tutorial (0.1 and 0.4)"]
    captions = image_captions(at)
    assert ["brick", "grass", "gravel (the tutorial's rough-wall)", "astronaut (yours)"] == [
        c for c in captions if c in ("brick", "grass", "gravel (the tutorial's rough-wall)", "astronaut (yours)")]
    assert "gravel stands in for the tutorial's rough-wall" in texts(at)

    shrink = (slice(0, None, 3), slice(0, None, 3))  # the tutorial's cell 52, with gravel for rough-wall.png
    images = [img_as_float(getattr(data, n)())[shrink] for n in ("brick", "grass", "gravel")]

    def power(image, kernel):
        image = (image - image.mean()) / image.std()
        return np.sqrt(ndi.convolve(image, np.real(kernel), mode="wrap") ** 2 +
                       ndi.convolve(image, np.imag(kernel), mode="wrap") ** 2)

    means = [c for c in captions if c.startswith("mean ")]
    assert len(means) == 8  # two rows of brick, grass, gravel and yours
    for row, frequency in enumerate((0.1, 0.4)):
        kernel = gabor_kernel(frequency, theta=0)
        for col, image in enumerate(images):
            assert means[4 * row + col] == f"mean {power(image, kernel).mean():.2f}"


def test_the_shown_script_reproduces_what_the_page_shows(tmp_path):
    query = {"image": "coins", "frequency": "0.2", "theta": "45", "mode": "reflect", "shrink": "4",
             "bank_freqs": "0.1,0.2", "bank_orient": "2"}
    at = app_test(PAGE, query=query, working_size=256)
    no_exception(at)
    values = page_values(at)
    assert values == G.SCHEMA.parse(query)
    ns = run_script(P, values, tmp_path, image="coins", shape=load_sample("coins").shape, working_size=256)
    image = fit_working_size(load_sample("coins"), 256)
    expected = G.power_responses(image, **G.response_kwargs(values))
    np.testing.assert_allclose(ns["result"], expected, atol=1e-4 * float(expected.max()))
    means = [c for c in image_captions(at) if c.startswith("mean ")]
    assert means[3] == f"mean {ns['result'][0].mean():.2f}" and means[7] == f"mean {ns['result'][1].mean():.2f}"
    assert "**4 features per pixel**" in texts(at) and "= 4 features per pixel" in ns["__stdout__"]
    code = "".join(c.value for c in at.code)
    assert "data.coins()" in code and "mode = 'reflect'" in code and "bank_orient = 2" in code


def test_frequency_changes_the_kernel_and_aliasing_warns():
    at = app_test(PAGE, working_size=128)
    before = texts(at)
    at.slider(key=f"{P}:frequency").set_value(0.05).run()
    no_exception(at)
    after = texts(at)
    assert "one period is 20.0 px" in after and "one period is 10.0 px" in before
    at.slider(key=f"{P}:frequency").set_value(0.8).run()
    no_exception(at)
    assert any("above the Nyquist limit" in w.value for w in at.warning)
    assert "aliasing" in texts(at)


@pytest.mark.parametrize("label", list(G.PRESETS))
def test_presets_set_every_value(label):
    at = app_test(PAGE, query={"bank_orient": "7", "mode": "reflect"}, working_size=128)
    at.button(key=f"{P}:preset:{label}").click().run()
    no_exception(at)
    assert not at.error
    assert page_values(at) == G.PRESETS[label]


def test_link_with_values_opens_them():
    at = app_test(PAGE, query={"frequency": "0.25", "theta": "45", "mode": "reflect", "shrink": "2",
                               "image": "coins"}, working_size=128)
    no_exception(at)
    assert at.slider(key=f"{P}:frequency").value == pytest.approx(0.25)
    assert at.radio(key=f"{P}:mode").value == "reflect"
    assert "boundary: reflect" in texts(at) and "images shrunk by 2" in texts(at)


def test_link_with_garbage_falls_back_with_notice():
    at = app_test(PAGE, query={"frequency": "banana", "theta": "999", "shrink": "0"}, working_size=128)
    no_exception(at)
    assert at.slider(key=f"{P}:frequency").value == pytest.approx(0.1)
    assert at.slider(key=f"{P}:theta").value == 0
    notice = " ".join(w.value for w in at.warning)
    assert "could not be used" in notice and "The 'theta' parameter must be an int in the range \\[0, 180\\]" in notice


def test_bank_controls_change_the_features(monkeypatch):
    at = app_test(PAGE, working_size=128)
    assert "**16 features per pixel**" in texts(at)
    calls = []
    real = G.power_responses
    monkeypatch.setattr(G, "power_responses", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    at.slider(key=f"{P}:bank_orient").set_value(2).run()
    no_exception(at)
    assert "**8 features per pixel**" in texts(at) and "bank_orient = 2" in "".join(c.value for c in at.code)
    assert calls == []  # the responses above came from the cache
    at.multiselect(key=f"{P}:bank_freqs").set_value([]).run()
    no_exception(at)
    assert any("at least one frequency" in i.value for i in at.info)
