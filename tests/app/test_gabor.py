"""AppTests of the Gabor filters page."""
from __future__ import annotations

import pytest

from tests.app.conftest import app_test, no_exception, texts

PAGE = "pages/gabor.py"


@pytest.fixture(scope="module")
def at():
    return app_test(PAGE, working_size=192)


def test_defaults_render_tutorial_setting(at):
    no_exception(at)
    assert at.title[0].value == "Gabor filters"
    assert at.slider(key="gabor:frequency").value == pytest.approx(0.1)
    assert at.slider(key="gabor:frequency2").value == pytest.approx(0.4)
    assert at.slider(key="gabor:shrink").value == 3
    out = texts(at)
    assert "computed by FFT" in out and "Nyquist" not in " ".join(w.value for w in at.warning)
    assert any("Reproduce" in e.label for e in at.expander)


def test_frequency_changes_the_kernel_and_aliasing_warns():
    at = app_test(PAGE, working_size=128)
    before = texts(at)
    at.slider(key="gabor:frequency").set_value(0.05).run()
    no_exception(at)
    after = texts(at)
    assert "one period is 20.0 px" in after and "one period is 10.0 px" in before
    assert after != before
    at.slider(key="gabor:frequency").set_value(0.8).run()
    no_exception(at)
    assert any("above the Nyquist limit" in w.value for w in at.warning)
    assert "aliasing" in texts(at)


@pytest.mark.parametrize("label", ["Tutorial (0.1 and 0.4)", "Bricks: coarse, 90°", "Grass blades: 0.3, 45°",
                                   "Aliasing: 0.8 vs 0.2"])
def test_presets_run(label):
    at = app_test(PAGE, working_size=128)
    next(b for b in at.button if b.label == label).click().run()
    no_exception(at)
    assert not at.error


def test_link_with_values_opens_them():
    at = app_test(PAGE, query={"frequency": "0.25", "theta": "45", "mode": "reflect", "shrink": "2",
                               "image": "coins"}, working_size=128)
    no_exception(at)
    assert at.slider(key="gabor:frequency").value == pytest.approx(0.25)
    assert at.slider(key="gabor:theta").value == 45
    assert at.radio(key="gabor:mode").value == "reflect"
    assert at.slider(key="gabor:shrink").value == 2
    assert "boundary: reflect" in texts(at)


def test_link_with_garbage_falls_back_with_notice():
    at = app_test(PAGE, query={"frequency": "banana", "theta": "999", "shrink": "0"}, working_size=128)
    no_exception(at)
    assert at.slider(key="gabor:frequency").value == pytest.approx(0.1)
    assert at.slider(key="gabor:theta").value == 0
    assert any("could not be used" in w.value for w in at.warning)


def test_bank_controls_change_the_features():
    at = app_test(PAGE, working_size=128)
    assert "**16 features per pixel**" in texts(at)
    at.slider(key="gabor:bank_orient").set_value(2).run()
    no_exception(at)
    assert "**8 features per pixel**" in texts(at)
    at.multiselect(key="gabor:bank_freqs").set_value([]).run()
    no_exception(at)
    assert any("at least one frequency" in i.value for i in at.info)
