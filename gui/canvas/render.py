"""Mask overlays rendered to a QImage off the UI thread (QImage, unlike QPixmap, may be made on any
thread): the UI only turns the finished image into a pixmap, so a large mask never stalls it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtGui import QImage

from gui.canvas.qimage import outline, rgba_to_qimage


@dataclass(frozen=True)
class OverlayStyle:
    rgb: tuple[int, int, int] = (0, 200, 255)
    alpha: float = 0.45
    outline: bool = True

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> OverlayStyle:
        gui = settings.get("gui", {})
        hexcol = str(gui.get("overlay_colour", "#00c8ff")).lstrip("#")
        try:
            rgb = (int(hexcol[0:2], 16), int(hexcol[2:4], 16), int(hexcol[4:6], 16))
        except (ValueError, IndexError):
            rgb = cls.rgb
        return cls(rgb, float(gui.get("overlay_alpha", 0.45)), bool(gui.get("outline", True)))


def render_rgba(mask: np.ndarray, style: OverlayStyle) -> np.ndarray:
    """The overlay as RGBA: the colour at alpha inside the mask, its outline opaque. Only the mask's
    bounding box is touched, so a small object on a large image costs little."""
    h, w = mask.shape
    out = np.zeros((h, w, 4), np.uint8)
    ys = np.flatnonzero(mask.any(axis=1))
    if len(ys) == 0:
        return out
    xs = np.flatnonzero(mask.any(axis=0))
    y0, y1 = max(0, ys[0] - 1), min(h, ys[-1] + 2)
    x0, x1 = max(0, xs[0] - 1), min(w, xs[-1] + 2)
    sub = mask[y0:y1, x0:x1]
    region = out[y0:y1, x0:x1]
    region[sub] = (*style.rgb, int(255 * min(max(style.alpha, 0.0), 1.0)))
    if style.outline:
        region[outline(sub, 2)] = (*style.rgb, 255)
    return out


def render_overlay(mask: np.ndarray, style: OverlayStyle) -> QImage:
    return rgba_to_qimage(render_rgba(mask.astype(bool, copy=False), style))


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero(mask.any(axis=1))
    if len(rows) == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    h, w = mask.shape
    return max(0, rows[0] - 1), min(h, rows[-1] + 2), max(0, cols[0] - 1), min(w, cols[-1] + 2)


def render_objects(objects, selected: int | None, style: OverlayStyle, shape: tuple[int, int]) -> QImage:
    """Every visible object in its class colour (lowest z first, so the top one wins overlaps); the
    selected object at full alpha with its outline, the others fainter with a thin one. Work is
    done inside each object's bounding box only (the worker holds the GIL for numpy indexing)."""
    h, w = shape
    out = np.zeros((h, w, 4), np.uint8)
    for o in sorted(objects, key=lambda o: o.z):
        if o.mask is None or not o.visible:
            continue
        bb = _bbox(o.mask)
        if bb is None:
            continue
        y0, y1, x0, x1 = bb
        sub = o.mask[y0:y1, x0:x1].astype(bool, copy=False)
        region = out[y0:y1, x0:x1]
        sel = o.id == selected
        alpha = style.alpha if sel else style.alpha * 0.6
        region[sub] = (*o.colour, int(255 * min(max(alpha, 0.0), 1.0)))
        if style.outline:
            region[outline(sub, 2 if sel else 1)] = (*o.colour, 255 if sel else 200)
    return rgba_to_qimage(out)
