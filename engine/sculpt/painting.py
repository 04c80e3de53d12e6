"""Brush and eraser strokes on an object's mask, and how they survive the next segmenter call.

Rule (documented in /work/coord/image_session_api.md and the README):
- a brush stroke adds its pixels to the mask, an eraser stroke removes them; both are remembered
  in two layers, `painted_on` and `painted_off` (the later stroke wins where they cross);
- the next segmenter call (a click, a moved point, a round) takes the painted mask as its mask
  prompt (`mask_prompt`) and the result keeps every painted pixel: (prediction | on) & ~off;
- "re-run from the box" (RerunFromBox / refine(from_box=True)) forgets the painted layers and the
  mask prompt: the segmenter starts again from the box and the points alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np


@dataclass(frozen=True)
class Stroke:
    """A polyline in image pixels with a brush radius; erase=True removes pixels."""

    points: tuple[tuple[float, float], ...]
    radius: float
    erase: bool = False
    when: float = 0.0  # time.time() of the stroke (provenance)

    def to_dict(self) -> dict[str, Any]:
        return {"points": [[round(x, 2), round(y, 2)] for x, y in self.points], "radius": round(float(self.radius), 2),
                "erase": self.erase, "when": round(self.when, 3)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Stroke:
        return cls(tuple((float(x), float(y)) for x, y in d.get("points", [])), float(d.get("radius", 1.0)),
                   bool(d.get("erase", False)), float(d.get("when", 0.0)))


def rasterise(stroke: Stroke | Sequence[tuple[float, float]], shape: tuple[int, int], radius: float | None = None) -> np.ndarray:
    """The pixels a stroke covers: bool (H, W)."""
    pts = stroke.points if isinstance(stroke, Stroke) else tuple(stroke)
    r = stroke.radius if isinstance(stroke, Stroke) else float(radius or 1.0)
    out = np.zeros(shape, np.uint8)
    if not pts:
        return out.astype(bool)
    ri = max(1, int(round(r)))
    xy = [(int(round(x)), int(round(y))) for x, y in pts]
    cv2.circle(out, xy[0], ri, 1, -1)
    for a, b in zip(xy, xy[1:], strict=False):
        cv2.line(out, a, b, 1, thickness=2 * ri, lineType=cv2.LINE_8)
        cv2.circle(out, b, ri, 1, -1)
    return out.astype(bool)


@dataclass
class PaintLayers:
    """What the annotator painted since the last re-run from the box."""

    on: np.ndarray | None = None  # bool (H, W): brushed pixels
    off: np.ndarray | None = None  # bool (H, W): erased pixels
    strokes: list[Stroke] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.on is not None or self.off is not None

    def add(self, stroke: Stroke, covered: np.ndarray) -> None:
        shape = covered.shape
        on = self.on if self.on is not None else np.zeros(shape, bool)
        off = self.off if self.off is not None else np.zeros(shape, bool)
        if stroke.erase:
            off, on = off | covered, on & ~covered
        else:
            on, off = on | covered, off & ~covered
        self.on, self.off = on, off  # new arrays: snapshots may hold the old ones
        self.strokes = [*self.strokes, stroke]

    def keep(self, mask: np.ndarray) -> np.ndarray:
        """A segmenter's mask with the painted pixels kept."""
        out = mask
        if self.on is not None:
            out = out | self.on
        if self.off is not None:
            out = out & ~self.off
        return out

    def clear(self) -> None:
        self.on = self.off = None


def apply_stroke(mask: np.ndarray, stroke: Stroke) -> tuple[np.ndarray, np.ndarray]:
    """(new mask, covered pixels) - never modifies `mask` in place."""
    covered = rasterise(stroke, mask.shape)
    new = (mask & ~covered) if stroke.erase else (mask | covered)
    return new, covered


def mask_prompt(segmenter: Any, mask: np.ndarray) -> np.ndarray | None:
    """The segmenter's own mask-prompt form of `mask` (its prev_logits), or None when it takes none.
    A segmenter opts in with a `mask_prompt(mask) -> logits` method."""
    fn = getattr(segmenter, "mask_prompt", None)
    if fn is None:
        return None
    try:
        return fn(mask)
    except Exception:  # noqa: BLE001 - a prompt is an optimisation; painted pixels are kept regardless
        return None
