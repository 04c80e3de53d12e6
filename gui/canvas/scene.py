"""The scene: holds the items for one image and turns mouse gestures into requests.
It never changes the session: every gesture becomes a signal the main window sends to the worker."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem, QGraphicsScene

from gui.canvas.anchor_items import AnchorItem
from gui.canvas.image_item import ImageItem
from gui.canvas.mask_item import MaskItem
from gui.canvas.point_item import PointItem
from gui.canvas.roi_item import ROI_COLOUR, RoiItem
from gui.canvas.square_items import SquareItem

MODES = ("points", "roi", "brush", "eraser")
DRAG_PX = 5  # a left press that travels further than this draws an ROI instead of adding a point


class CanvasScene(QGraphicsScene):
    box_requested = Signal(object)  # (x0, y0, x1, y1)
    point_requested = Signal(float, float, bool)  # x, y, positive
    move_requested = Signal(str, float, float)
    flip_requested = Signal(str)
    remove_requested = Signal(object)  # list of ids
    stroke_finished = Signal(object, float, bool)  # ((x, y), ...) image pixels, radius, erase?
    object_clicked = Signal(float, float)  # a click (no drag) in ROI mode: pick the object there
    mode_changed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setBackgroundBrush(QColor(40, 40, 44))  # the canvas stays dark in both themes: masks read best on it
        self.image_item = ImageItem()
        self.mask_item = MaskItem()
        self.roi_item = RoiItem(self._roi_edited)
        self.roi_item.on_click = self._centre_clicked
        self.roi_item.setVisible(False)
        for it in (self.image_item, self.mask_item, self.roi_item):
            self.addItem(it)
        self.point_items: dict[str, PointItem] = {}
        self.anchor_items: list[AnchorItem] = []
        self.square_items: list[SquareItem] = []
        self.mode = "points"
        self.brush_size = 12
        self.show_anchors = True
        self.show_squares = True
        self.image_size: tuple[int, int] = (0, 0)  # (w, h)
        self.confidence_filter = lambda point: True  # False: a proposal below the threshold, not drawn
        self._press: QPointF | None = None
        self._rubber: QGraphicsRectItem | None = None
        self._stroke: QGraphicsPathItem | None = None

    # ---- content --------------------------------------------------------------------------
    def set_image(self, image, qimage=None) -> None:
        self.image_item.set_image(image, qimage)
        h, w = image.shape[:2]
        self.image_size = (w, h)
        self.setSceneRect(QRectF(-20, -20, w + 40, h + 40))
        self.mask_item.set_mask(None)
        self.roi_item.setVisible(False)
        self._clear(self.point_items.values())
        self.point_items = {}
        self._set_anchors([], set())
        self._set_squares([])

    def set_snapshot(self, snap) -> None:  # snap: gui.worker.Snapshot
        self.mask_item.set_mask(snap.mask, snap.overlay)  # every object, rendered by the worker
        if snap.box is None:
            self.roi_item.setVisible(False)
        else:
            x0, y0, x1, y1 = snap.box
            self.roi_item.set_rect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self.roi_item.setVisible(True)
        selected = {pid for pid, it in self.point_items.items() if it.isSelected()}
        self._clear(self.point_items.values())
        self.point_items = {}
        for pv in snap.points:
            if pv.status == "rejected" and pv.source == "critic" and not self._show_rejected(snap):
                continue
            if pv.source == "critic" and not self.confidence_filter(pv):
                continue
            item = PointItem(pv)
            self.addItem(item)
            item.setSelected(pv.id in selected)
            self.point_items[pv.id] = item
        chosen = {sq.anchor_id for sq in snap.squares}
        self._set_anchors(snap.anchors, chosen)
        self._set_squares(snap.squares)

    @staticmethod
    def _show_rejected(snap) -> bool:
        # rejected proposals stay visible (faded) while their round is still open
        return bool(snap.rounds) and not snap.rounds[-1].applied

    def _set_anchors(self, anchors, chosen: set[int]) -> None:
        self._clear(self.anchor_items)
        self.anchor_items = []
        for aid, x, y in anchors:
            item = AnchorItem(aid, x, y, aid in chosen)
            item.setVisible(self.show_anchors)
            self.addItem(item)
            self.anchor_items.append(item)

    def _set_squares(self, squares) -> None:
        self._clear(self.square_items)
        self.square_items = []
        for sq in squares:
            item = SquareItem(sq.anchor_id, sq.x0, sq.y0, sq.side, sq.inner, sq.reason)
            item.setVisible(self.show_squares)
            self.addItem(item)
            self.square_items.append(item)

    def set_overlay_visible(self, anchors: bool | None = None, squares: bool | None = None) -> None:
        if anchors is not None:
            self.show_anchors = anchors
            for it in self.anchor_items:
                it.setVisible(anchors)
        if squares is not None:
            self.show_squares = squares
            for it in self.square_items:
                it.setVisible(squares)

    def _clear(self, items) -> None:
        for it in list(items):
            self.removeItem(it)

    def set_mode(self, mode: str) -> None:
        if mode in MODES and mode != self.mode:
            self.mode = mode
            self.mode_changed.emit(mode)

    def selected_point_ids(self) -> list[str]:
        return [pid for pid, it in self.point_items.items() if it.isSelected()]

    def select_point(self, point_id: str) -> None:
        for pid, it in self.point_items.items():
            it.setSelected(pid == point_id)

    # ---- requests from items ------------------------------------------------------------------
    def request_move(self, point_id: str, x: float, y: float) -> None:
        self.move_requested.emit(point_id, x, y)

    def request_flip(self, point_id: str) -> None:
        self.flip_requested.emit(point_id)

    def request_remove(self, ids: list[str]) -> None:
        self.remove_requested.emit(list(ids))

    def _roi_edited(self, rect: QRectF) -> None:
        self.box_requested.emit(self._clip_box(rect))

    def _clip_box(self, rect: QRectF) -> tuple[float, float, float, float]:
        w, h = self.image_size
        r = rect.normalized()
        return (max(0.0, r.left()), max(0.0, r.top()), min(float(w), r.right()), min(float(h), r.bottom()))

    # ---- gestures ----------------------------------------------------------------------------
    def _item_grabs(self, pos: QPointF, button: Qt.MouseButton | None = None) -> bool:
        """Whether an interactive item (a point or a ROI handle) under the cursor takes this button (a ROI
        handle takes only the left one: a right click on it is still a negative point)."""
        for it in self.items(pos):
            taken = it.acceptedMouseButtons() if button is None else it.acceptedMouseButtons() & button
            if taken != Qt.MouseButton.NoButton and it not in (self.image_item, self.mask_item):
                return True
        return False

    def mousePressEvent(self, event) -> None:
        if self.image_size == (0, 0) or (self._item_grabs(event.scenePos(), event.button()) and self.mode in ("points", "roi")):
            super().mousePressEvent(event)
            return
        pos = event.scenePos()
        if event.button() == Qt.MouseButton.LeftButton:
            self.clearSelection()
            self._press = pos
            if self.mode in ("brush", "eraser"):
                path = QPainterPath(pos)
                path.lineTo(pos + QPointF(0.01, 0.01))
                self._stroke = QGraphicsPathItem(path)
                colour = QColor(0, 200, 255, 140) if self.mode == "brush" else QColor(255, 60, 60, 140)
                pen = QPen(colour, self.brush_size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                           Qt.PenJoinStyle.RoundJoin)
                self._stroke.setPen(pen)
                self._stroke.setZValue(60)
                self.addItem(self._stroke)
            event.accept()
        elif event.button() == Qt.MouseButton.RightButton and self.mode == "points":
            if self._inside(pos):
                self.point_requested.emit(pos.x(), pos.y(), False)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._press is None:
            super().mouseMoveEvent(event)
            return
        pos = event.scenePos()
        if self._stroke is not None:
            path = self._stroke.path()
            path.lineTo(pos)
            self._stroke.setPath(path)
        elif (pos - self._press).manhattanLength() > DRAG_PX or self._rubber is not None:
            if self._rubber is None:
                self._rubber = QGraphicsRectItem()
                pen = QPen(ROI_COLOUR, 1.5, Qt.PenStyle.DashLine)
                pen.setCosmetic(True)
                self._rubber.setPen(pen)
                self._rubber.setZValue(70)
                self.addItem(self._rubber)
            self._rubber.setRect(QRectF(self._press, pos).normalized())
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if self._press is None:
            super().mouseReleaseEvent(event)
            return
        start = self._press
        self._press = None
        if self._stroke is not None:
            stroke, self._stroke = self._stroke, None
            path = stroke.path()
            points = tuple((path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount()))
            self.removeItem(stroke)
            self.stroke_finished.emit(points, max(0.5, self.brush_size / 2.0), self.mode == "eraser")
        elif self._rubber is not None:
            rect = self._rubber.rect()
            self.removeItem(self._rubber)
            self._rubber = None
            box = self._clip_box(rect)
            if box[2] - box[0] >= 2 and box[3] - box[1] >= 2:
                self.box_requested.emit(box)
        elif self.mode == "points" and self._inside(start):
            self.point_requested.emit(start.x(), start.y(), True)
        elif self.mode == "roi" and self._inside(start):
            self.object_clicked.emit(start.x(), start.y())
        event.accept()

    def _centre_clicked(self, pos: QPointF) -> None:
        """A left click on the ROI's move handle (the box centre, where the object usually is) is a click:
        a positive point in points mode, picking the object in ROI mode; a drag still moves the box."""
        if self.mode == "points" and self._inside(pos):
            self.point_requested.emit(pos.x(), pos.y(), True)
        elif self.mode == "roi" and self._inside(pos):
            self.object_clicked.emit(pos.x(), pos.y())

    def _inside(self, pos: QPointF) -> bool:
        w, h = self.image_size
        return 0 <= pos.x() < w and 0 <= pos.y() < h
