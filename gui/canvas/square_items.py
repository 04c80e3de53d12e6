"""The tangent squares of the latest round, with region 1 (inner) and region 2 (outer) tinted."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QGraphicsRectItem, QGraphicsSimpleTextItem

from gui.canvas.qimage import rgba_to_qimage

INNER_RGB = (80, 200, 120)
OUTER_RGB = (230, 80, 200)
SQUARE_COLOUR = QColor("#ffffff")


class SquareItem(QGraphicsRectItem):
    def __init__(self, anchor_id: int, x0: int, y0: int, side: int, inner: np.ndarray, reason: str = "") -> None:
        super().__init__(0, 0, side, side)
        self.anchor_id = anchor_id
        self.setPos(x0, y0)
        self.setZValue(20)
        pen = QPen(SQUARE_COLOUR, 1.5)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        tip = QCoreApplication.translate("SquareItem", "square around anchor {0}: region 1 (inner, green) / "
                                                       "region 2 (outer, magenta)").format(anchor_id)
        if reason:  # the critic's words, as they came
            tip = QCoreApplication.translate("SquareItem", "critic: {0}").format(reason) + "\n" + tip
        self.setToolTip(tip)
        rgba = np.zeros((side, side, 4), np.uint8)
        rgba[inner] = (*INNER_RGB, 70)
        rgba[~inner] = (*OUTER_RGB, 70)
        pix = QGraphicsPixmapItem(QPixmap.fromImage(rgba_to_qimage(rgba)), self)
        pix.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        tag = QGraphicsSimpleTextItem(f"S{anchor_id}", self)
        font = QFont()
        font.setPixelSize(12)
        font.setBold(True)
        tag.setFont(font)
        tag.setBrush(QBrush(SQUARE_COLOUR))
        tag.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        tag.setPos(2, 1)
