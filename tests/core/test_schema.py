"""core.schema: the link parser (split_link, Schema.parse_link, parse_json), with known answers and a fuzz test.

Whatever a link or a settings file holds, the parser returns validated values or raises a ValueError of the one
message form — never another exception, never an echo longer than the message form allows, never a value
outside its field's constraint.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.schema import MAX_LINK_CHARS, Bool, Choice, Float, Int, LogFloat, Multi, Schema, Text, split_link

SCHEMA = Schema("demo", [
    Int("k", 5, 2, 20, help="clusters"),
    Float("sigma", 1.0, 0.0, 5.0),
    LogFloat("gamma", 0.001, 1e-4, 1e-1),
    Choice("method", ["slic", "felzenszwalb"], "slic"),
    Multi("channels", ["L", "a", "b"], ["a", "b"]),
    Bool("zero", False),
    Text("name", "beach", max_length=24),
], image="coffee")


def _check(values: dict) -> None:
    """Every value lies inside its field's constraint."""
    assert set(values) == set(SCHEMA.fields)
    assert isinstance(values["k"], int) and 2 <= values["k"] <= 20
    assert isinstance(values["sigma"], float) and math.isfinite(values["sigma"]) and 0 <= values["sigma"] <= 5
    assert values["gamma"] in SCHEMA.fields["gamma"].options
    assert values["method"] in ("slic", "felzenszwalb")
    assert values["channels"] and set(values["channels"]) <= {"L", "a", "b"}
    assert isinstance(values["zero"], bool)
    assert isinstance(values["name"], str) and len(values["name"]) <= 24


# ----------------------------------------------------------------------------- known answers
def test_split_link_takes_full_urls_page_queries_and_bare_queries():
    assert split_link("https://x.streamlit.app/superpixels?k=7&method=slic") == (
        "superpixels", [("k", "7"), ("method", "slic")])
    assert split_link("superpixels?k=7") == ("superpixels", [("k", "7")])
    assert split_link("?k=7&empty=") == ("", [("k", "7"), ("empty", "")])
    assert split_link("http://h/app/superpixels/") == ("superpixels", [])


def test_parse_link_gives_every_value_validated():
    values = SCHEMA.parse_link("demo?k=7&sigma=2.5&channels=L,b&zero=1&gamma=0.0011&image=coins")
    assert values["k"] == 7 and values["sigma"] == 2.5 and values["channels"] == ["L", "b"]
    assert values["zero"] is True and values["gamma"] == 0.001 and values["image"] == "coins"
    assert values["method"] == "slic"  # not in the link: the default
    _check(values)


@pytest.mark.parametrize(("link", "message"), [
    ("demo?k=99", "The 'k' parameter must be an int in the range [2, 20]; got '99'."),
    ("demo?k=nan", "The 'k' parameter must be an int"),
    ("demo?sigma=1e308", "The 'sigma' parameter must be a finite float in the range [0, 5]"),
    ("demo?sigma=inf", "finite float"),
    ("demo?gamma=-1", "The 'gamma' parameter must be a positive float"),
    ("demo?method=quickshift", "one of {'slic', 'felzenszwalb'}"),
    ("demo?channels=a,x", "comma-separated subset"),
    ("demo?channels=", "not empty"),
    ("demo?zero=maybe", "a boolean"),
    ("demo?image=lena", "The 'image' parameter must be one of"),
    ("demo?nonsense=1", "is not a parameter of the demo page"),
    ("other?k=3", "This link is for the 'other' page, not demo."),
])
def test_bad_links_name_the_parameter_and_the_allowed_range(link, message):
    with pytest.raises(ValueError) as info:
        SCHEMA.parse_link(link)
    assert message in str(info.value)


def test_huge_links_and_values_are_refused_or_truncated_in_messages():
    with pytest.raises(ValueError, match="characters long"):
        SCHEMA.parse_link("demo?k=" + "9" * (MAX_LINK_CHARS + 1))
    with pytest.raises(ValueError) as info:
        SCHEMA.parse_link("demo?" + "x" * 50_000 + "=1")
    assert len(str(info.value)) < 400
    with pytest.raises(ValueError) as info:
        SCHEMA.parse_link("demo?name=" + "[sign in](http://evil)" * 100)
    assert len(str(info.value)) < 200


def test_parse_json_round_trips_to_json():
    values = SCHEMA.parse({"k": 9, "channels": ["L"], "image": "coins"})
    assert SCHEMA.parse_json(SCHEMA.to_json(values)) == values
    assert SCHEMA.parse_json(json.dumps({"k": 3}))["k"] == 3  # a flat object works too


@pytest.mark.parametrize(("text", "message"), [
    ("not json", "not valid JSON"),
    ("[1, 2]", "must hold a JSON object"),
    ('{"page": "other", "settings": {}}', "for the 'other' page"),
    ('{"settings": [1]}', "'settings' must be a JSON object"),
    ('{"k": 1e999}', "The 'k' parameter must be an int"),
    ('{"k": true}', "The 'k' parameter must be an int"),
    ('{"sigma": NaN}', "finite float"),
    ('{"channels": 5}', "comma-separated subset"),
    ('{"name": ["a"]}', "a text of at most 24 characters"),
])
def test_bad_settings_files_raise_the_one_message_form(text, message):
    with pytest.raises(ValueError, match=None) as info:
        SCHEMA.parse_json(text)
    assert message in str(info.value)


# ----------------------------------------------------------------------------- fuzz
_NAMES = st.sampled_from([*SCHEMA.fields, "x", "", "k ", "K", "é", "[a](b)", "k" * 300])
_RAW = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "-1e308", "1e-320", "0x10", "5.0", "7", "2", "20", "21",
                     "slic", "a,b", "L,a,b,a", ",", "1", "0", "true", "coins", "upload", "　７", "٧"]),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.sampled_from(["demo", "", "other", "dé mo"]), pairs=st.lists(st.tuples(_NAMES, _RAW), max_size=8),
       prefix=st.sampled_from(["", "https://host/app/", "/", "?"]))
def test_fuzz_links_give_valid_values_or_one_value_error(page, pairs, prefix):
    from urllib.parse import urlencode

    link = f"{prefix}{page}?{urlencode(pairs)}"
    try:
        values = SCHEMA.parse_link(link)
    except ValueError as err:
        text = str(err)
        assert text and len(text) < 600, text
        return
    _check(values)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(settings_=st.dictionaries(_NAMES, _JSON, max_size=8), wrap=st.booleans())
def test_fuzz_settings_files_give_valid_values_or_one_value_error(settings_, wrap):
    text = json.dumps({"page": "demo", "settings": settings_} if wrap else settings_)
    try:
        values = SCHEMA.parse_json(text)
    except ValueError as err:
        assert str(err) and len(str(err)) < 600
        return
    _check(values)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_split_link_never_raises_anything_but_value_error(link):
    try:
        page, pairs = split_link(link)
    except ValueError:
        return
    assert isinstance(page, str) and all(isinstance(k, str) and isinstance(v, str) for k, v in pairs)
