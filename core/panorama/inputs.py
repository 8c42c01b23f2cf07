"""The Panorama page's inputs: its sources, which uploads to use, and the script lines that load them."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ARCHES", "MAX_IMAGES", "MAX_SIDE", "PHOTOS", "SOURCES", "SOURCE_NOTES", "pick_uploads", "script_images"]

#: Inputs of the page: the tutorial's three Arches photos, views with a known truth, a stereo pair, uploads.
SOURCES = {"arches": "Tutorial: Arches (3 photos)", "demo": "Demo views (known truth)",
           "stereo": "Stereo motorcycle", "upload": "Your photos"}
#: Photos the demo views can be cut from.
PHOTOS = ("china", "coffee", "chelsea", "astronaut", "flower", "immunohistochemistry", "camera")
#: Longest side (pixels) of the stereo pair and uploads (at most the working size); the Arches photos are 477×720.
MAX_SIDE = 720
#: The page's images at most (the uploader's extra files are ignored).
MAX_IMAGES = 3
#: The tutorial's three photos, left to right.
ARCHES = ("arches_1", "arches_2", "arches_3")

#: What the page says about its bundled inputs.
SOURCE_NOTES = {
    "arches": "The tutorial's three photos of Arches National Park (© 2014 Joshua D. Warner, CC BY 4.0), left to right",
    "stereo": "scikit-image's `stereo_motorcycle` pair: near and far objects shift by different amounts (parallax), "
              "so no single homography fits everything — expect a few ghosts",
}


def script_images(values: dict, *, shapes: Sequence[tuple] = (), names: Sequence[str] = (),
                  working_size: int = 1024) -> list[str]:
    """The parameters-block lines of ``scripts/panorama.py`` that load the images the page stitches into ``images``.

    Parameters
    ----------
    values : dict
        The page's values (``source``, and ``photo`` / ``n_views`` for the demo views).
    shapes : sequence of tuple
        Original shapes of the images (arches, stereo and uploads: a resize line follows when they are
        larger than the page's working size).
    names : sequence of str
        The uploaded files' names (``source='upload'``).
    working_size : int
        The page's working size; images are used at ``min(MAX_SIDE, working_size)`` at most.
    """
    from core.images import SAMPLE_FILES

    size = min(MAX_SIDE, working_size)

    def resized(var: str, shape) -> list[str]:
        h, w = shape[:2]
        if max(h, w) <= size:
            return []
        f = size / max(h, w)
        return [f"{var} = np.asarray(Image.fromarray({var}).resize(({round(w * f)}, {round(h * f)}), "
                f"Image.Resampling.LANCZOS, reducing_gap=3.0))  # the page works at {size} px at most"]

    source = values["source"]
    if source == "demo":
        return [f"# The demo views cut from {values['photo']!r}: save them from the page (\"Download the views\")",
                f'images: list = [io.imread(f"demo_view{{k}}.png") for k in range(1, {int(values["n_views"])} + 1)]']
    if source == "stereo":
        lines = ["from skimage import data", "image1, image2, _ = data.stereo_motorcycle()  # scikit-image's pair"]
        files = ["image1", "image2"]
    elif source == "arches":
        files = [f"image{k + 1}" for k in range(len(ARCHES))]
        lines = [f'{var} = io.imread("{SAMPLE_FILES[name]}")  # the {name!r} sample: samples/ in the app\'s repository'
                 for var, name in zip(files, ARCHES, strict=True)]
    else:
        files = [f"image{k + 1}" for k in range(len(names))]
        lines = ["from PIL import Image, ImageOps", "# Save the photos you uploaded next to this script (uploads never "
                 "travel in links)"]
        lines += [f'{var} = np.asarray(ImageOps.exif_transpose(Image.open({name!r})).convert("RGB"))'
                  for var, name in zip(files, names, strict=True)]
    extra = [line for var, shape in zip(files, shapes, strict=False) for line in resized(var, shape)]
    if extra and not any(line.startswith("from PIL import") for line in lines):
        lines.insert(0, "from PIL import Image")
    return lines + extra + [f"images: list = [{', '.join(files)}]"]


def pick_uploads(seen: Sequence[str], files: Sequence[tuple[str, str]]) -> tuple[list[int], str]:
    """Which uploaded files to use: the ones the person dropped last.

    Parameters
    ----------
    seen : sequence of str
        File ids the uploader held before this change.
    files : sequence of (file id, name)
        What the uploader holds now, in upload order.

    Returns
    -------
    used : list of int
        Indices into ``files``: the newest drop if it holds 2 or more files (its last
        :data:`MAX_IMAGES`), otherwise the last :data:`MAX_IMAGES` files; in name order (left to right).
    note : str
        What was used and what was ignored, for the page to say.
    """
    new = [k for k, (fid, _) in enumerate(files) if fid not in set(seen)]
    pool = new if len(new) >= 2 else list(range(len(files)))
    used = sorted(pool[-MAX_IMAGES:], key=lambda k: files[k][1])
    ignored = len(files) - len(used)
    note = f"Using {len(used)} photo{'s' * (len(used) != 1)} in name order (left to right): " + \
        ", ".join(files[k][1] for k in used) + "."
    if ignored:
        note += (f" {ignored} other uploaded file{'s are' if ignored > 1 else ' is'} ignored (the page stitches the "
                 f"{MAX_IMAGES} you dropped last at most); remove them from the uploader’s list.")
    return used, note
