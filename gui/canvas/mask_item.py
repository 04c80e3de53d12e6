"""The mask overlay: a colour at an alpha, optionally with its outline drawn opaque."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem

from gui.canvas.qimage import outline, rgba_to_qimage, tint


class MaskItem(QGraphicsPixmapItem):
    def __init__(self) -> None:
        super().__init__()
        self.setZValue(10)
        self.mask: np.ndarray | None = None
        self.colour = QColor("#00c8ff")
        self.alpha = 0.45
        self.show_outline = True

    def set_mask(self, mask: np.ndarray | None) -> None:
        self.mask = None if mask is None else mask.astype(bool)
        self._render()

    def set_style(self, colour: QColor | None = None, alpha: float | None = None, show_outline: bool | None = None) -> None:
        if colour is not None:
            self.colour = colour
        if alpha is not None:
            self.alpha = float(min(max(alpha, 0.0), 1.0))
        if show_outline is not None:
            self.show_outline = show_outline
        self._render()

    def _render(self) -> None:
        if self.mask is None:
            self.setPixmap(QPixmap())
            return
        rgb = (self.colour.red(), self.colour.green(), self.colour.blue())
        rgba = tint(self.mask, rgb, int(255 * self.alpha))
        if self.show_outline:
            rgba[outline(self.mask, 2)] = (*rgb, 255)
        self.setPixmap(QPixmap.fromImage(rgba_to_qimage(rgba)))
