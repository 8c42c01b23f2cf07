"""Images sent to the browser once per change, at the size the column shows.

``show(array, caption=...)`` encodes an array to PNG (or JPEG for large photos)
at most ``max_side`` pixels on its longest side, caches the encoded bytes on the
array's digest (shared by all sessions), and passes the bytes to ``st.image``:
an unchanged image is neither re-encoded nor re-sized on a rerun, and a 4 MP
result is not sent whole to a 500 px column.
"""

from __future__ import annotations

import functools
import html
import io
import re

import numpy as np
import streamlit as st
from PIL import Image
from plotly.basedatatypes import BaseFigure

from ui.cache import Keyed, cache_data

__all__ = ["PrebuiltFigure", "encoded", "express", "figure_spec", "legend", "plotly_chart", "scatter_spec", "show",
           "shown_image", "shown_labels", "swatch"]

#: The longest side sent for an image shown in a column (a wide column on a large screen is ~1100 px).
DISPLAY_SIDE = 1100


def _as_uint8(array: np.ndarray) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype == np.uint8:
        return array
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating):
        return (np.clip(np.nan_to_num(array), 0, 1) * 255 + 0.5).astype(np.uint8)
    lo, hi = (int(array.min()), int(array.max())) if array.size else (0, 1)
    return ((array.astype(np.float64) - lo) * (255.0 / max(hi - lo, 1)) + 0.5).astype(np.uint8)


def _shown_size(shape: tuple, max_side: int) -> tuple[int, int]:
    """(height, width) of an image of ``shape`` shown at most ``max_side`` px on its longest side: one rule for
    :func:`encoded`, :func:`shown_labels` and :func:`shown_image`, so pictures drawn small match pixel for pixel.
    """
    f = min(1.0, max_side / max(shape[:2]))
    return max(1, round(shape[0] * f)), max(1, round(shape[1] * f))


def _shrunk(pil: Image.Image, max_side: int) -> Image.Image:
    h, w = _shown_size((pil.height, pil.width), max_side)
    return pil if (h, w) == (pil.height, pil.width) else pil.resize((w, h), Image.Resampling.LANCZOS)


@cache_data(max_entries=256, show_spinner=False)
def encoded(array: np.ndarray | Keyed, max_side: int = DISPLAY_SIDE, photo: bool | None = None) -> bytes:
    """PNG (JPEG quality 90 for photos over 0.5 MP after resizing) bytes of ``array``, downscaled to ``max_side``.

    ``photo``: True sends an RGB or gray image as JPEG whatever its size (a photo with lines drawn on it: a PNG
    of it is ~10× slower to encode and larger), False always as PNG; None decides by size.
    A :class:`ui.cache.Keyed` array is looked up by its stored digest (no hashing of its bytes).
    """
    pil = _shrunk(Image.fromarray(_as_uint8(array.array if isinstance(array, Keyed) else array)), max_side)
    buffer = io.BytesIO()
    if (pil.width * pil.height > 500_000 if photo is None else photo) and pil.mode in ("RGB", "L"):
        pil.save(buffer, format="JPEG", quality=90)
    else:
        pil.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


@cache_data(max_entries=16, show_spinner=False)
def shown_labels(labels: Keyed, max_side: int = DISPLAY_SIDE) -> Keyed:
    """A label image (or a picture of flat regions) shrunk to at most ``max_side`` px by nearest neighbour (ids
    stay ids, region colours stay exact), with its digest.

    Pictures painted from it (object or cluster colours, an outline) cost the pixels the column shows, not the
    full image's: at 1 MP shown at 640 px, 2.5× fewer. Labels already small enough are returned as they are.
    """
    array = labels.array
    if max(array.shape[:2]) <= max_side:
        return labels
    sizes = _shown_size(array.shape, max_side)
    rows, cols = (((np.arange(m) + 0.5) * (n / m)).astype(np.intp) for n, m in zip(array.shape[:2], sizes))
    return Keyed(array[rows[:, None], cols], f"{labels.digest}:{max_side}")  # the pixel under each centre


@cache_data(max_entries=16, show_spinner=False)
def shown_image(image: Keyed, max_side: int = DISPLAY_SIDE) -> Keyed:
    """An image as uint8, shrunk to at most ``max_side`` px exactly as :func:`show` shrinks it, with its digest:
    for drawing on it at the size shown (1-px boundaries stay 1 px). Small enough images are returned as they are.
    """
    array = _as_uint8(image.array)
    if max(array.shape[:2]) <= max_side:
        return image if array is image.array else Keyed(array, f"{image.digest}:uint8")
    return Keyed(np.asarray(_shrunk(Image.fromarray(array), max_side)), f"{image.digest}:{max_side}")


def show(array: np.ndarray | Keyed, *, caption: str | None = None, container=None, max_side: int = DISPLAY_SIDE,
         width: str | int = "stretch", photo: bool | None = None) -> None:
    """``st.image`` of ``array`` from cached encoded bytes (see :func:`encoded`).

    The bytes are sent as they are: ``output_format`` names their own format, else Streamlit ("auto") would
    decode every PNG without alpha and re-encode it as a JPEG on every rerun.
    """
    data = encoded(array, max_side, photo)
    (container or st).image(data, caption=caption, width=width,
                            output_format="PNG" if data[:8] == b"\x89PNG\r\n\x1a\n" else "JPEG")


class PrebuiltFigure(BaseFigure):
    """A plotly figure already built and validated, held as its ``to_dict()``: Streamlit sends it as it is.

    ``st.plotly_chart`` validates a dict by building a ``go.Figure`` from it (tens of ms for a few traces)
    and calls ``to_dict()`` on a figure; this figure's ``to_dict()`` is the stored dict, so a figure built
    once (cached) costs only its JSON on each rerun. Build the dict with plotly (``fig.to_dict()``), never by
    hand, so it stays valid; small edits (a line's position, an axis type) go through :func:`plotly_chart`'s
    ``edit``.
    """

    def __init__(self, spec: dict):  # no BaseFigure.__init__: nothing is validated again
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec

    def __repr__(self) -> str:
        return f"PrebuiltFigure({len(self._spec.get('data', []))} traces)"


@functools.cache
def _default_template() -> tuple[dict, list, dict]:
    """Plotly's default template as a dict, its colour sequence, and the empty template's dict: once per process."""
    import plotly.io as pio

    template = pio.templates[pio.templates.default]
    return template.to_plotly_json(), list(template.layout.colorway), pio.templates["none"].to_plotly_json()


def express(func, *args, **kwargs):
    """``func(*args, **kwargs)`` for a ``plotly.express`` function, without the default template.

    plotly.express validates its whole default template again on every call (about 100 ms, most of a
    figure's cost); this builds the figure on the empty template with the default template's colours, and
    :func:`figure_spec` puts the default template back: the same dict as the plain call (a test checks it).
    """
    if "color_discrete_sequence" not in kwargs or kwargs["color_discrete_sequence"] is None:
        kwargs["color_discrete_sequence"] = _default_template()[1]
    return func(*args, template="none", **kwargs)


def figure_spec(fig) -> dict:
    """``fig.to_dict()`` with the default template (see :func:`express`), ready for :func:`plotly_chart`."""
    spec = fig.to_dict()
    default, _, empty = _default_template()
    if spec.get("layout", {}).get("template", empty) == empty:
        spec.setdefault("layout", {})["template"] = default
    return spec


def plotly_chart(spec: dict, *, container=None, **kwargs):
    """``st.plotly_chart`` of a figure dict built (and validated) by plotly, e.g. a cached ``fig.to_dict()``.

    The chart's JSON is identical to the one ``st.plotly_chart(go.Figure(spec))`` sends (a test checks it),
    without rebuilding the figure.
    """
    return (container or st).plotly_chart(PrebuiltFigure(spec), **kwargs)


def scatter_spec(frame, x: str, y: str, *, titles: dict, color: str | None = None, colors: dict | None = None,
                 pick: str = "label", outline: tuple | None = None, height: int = 420) -> dict:
    """A Vega-Lite scatter of ``frame``'s ``x`` against ``y`` for ``st.vega_lite_chart`` (redrawn in the browser
    at about half a plotly scatter's cost): points coloured by ``color`` (``colors``: value → hex, in legend
    order), a tooltip per point, wheel zoom and drag pan, and a click selection named ``"pick"`` that returns the
    point's ``pick`` field. ``outline``: ``(x, y)`` of one point ringed in yellow. The points travel as the
    ``points`` dataset (columns ``pick``, ``x``, ``y``, ``color``: ``x`` may equal ``y``).
    """
    import pandas as pd

    data = pd.DataFrame({pick: frame[pick].to_numpy(), "x": frame[x].to_numpy(), "y": frame[y].to_numpy()})
    encoding = {"x": {"field": "x", "type": "quantitative", "title": titles[x], "scale": {"zero": False}},
                "y": {"field": "y", "type": "quantitative", "title": titles[y], "scale": {"zero": False}},
                "tooltip": [{"field": pick}, {"field": "x", "title": x, "format": ".3g"},
                            {"field": "y", "title": y, "format": ".3g"}]}
    if color is not None:
        data[color] = frame[color].to_numpy()
        encoding["color"] = {"field": color, "type": "nominal", "scale": {"domain": list(colors),
                                                                         "range": list(colors.values())}}
        encoding["tooltip"].append({"field": color})
    points = {"data": {"name": "points"}, "mark": {"type": "point", "filled": True, "size": 45, "opacity": 0.9},
              "params": [{"name": "pick", "select": {"type": "point", "fields": [pick]}},
                         {"name": "zoom", "select": "interval", "bind": "scales"}],
              "encoding": encoding}
    layers, datasets = [points], {"points": data}
    if outline is not None:
        datasets["outline"] = [{"x": float(outline[0]), "y": float(outline[1])}]
        layers.append({"data": {"name": "outline"}, "mark": {"type": "point", "size": 300, "strokeWidth": 3,
                                                             "color": "#FFD400", "filled": False},
                       "encoding": {"x": {"field": "x", "type": "quantitative"},
                                    "y": {"field": "y", "type": "quantitative"}}})
    return {"height": height, "datasets": datasets, "layer": layers}


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:=])")  # Markdown specials (HTML ones are escaped by html.escape)


def _safe_label(text) -> str:
    """A label from a link or a file, inert both as HTML and as Markdown."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text)[:60])
    return _MD.sub(r"\\\1", html.escape(text, quote=False))


def _hex(color) -> str:
    """``"#rrggbb"`` from a hex string or an (r, g, b) triple of 0…255 (anything else: a neutral gray)."""
    if isinstance(color, str) and _HEX.match(color):
        return color.lower()
    try:
        r, g, b = (int(min(255, max(0, round(float(c))))) for c in color)
    except (TypeError, ValueError):
        return "#888888"
    return f"#{r:02x}{g:02x}{b:02x}"


def swatch(color) -> str:
    """A real colour swatch (a small filled square, no emoji font needed) as HTML for ``unsafe_allow_html``."""
    return (f"<span style='display:inline-block;width:0.95em;height:0.95em;background:{_hex(color)};"
            "border:1px solid rgba(0,0,0,.35);border-radius:2px;vertical-align:-0.12em;margin-right:0.35em'>"
            "</span>")


def legend(items, *, container=None, caption: bool = False) -> None:
    """One line of swatches with their labels: ``legend([("sand", "#e0c080"), ("sea", (30, 90, 200))])``.

    Labels may come from a link or a file (class names): they are escaped, never rendered as HTML or Markdown.
    """
    parts = [f"<span style='white-space:nowrap;margin-right:1em'>{swatch(color)}{_safe_label(label)}"
             "</span>" for label, color in items]
    body = "<span style='line-height:1.8'>" + " ".join(parts) + "</span>"
    if caption:
        body = f"<span style='font-size:0.875rem;color:rgba(49,51,63,.6)'>{body}</span>"
    (container or st).markdown(body, unsafe_allow_html=True)
