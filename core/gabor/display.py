"""Pictures of Gabor kernels and responses, as uint8 arrays (pure numpy: the page and the batch command share them)."""

from __future__ import annotations

import numpy as np

__all__ = ["gray_u8", "kernel_gallery", "kernel_u8", "tile"]


def gray_u8(a: np.ndarray, vmin: float | None = None, vmax: float | None = None) -> np.ndarray:
    """``a`` scaled to uint8 0…255 over ``[vmin, vmax]`` (default: its own range), clipped; shape unchanged."""
    a = np.asarray(a, dtype=np.float64)
    vmin = float(a.min()) if vmin is None else vmin
    vmax = float(a.max()) if vmax is None else vmax
    return (np.clip((a - vmin) / ((vmax - vmin) or 1.0), 0, 1) * 255).astype(np.uint8)


def kernel_u8(k: np.ndarray, size: int = 160) -> np.ndarray:
    """A real kernel part as gray (0 = mid-gray), enlarged by whole pixels to about ``size`` px (nearest)."""
    k = np.asarray(k, dtype=np.float64)
    m = float(np.abs(k).max()) or 1.0
    u = ((k / m) * 127.5 + 127.5).clip(0, 255).astype(np.uint8)
    rep = max(1, size // max(k.shape))
    return np.repeat(np.repeat(u, rep, axis=0), rep, axis=1)


def tile(images: list[np.ndarray], cols: int, gap: int = 4) -> np.ndarray:
    """Same-size uint8 gray images in a grid of ``cols`` columns with white gaps, shape ``(rows·h, cols·w)``."""
    h, w = images[0].shape
    rows = -(-len(images) // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), 255, np.uint8)
    for i, a in enumerate(images):
        r, c = divmod(i, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = a
    return out


def kernel_gallery(kernels: list[np.ndarray], cols: int, width: int = 400) -> np.ndarray:
    """Real parts of kernels at one pixel scale, each centred in a mid-gray square, tiled and enlarged to ~width."""
    parts = [kernel_u8(np.real(k), 1) for k in kernels]
    side = max(max(p.shape) for p in parts)
    boxed = []
    for p in parts:
        box = np.full((side, side), 128, np.uint8)
        r0, c0 = (side - p.shape[0]) // 2, (side - p.shape[1]) // 2
        box[r0:r0 + p.shape[0], c0:c0 + p.shape[1]] = p
        boxed.append(box)
    gallery = tile(boxed, cols, gap=max(2, side // 20))
    rep = max(1, width // gallery.shape[1])
    return np.repeat(np.repeat(gallery, rep, axis=0), rep, axis=1)
