"""The trainable page's scribbles: each image's strokes, identified by class id (never by colour).

The drawable canvas only knows colours. :class:`ScribbleState` keeps, per image, a list of
:class:`Stroke` marks in *image* coordinates with the class id they were drawn for. The canvas
is (re)seeded from that list in the classes' current colours whenever it must show something
else than what it holds (a preset, a link, another image, a recolouring, Clear / Undo clear), and
each seed gets a fresh canvas key, so what the canvas returns always belongs to the current seed.
Recolouring a class therefore only repaints its strokes: giving class 2 the colour of class 3
and back leaves every stroke in its class.

The canvas' bin icon resets the canvas to what it was seeded with; when the canvas comes back
to a non-empty seed in a jump larger than one undo step, the state reads it as the bin and clears
the image (undoable, like Clear).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.canvas import Primitive, objects_to_primitives, rasterize_primitives
from core.canvas.objects import primitives_to_objects

__all__ = ["ClassInfo", "ImageScribbles", "ScribbleState", "Stroke", "darker", "from_objects", "same", "to_objects"]


def darker(hexa: str, factor: float = 0.5) -> str:
    """``"#rrggbb"`` darkened (the colour of a class's check strokes)."""
    r, g, b = (int(hexa[i : i + 2], 16) for i in (1, 3, 5))
    return f"#{int(r * factor):02x}{int(g * factor):02x}{int(b * factor):02x}"


@dataclass(frozen=True)
class ClassInfo:
    """One class: its id (1…K), name and colour (``#rrggbb``)."""

    id: int
    name: str
    colour: str


@dataclass(frozen=True)
class Stroke:
    """One mark: the class id it labels, whether it is a held-out check stroke, its geometry."""

    cls: int
    check: bool
    mark: Primitive  # image coordinates; mark.code == cls


@dataclass
class ImageScribbles:
    """The strokes drawn on one image (``shape`` = the working (H, W) they were drawn at)."""

    name: str
    shape: tuple[int, int]
    strokes: list[Stroke] = field(default_factory=list)
    image: np.ndarray | None = None  # kept for uploads only (samples are reloaded)
    preset: str | None = None  # the preset the strokes came from, while they are untouched
    hints: list = field(default_factory=list)  # "scribble here next" windows already suggested


def _scaled(strokes: list[Stroke], old: tuple[int, int], new: tuple[int, int]) -> list[Stroke]:
    if tuple(old) == tuple(new):
        return strokes
    f = np.array([new[1] / old[1], new[0] / old[0]])
    w = float(np.sqrt(f[0] * f[1]))
    return [Stroke(s.cls, s.check, Primitive(s.cls, s.mark.kind, s.mark.width * w, s.mark.points * f)) for s in strokes]


def same(a: list[Stroke], b: list[Stroke], tol: float = 1.0) -> bool:
    """Whether two stroke lists are the same marks (class, kind, points within ``tol`` image pixels)."""
    if len(a) != len(b):
        return False
    for s, t in zip(a, b):
        if (s.cls, s.check, s.mark.kind) != (t.cls, t.check, t.mark.kind) or abs(s.mark.width - t.mark.width) > tol:
            return False
        if s.mark.points.shape != t.mark.points.shape or np.abs(s.mark.points - t.mark.points).max(initial=0) > tol:
            return False
    return True


class ScribbleState:
    """Every image's strokes and what the canvas was last seeded with (one per session)."""

    def __init__(self) -> None:
        self.images: dict[str, ImageScribbles] = {}
        self.nonce = 0  # bumped on every reseed: part of the canvas key
        self.seeded_for: str | None = None  # the image key the current canvas seed belongs to
        self.seed: list[Stroke] = []  # the strokes the canvas was seeded with, as the canvas reads them
        self.last_report: list[Stroke] = []
        self.colours: tuple = ()  # the class colours, image shape and canvas scale the seed was drawn at
        self.undo: list[tuple[str, list[Stroke]]] = []  # snapshots taken by Clear / the bin
        self.token: str | None = None  # the stroke token last written to the link
        self.fresh = False  # the canvas has not reported since it was seeded
        self.seed_objects: list[dict] = []

    # ------------------------------------------------------------------ images
    def strokes(self, key: str, shape: tuple[int, int]) -> list[Stroke]:
        """The strokes of image ``key`` at working shape ``shape`` (rescaled if drawn at another size)."""
        entry = self.images.get(key)
        if entry is None:
            return []
        if tuple(entry.shape) != tuple(shape):
            entry.strokes, entry.shape = _scaled(entry.strokes, entry.shape, shape), tuple(shape)
        return entry.strokes

    def set_strokes(self, key: str, name: str, shape: tuple[int, int], strokes: list[Stroke],
                    image: np.ndarray | None = None) -> None:
        entry = self.images.setdefault(key, ImageScribbles(name, tuple(shape)))
        entry.shape, entry.strokes, entry.preset = tuple(shape), list(strokes), None
        if image is not None:
            entry.image = image

    def scribbled(self) -> list[str]:
        """Keys of the images with strokes of at least one class, in the order they were first drawn on."""
        return [k for k, e in self.images.items() if any(not s.check for s in e.strokes)]

    # ------------------------------------------------------------------ the canvas
    def reseed(self) -> None:
        """Make the next canvas show the stored strokes (a fresh canvas)."""
        self.nonce += 1
        self.seeded_for = None

    def canvas_seed(self, key: str, shape: tuple[int, int], classes: list[ClassInfo], scale: float) -> tuple[int, dict]:
        """``(nonce, initial_drawing)`` for image ``key``; reseeds when the image or the colours changed."""
        colours = (tuple(c.colour for c in classes), tuple(shape), float(scale))  # a new size reseeds too
        if self.seeded_for != key or colours != self.colours:
            self.nonce += 1
            self.seeded_for, self.colours = key, colours
            self.fresh = True
            self.seed_objects = to_objects(self.strokes(key, shape), classes, scale)
            self.seed = self.last_report = from_objects(self.seed_objects, classes, scale)
        # the same drawing until the next reseed: a changed initial_drawing makes the canvas reload it
        return self.nonce, {"objects": self.seed_objects}

    def read_canvas(self, key: str, name: str, shape: tuple[int, int], objects: list, classes: list[ClassInfo],
                    scale: float, image: np.ndarray | None = None) -> str:
        """Store what the canvas holds; returns ``"same"``, ``"changed"`` or ``"bin"`` (cleared by the bin icon)."""
        strokes = from_objects(objects, classes, scale)
        if self.fresh and [(s.cls, s.check, s.mark.kind) for s in strokes] == [
                (s.cls, s.check, s.mark.kind) for s in self.seed]:
            # the canvas' first report of its seed, in Fabric's own numbers: the same strokes
            self.fresh, self.seed, self.last_report = False, strokes, strokes
            return "same"
        self.fresh = False
        previous, self.last_report = self.last_report, strokes
        if same(strokes, previous):
            return "same"
        one_undo = len(previous) == len(strokes) + 1 and same(previous[: len(strokes)], strokes)
        back_to_seed = (self.seed and same(strokes, self.seed)) or (not strokes and previous)
        if back_to_seed and not one_undo:
            self.clear(key, name, shape)
            return "bin"
        self.set_strokes(key, name, shape, strokes, image)
        return "changed"

    # ------------------------------------------------------------------ edits
    def clear(self, key: str, name: str, shape: tuple[int, int]) -> None:
        """Remove every stroke of image ``key`` (undoable with :meth:`undo_clear`)."""
        self.undo.append((key, list(self.strokes(key, shape))))
        self.set_strokes(key, name, shape, [])
        self.reseed()

    def undo_clear(self) -> str | None:
        """Bring back the strokes of the last Clear; returns the image key they belong to."""
        if not self.undo:
            return None
        key, strokes = self.undo.pop()
        self.images[key].strokes = strokes
        self.reseed()
        return key

    def remove_class(self, cls: int) -> None:
        """Drop class ``cls``'s strokes on every image; later classes move down one id."""
        for entry in self.images.values():
            entry.strokes = [Stroke(s.cls - (s.cls > cls), s.check,
                                    Primitive(s.cls - (s.cls > cls), s.mark.kind, s.mark.width, s.mark.points))
                             for s in entry.strokes if s.cls != cls]
        self.undo.clear()
        self.reseed()

    # ------------------------------------------------------------------ labels
    def labels(self, key: str, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """``(train, check)`` label images (int32, 0 = unlabelled, k = class k) of image ``key``."""
        strokes = self.strokes(key, shape)
        train = rasterize_primitives([s.mark for s in strokes if not s.check], shape[:2])
        check = rasterize_primitives([s.mark for s in strokes if s.check], shape[:2])
        return train.astype(np.int32), check.astype(np.int32)


def _lookup(classes: list[ClassInfo]) -> tuple[dict[str, int], list[tuple[int, bool]]]:
    """Canvas colour → index into the (class id, check) list, for reading the canvas."""
    kinds = [(c.id, False) for c in classes] + [(c.id, True) for c in classes]
    colours = [c.colour for c in classes] + [darker(c.colour) for c in classes]
    return {colour: i + 1 for i, colour in enumerate(colours)}, kinds


def from_objects(objects: list, classes: list[ClassInfo], scale: float) -> list[Stroke]:
    """Canvas objects (in the classes' colours) → strokes in image coordinates."""
    lookup, kinds = _lookup(classes)
    out = []
    for prim in objects_to_primitives(objects, lookup, scale):
        cls, check = kinds[prim.code - 1]
        out.append(Stroke(cls, check, Primitive(cls, prim.kind, prim.width, prim.points)))
    return out


def to_objects(strokes: list[Stroke], classes: list[ClassInfo], scale: float) -> list[dict]:
    """Strokes → canvas objects in the classes' current colours (check strokes darker)."""
    colour = {c.id: c.colour for c in classes}
    out = []
    for s in strokes:
        if s.cls in colour:
            out += primitives_to_objects([s.mark], {s.cls: darker(colour[s.cls]) if s.check else colour[s.cls]}, scale)
    return out
