"""Brush and eraser: a stroke drawn on the canvas becomes a pixel mask that is OR-ed into
(brush) or cut out of (eraser) the current mask. Painting only; no model is involved."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

from gui.canvas.qimage import qimage_to_gray


def rasterize_stroke(path: QPainterPath, width: float, image_w: int, image_h: int) -> np.ndarray:
    """The pixels covered by `path` stroked with a round pen of `width` image pixels."""
    img = QImage(image_w, image_h, QImage.Format.Format_Grayscale8)
    img.fill(0)
    painter = QPainter(img)
    pen = QPen(QColor(255, 255, 255), max(float(width), 1.0), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.drawPath(path)
    painter.end()
    return qimage_to_gray(img) > 127


def apply_stroke(mask: np.ndarray, stroke: np.ndarray, erase: bool) -> np.ndarray:
    return (mask & ~stroke) if erase else (mask | stroke)
