"""'Reproduce in Python' recipes: one module per page.

A recipe is a module ``core/recipes/<page>.py`` with ``script(values: dict) -> str``:
given the page's ``ps.values()`` (plus what the page adds, e.g. ``working_size``),
it returns a short, runnable script — numpy, scikit-image, scikit-learn (pandas
where a table is shown), never an import of this project — that recomputes what
the page shows and ends with the final output bound to a variable named
``result``. The tests run each script in a fresh interpreter and compare
``result`` with what ``core`` gives.

This package holds the pieces every recipe shares, so that they are written once:

- :func:`require` — the check that every page value the script depends on is
  given (and, optionally, that no unknown value is): a parameter added to a page
  cannot silently be missing from its snippet.
- :func:`image_block` — the code that loads the bundled sample (or the uploaded
  file) and fits it to the working size exactly as
  :func:`core.images.fit_working_size` does, optionally converted to RGB or gray.
- :func:`sample_code`, :func:`fit_function` — its parts, for scripts that load a
  photo without fitting it or fit several images.
- :func:`header` — the import lines at the top of a script.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from core.images import MIN_SIDE

__all__ = ["fit_function", "header", "image_block", "require", "sample_code", "working_size"]

#: Samples that come from scikit-learn (``sklearn.datasets.load_sample_image``), not ``skimage.data``.
SKLEARN_SAMPLES = ("china", "flower")

#: The conversions :func:`image_block` can append, and the skimage modules each needs.
_CONVERSIONS: dict[str | None, tuple[str, set[str]]] = {
    None: ("", set()),
    "rgb": (
        "if image.ndim == 2:  # a gray image: three equal channels\n"
        "    image = np.stack([image] * 3, axis=-1)\n",
        set(),
    ),
    "gray": (
        "gray = color.rgb2gray(image) if image.ndim == 3 else util.img_as_float(image)  # floats in [0, 1]\n",
        {"color", "util"},
    ),
    "gray_ubyte": (
        "# Gray levels 0…255: colour images go through rgb2gray (0.2125 R + 0.7154 G + 0.0721 B)\n"
        "gray = image if image.ndim == 2 else util.img_as_ubyte(color.rgb2gray(image))\n",
        {"color", "util"},
    ),
}


def require(values: dict, required: Iterable[str], optional: Iterable[str] | None = None) -> None:
    """Refuse page values a recipe cannot reproduce.

    Parameters
    ----------
    values : dict
        The values given to ``script``.
    required : iterable of str
        The page values the script depends on.
    optional : iterable of str, optional
        The other values the script accepts. When given, any value that is
        neither required nor optional is refused too.

    Raises
    ------
    KeyError
        Naming the missing (or unknown) values.
    """
    required = tuple(required)
    missing = [name for name in required if name not in values]
    if missing:
        raise KeyError(f"script() needs the page values {missing}")
    if optional is not None:
        known = set(required) | set(optional)
        unknown = [name for name in values if name not in known]
        if unknown:  # a parameter added to the page must be added to its script too
            raise KeyError(f"script() does not know the page values {unknown}; teach the recipe about them")


def working_size(values: dict, default: int = 1024) -> int:
    """The longest side (pixels) the page works at: ``values["working_size"]``, else ``default``."""
    return int(values.get("working_size", default))


def sample_code(name: str, var: str = "image") -> tuple[str, set[str], set[str]]:
    """One line that loads the bundled sample ``name`` (at its original size) into ``var``.

    Returns ``(code, skimage modules, extra import lines)``.
    """
    if name in SKLEARN_SAMPLES:
        return (f'{var} = load_sample_image("{name}.jpg")  # the {name!r} sample\n', set(),
                {"from sklearn.datasets import load_sample_image"})
    return f"{var} = data.{name}()  # the {name!r} sample\n", {"data"}, set()


def _resize_lines(var: str, size: str, indent: str) -> str:
    """The Lanczos downscale of ``var`` to a longest side of ``size`` (an expression), as the page does it."""
    return "".join(indent + line + "\n" for line in (
        f"f = {size} / max({var}.shape[:2])",
        f"h, w = {var}.shape[:2]",
        f"new = (max(min(w, {MIN_SIDE}), round(w * f)), max(min(h, {MIN_SIDE}), round(h * f)))"
        f"  # the short side keeps ≥ {MIN_SIDE} px",
        f"{var} = np.asarray(Image.fromarray({var}).resize(new, Image.Resampling.LANCZOS, reducing_gap=3.0))",
    ))


def fit_function(size: int) -> str:
    """A ``def fit(image, size=size)`` that downscales as the page does (for scripts fitting several images).

    The script needs ``from PIL import Image`` (see :func:`image_block`'s extra imports).
    """
    return (
        f"def fit(image, size={size}):  # the page works at a longest side of {size} px (Lanczos)\n"
        "    if max(image.shape[:2]) <= size:\n"
        "        return image\n"
        + _resize_lines("image", "size", "    ")
        + "    return image\n"
    )


def image_block(name: str, size: int, *, convert: str | None = None) -> tuple[str, set[str], set[str]]:
    """Code that loads the image the page works on, as ``image`` (uint8), fitted to the working size.

    ``name`` is a sample name or ``"upload"`` (the script then reads
    ``your_image.png`` and composites transparency on white, as the page does);
    images larger than ``size`` are downscaled exactly as
    :func:`core.images.fit_working_size` does.

    Parameters
    ----------
    name : str
        A key of :data:`core.images.SAMPLES`, or ``"upload"``.
    size : int
        The working size (longest side, pixels).
    convert : {None, "rgb", "gray", "gray_ubyte"}, optional
        ``"rgb"``: gray images become ``(H, W, 3)``; ``"gray"``: also define
        ``gray``, float64 ``(H, W)`` in [0, 1] (= :func:`core.images.to_gray`);
        ``"gray_ubyte"``: also define ``gray``, uint8 ``(H, W)`` in 0…255.

    Returns
    -------
    code : str
    modules : set of str
        The ``skimage`` submodules the code uses.
    extra : set of str
        Other import lines it needs.
    """
    if convert not in _CONVERSIONS:
        raise ValueError(f"convert must be one of {list(_CONVERSIONS)}; got {convert!r}.")
    if name == "upload":
        code = (
            'image = io.imread("your_image.png")  # the file you uploaded (it is not part of the link)\n'
            "if image.ndim == 3 and image.shape[-1] in (2, 4):  # transparency: composite on white, as the page does\n"
            "    alpha = image[..., -1:] / 255.0\n"
            "    image = np.round(image[..., :-1] * alpha + 255.0 * (1 - alpha)).astype(np.uint8).squeeze()\n"
        )
        modules, extra = {"io"}, set()
    else:
        code, modules, extra = sample_code(name)
    code += f"if max(image.shape[:2]) > {size}:  # the page works at a longest side of {size} px\n"
    code += _resize_lines("image", str(size), "    ")
    conversion, needs = _CONVERSIONS[convert]
    return code + conversion, modules | needs, extra | {"from PIL import Image"}


def header(modules: Iterable[str] = (), *lines: str, docstring: str | None = None) -> str:
    """The import header of a script, ending with a newline.

    ``import …`` lines first (``import numpy as np`` always), then ``from …``
    lines, each group sorted with the standard library first; ``modules`` (skimage submodules) become one
    ``from skimage import …`` line. ``docstring``, if given, goes first.
    """
    imports = {"import numpy as np", *lines}
    modules = sorted(set(modules))
    if modules:
        imports.add(f"from skimage import {', '.join(modules)}")
    def key(line: str) -> tuple[bool, str]:  # the standard library first, as isort does
        return line.split()[1].split(".")[0] not in sys.stdlib_module_names, line

    plain = sorted((line for line in imports if line.startswith("import ")), key=key)
    froms = sorted((line for line in imports if not line.startswith("import ")), key=key)
    top = [f'"""{docstring}"""'] if docstring else []
    return "\n".join(top + plain + froms) + "\n"
