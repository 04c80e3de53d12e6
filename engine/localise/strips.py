"""The prototype's strip grid: the image cut into N numbered horizontal (rows) or vertical (columns)
strips; the strips named for each axis intersect into the ROI box."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from engine.types import Box

N_STRIPS = 9
LINE_RGB = (255, 40, 40)
LABEL_BG = (0, 0, 0)
LABEL_FG = (255, 255, 255)


def strip_edges(length: int, n: int = N_STRIPS) -> list[int]:
    return [round(i * length / n) for i in range(n + 1)]


def render_strips(image: np.ndarray, axis: str, n: int = N_STRIPS) -> np.ndarray:
    """A copy of the image with n numbered strips; axis 'horizontal' = rows, 'vertical' = columns."""
    if axis not in ("horizontal", "vertical"):
        raise ValueError(f"axis must be horizontal or vertical, not {axis!r}")
    out = image.copy()
    h, w = out.shape[:2]
    thick = max(1, round(max(h, w) / 400))
    scale = max(0.4, min(h, w) / n / 40)
    edges = strip_edges(h if axis == "horizontal" else w, n)
    for i in range(n):
        a, b = edges[i], edges[i + 1]
        if axis == "horizontal":
            if i:
                cv2.line(out, (0, a), (w - 1, a), LINE_RGB, thick)
            centre = (max(12, int(18 * scale)), (a + b) // 2)
        else:
            if i:
                cv2.line(out, (a, 0), (a, h - 1), LINE_RGB, thick)
            centre = ((a + b) // 2, max(12, int(18 * scale)))
        _label(out, str(i + 1), centre, scale)
    return out


def _label(img: np.ndarray, text: str, centre: tuple[int, int], scale: float) -> None:
    font = cv2.FONT_HERSHEY_SIMPLEX
    thickness = max(1, round(scale * 2))
    (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    x, y = centre[0] - tw // 2, centre[1] + th // 2
    pad = max(2, th // 3)
    cv2.rectangle(img, (x - pad, y - th - pad), (x + tw + pad, y + pad), LABEL_BG, -1)
    cv2.putText(img, text, (x, y), font, scale, LABEL_FG, thickness, cv2.LINE_AA)


def strips_to_box(rows: Sequence[int], cols: Sequence[int], width: int, height: int, n: int = N_STRIPS) -> Box:
    """The box spanned by the named rows (horizontal strips) and columns (vertical strips), 1-based."""
    ys, xs = strip_edges(height, n), strip_edges(width, n)
    return Box(float(xs[min(cols) - 1]), float(ys[min(rows) - 1]), float(xs[max(cols)]), float(ys[max(rows)]))
