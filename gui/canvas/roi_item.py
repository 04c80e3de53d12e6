"""The ROI box: a dashed rectangle with corner handles (resize) and a centre handle (move).
Changes are reported once, on release, through the `on_changed` callback."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

ROI_COLOUR = QColor("#ffd23f")
HANDLE_PX = 9


class RoiHandle(QGraphicsRectItem):
    """corner: 0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left, 4 centre (move)."""

    def __init__(self, roi: RoiItem, corner: int) -> None:
        half = HANDLE_PX / 2
        super().__init__(-half, -half, HANDLE_PX, HANDLE_PX, roi)
        self.roi = roi
        self.corner = corner
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setBrush(QBrush(ROI_COLOUR if corner < 4 else QColor(255, 210, 63, 120)))
        self.setPen(QPen(QColor("black"), 1))
        self.setCursor(Qt.CursorShape.SizeAllCursor if corner == 4 else Qt.CursorShape.CrossCursor)
        self.setToolTip(QCoreApplication.translate("RoiHandle", "drag to move the ROI") if corner == 4
                        else QCoreApplication.translate("RoiHandle", "drag to resize the ROI"))
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self._press: QPointF | None = None
        self._rect0 = QRectF()

    def mousePressEvent(self, event) -> None:
        self._press = event.scenePos()
        self._rect0 = QRectF(self.roi.rect())
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if self._press is None:
            return
        p = event.scenePos()
        r = QRectF(self._rect0)
        if self.corner == 4:
            r.translate(p - self._press)
        else:
            x = p.x()
            y = p.y()
            if self.corner in (0, 3):
                r.setLeft(x)
            else:
                r.setRight(x)
            if self.corner in (0, 1):
                r.setTop(y)
            else:
                r.setBottom(y)
        self.roi.set_rect(r.normalized())

    def mouseReleaseEvent(self, event) -> None:
        if self._press is not None and self.roi.rect() != self._rect0:
            self.roi.changed()
        elif self._press is not None and self.corner == 4 and self.roi.on_click is not None:
            self.roi.on_click(event.scenePos())  # a click, not a drag: what lies under the centre handle gets it
        self._press = None


class RoiItem(QGraphicsRectItem):
    def __init__(self, on_changed: Callable[[QRectF], None]) -> None:
        super().__init__()
        self.setZValue(30)
        pen = QPen(ROI_COLOUR, 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # the body lets clicks through to add points
        self.on_changed = on_changed
        self.on_click: Callable[[QPointF], None] | None = None  # a click (no drag) on the centre handle
        self.handles = [RoiHandle(self, i) for i in range(5)]
        self.setToolTip(QCoreApplication.translate("RoiItem", "ROI box"))

    def shape(self) -> QPainterPath:
        """Only the dashed outline: hovering inside the box shows what lies under it (a square's
        critic reason, a point), not the ROI's tooltip."""
        path = QPainterPath()
        path.addRect(self.rect())
        stroker = QPainterPathStroker()
        stroker.setWidth(6)
        return stroker.createStroke(path)

    def set_rect(self, rect: QRectF) -> None:
        self.setRect(rect)
        corners = [rect.topLeft(), rect.topRight(), rect.bottomRight(), rect.bottomLeft(), rect.center()]
        for h, c in zip(self.handles, corners, strict=True):
            h.setPos(c)

    def changed(self) -> None:
        self.on_changed(self.rect())
