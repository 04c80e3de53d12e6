"""The numbered anchors on the mask boundary."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsSimpleTextItem

ANCHOR_COLOUR = QColor("#ff8c1a")


class AnchorItem(QGraphicsEllipseItem):
    R = 9

    def __init__(self, anchor_id: int, x: float, y: float, selected_by_critic: bool = False) -> None:
        super().__init__(QRectF(-self.R, -self.R, 2 * self.R, 2 * self.R))
        self.anchor_id = anchor_id
        self.setPos(x, y)
        self.setZValue(40)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        fill = QColor(ANCHOR_COLOUR) if selected_by_critic else QColor(30, 30, 30, 200)
        self.setBrush(QBrush(fill))
        self.setPen(QPen(ANCHOR_COLOUR, 2))
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        tip = (QCoreApplication.translate("AnchorItem", "anchor {0} (chosen by the critic)") if selected_by_critic
               else QCoreApplication.translate("AnchorItem", "anchor {0}"))
        self.setToolTip(tip.format(anchor_id))
        label = QGraphicsSimpleTextItem(str(anchor_id), self)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(11)
        label.setFont(font)
        label.setBrush(QBrush(QColor("white")))
        br = label.boundingRect()
        label.setPos(-br.width() / 2, -br.height() / 2)
