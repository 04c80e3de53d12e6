"""The mask overlay: a colour at an alpha, optionally with its outline drawn opaque. The worker
sends the overlay pre-rendered (gui.canvas.render); the item re-renders only on a style change."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem

from gui.canvas.render import OverlayStyle, render_overlay


class MaskItem(QGraphicsPixmapItem):
    def __init__(self) -> None:
        super().__init__()
        self.setZValue(10)
        self.mask: np.ndarray | None = None
        self.colour = QColor("#00c8ff")
        self.alpha = 0.45
        self.show_outline = True

    def style(self) -> OverlayStyle:
        return OverlayStyle((self.colour.red(), self.colour.green(), self.colour.blue()), self.alpha, self.show_outline)

    def set_mask(self, mask: np.ndarray | None, overlay: QImage | None = None) -> None:
        """`overlay`: the mask already rendered in this item's style (skips the rendering here)."""
        self.mask = None if mask is None else mask.astype(bool, copy=False)
        if overlay is not None:
            self.setPixmap(QPixmap.fromImage(overlay))
        else:
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
        self.setPixmap(QPixmap.fromImage(render_overlay(self.mask, self.style())))
