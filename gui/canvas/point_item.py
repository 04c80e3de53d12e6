"""A prompt point: green + (positive) or red - (negative); pending critic proposals dashed,
with the critic's reason as tooltip. Drag moves it, a plain click flips it, right click deletes it.
The item never edits the session itself: it reports through the scene's callbacks."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

POS_COLOUR = QColor("#2ee66b")
NEG_COLOUR = QColor("#ff3b3b")
R = 8


STATUS_NAMES = {  # the statuses as the UI shows them (the engine's values stay English)
    "pending": QT_TRANSLATE_NOOP("PointItem", "pending"),
    "accepted": QT_TRANSLATE_NOOP("PointItem", "accepted"),
    "rejected": QT_TRANSLATE_NOOP("PointItem", "rejected"),
}


def status_name(status: str) -> str:
    return QCoreApplication.translate("PointItem", STATUS_NAMES.get(status, status))


def point_tooltip(view) -> str:
    if view.source == "critic":
        tip = (QCoreApplication.translate("PointItem", "positive point (critic, {0}, confidence {1:.2f})") if view.positive
               else QCoreApplication.translate("PointItem", "negative point (critic, {0}, confidence {1:.2f})"))
        tip = tip.format(status_name(view.status), view.confidence)
    else:
        tip = (QCoreApplication.translate("PointItem", "positive point (annotator, {0})") if view.positive
               else QCoreApplication.translate("PointItem", "negative point (annotator, {0})")).format(status_name(view.status))
    if view.reason:
        tip += "\n" + view.reason  # the critic's words, as they came
    if view.moved:
        tip += "\n" + QCoreApplication.translate("PointItem", "moved by the annotator")
    if view.flipped:
        tip += "\n" + QCoreApplication.translate("PointItem", "flipped by the annotator")
    return tip


class PointItem(QGraphicsItem):
    def __init__(self, view) -> None:  # view: gui.worker.PointView
        super().__init__()
        self.point_id: str = view.id
        self.positive: bool = view.positive
        self.status: str = view.status
        self.source: str = view.source
        self.setPos(view.x, view.y)
        self.setZValue(50 if view.status != "pending" else 55)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton | Qt.MouseButton.RightButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(point_tooltip(view))
        self._press: QPointF | None = None
        if view.status == "rejected":
            self.setOpacity(0.35)
        elif view.source == "critic" and view.status == "pending":
            self.setOpacity(0.45 + 0.55 * min(max(view.confidence, 0.0), 1.0))  # a less sure proposal is fainter

    def boundingRect(self) -> QRectF:
        return QRectF(-R - 3, -R - 3, 2 * R + 6, 2 * R + 6)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        colour = POS_COLOUR if self.positive else NEG_COLOUR
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ring = QPen(QColor("white") if self.isSelected() else QColor(0, 0, 0, 200), 2.5 if self.isSelected() else 1.5)
        if self.status == "pending":
            painter.setBrush(QBrush(QColor(0, 0, 0, 150)))
            painter.setPen(QPen(QColor("white") if self.isSelected() else QColor(0, 0, 0, 160), 4))
            painter.drawEllipse(QRectF(-R, -R, 2 * R, 2 * R))
            ring = QPen(colour, 2.5, Qt.PenStyle.CustomDashLine)
            ring.setDashPattern([2.0, 1.5])
        else:
            painter.setBrush(QBrush(colour))
        painter.setPen(ring)
        painter.drawEllipse(QRectF(-R, -R, 2 * R, 2 * R))
        sign = QPen(colour if self.status == "pending" else QColor("black"), 2.2)
        painter.setPen(sign)
        painter.drawLine(QPointF(-R / 2, 0), QPointF(R / 2, 0))
        if self.positive:
            painter.drawLine(QPointF(0, -R / 2), QPointF(0, R / 2))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self.scene().request_remove([self.point_id])
            event.accept()
            return
        self._press = QPointF(self.pos())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if self._press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        start, self._press = self._press, None
        moved = (self.pos() - start).manhattanLength()
        if moved > 0.5:
            self.scene().request_move(self.point_id, self.pos().x(), self.pos().y())
        elif not event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier):
            self.scene().request_flip(self.point_id)
