"""FrameView: one frame at scale 1/`scale` with the prompts of its objects drawn on it (each object in its DAVIS
palette colour): boxes, clicks (green positive, red negative, ringed in the object's colour), painted masks
(translucent), the critic's pending proposals (hollow, numbered) and the brush cursor.

Mouse, mode "prompt": a left drag draws the current object's box; a left click is a positive click, a right click
(or Shift+click) a negative one. Mode "brush" / "eraser": a left drag paints / erases the current object's mask
(a right drag in brush mode erases). Coordinates are emitted in frame pixels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from engine.video.prompts import davis_palette
from gui.canvas.qimage import rgb_to_qimage, rgba_to_qimage
from gui.video.prompt_state import FramePrompt

DRAG_PX = 3  # a press-release farther apart than this (widget px, both axes) is a box, not a click


_PALETTE = np.array(davis_palette(), np.uint8).reshape(256, 3)  # the DAVIS colour of each object id


def palette_rgb(obj_id: int) -> tuple[int, int, int]:
    r, g, b = _PALETTE[int(obj_id) % 256]
    return int(r), int(g), int(b)


def overlay(rgb: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
    """Frame with each object tinted by its DAVIS palette colour."""
    if ids is None or not ids.any():
        return rgb
    out = rgb.astype(np.float32)
    m = ids > 0
    out[m] = out[m] * 0.5 + _PALETTE[ids[m]] * 0.5
    return out.astype(np.uint8)


def _pixmap(rgb: np.ndarray) -> QPixmap:
    return QPixmap.fromImage(rgb_to_qimage(rgb))


def _mask_image(masks: dict[int, np.ndarray], shape: tuple[int, int], alpha: int = 150) -> QImage | None:
    if not masks:
        return None
    rgba = np.zeros((*shape, 4), np.uint8)
    for obj_id, m in sorted(masks.items()):
        if m.shape == shape:
            rgba[m] = (*palette_rgb(obj_id), alpha)
    return rgba_to_qimage(rgba) if rgba[..., 3].any() else None


class FrameView(QLabel):
    box_drawn = Signal(float, float, float, float)
    point_clicked = Signal(float, float, bool)  # x, y (frame px), positive
    stroke_drawn = Signal(object, bool)  # [(x, y), ...] in frame px, erase

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a click on the frame takes the keys from a text field
        self.scale = 1.0
        self.mode = "prompt"  # prompt | brush | eraser
        self.radius = 6.0  # brush radius, frame px
        self.box: tuple[float, float, float, float] | None = None  # the last box drawn
        self.boxes: list[tuple[float, float, float, float]] = []  # the boxes shown on this frame
        self.prompts: dict[int, FramePrompt] = {}
        self.current_id = 1
        self.pending: list[tuple[float, float, int]] = []  # the critic's proposals awaiting a decision
        self._masks: QImage | None = None
        self._shape: tuple[int, int] = (0, 0)
        self._press: tuple[QPoint, Qt.MouseButton, bool] | None = None
        self._drag: QRect | None = None
        self._stroke: list[QPointF] = []
        self._stroke_erase = False
        self._cursor: QPointF | None = None

    # ---- content -----------------------------------------------------------------------------------
    def show_frame(self, rgb: np.ndarray, max_side: int = 720) -> None:
        h, w = rgb.shape[:2]
        self._shape = (h, w)
        self.scale = max(1.0, max(h, w) / max_side)
        pm = _pixmap(rgb)
        if self.scale > 1:
            pm = pm.scaled(int(w / self.scale), int(h / self.scale), Qt.AspectRatioMode.KeepAspectRatio,
                           Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(pm)
        self.setFixedSize(pm.size())

    def set_prompts(self, prompts: dict[int, FramePrompt], current_id: int,
                    pending: list[tuple[float, float, int]] | None = None) -> None:
        self.prompts, self.current_id = dict(prompts), current_id
        self.pending = list(pending or [])
        self.boxes = [p.box for _, p in sorted(self.prompts.items()) if p.box is not None]
        self._masks = _mask_image({i: p.mask for i, p in self.prompts.items() if p.mask is not None}, self._shape)
        self.update()

    # ---- mouse -------------------------------------------------------------------------------------
    def _frame_xy(self, pos: QPointF) -> tuple[float, float]:
        return float(pos.x()) * self.scale, float(pos.y()) * self.scale

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        shift = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if self.mode == "prompt":
            if ev.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
                self._press = (ev.position().toPoint(), ev.button(), shift)
        elif ev.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            self._stroke = [ev.position()]
            self._stroke_erase = self.mode == "eraser" or ev.button() == Qt.MouseButton.RightButton
            self.update()

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        self._cursor = ev.position()
        if self._press is not None and self._press[1] == Qt.MouseButton.LeftButton:
            self._drag = QRect(self._press[0], ev.position().toPoint()).normalized()
        elif self._stroke:
            self._stroke.append(ev.position())
        self.update()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        if self._stroke:
            pts = [self._frame_xy(p) for p in [*self._stroke, ev.position()]]
            self._stroke = []
            self.stroke_drawn.emit(pts, self._stroke_erase)
            self.update()
            return
        if self._press is None:
            return
        start, button, shift = self._press
        end = ev.position().toPoint()
        self._press, self._drag = None, None
        r = QRect(start, end).normalized()
        if button == Qt.MouseButton.LeftButton and r.width() > DRAG_PX and r.height() > DRAG_PX:
            s = self.scale
            self.box = (r.left() * s, r.top() * s, (r.right() + 1) * s, (r.bottom() + 1) * s)
            self.box_drawn.emit(*self.box)
        elif abs(end.x() - start.x()) <= DRAG_PX and abs(end.y() - start.y()) <= DRAG_PX:
            x, y = self._frame_xy(QPointF(start))
            self.point_clicked.emit(x, y, button == Qt.MouseButton.LeftButton and not shift)
        self.update()

    def leaveEvent(self, ev) -> None:
        self._cursor = None
        self.update()
        super().leaveEvent(ev)

    # ---- drawing -----------------------------------------------------------------------------------
    def _w(self, v: float) -> float:
        return v / self.scale

    def paintEvent(self, ev) -> None:
        super().paintEvent(ev)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._masks is not None:
            p.drawImage(QRectF(0, 0, self.width(), self.height()), self._masks)
        for obj_id, fp in sorted(self.prompts.items()):
            colour = QColor(*palette_rgb(obj_id))
            if fp.box is not None:
                x0, y0, x1, y1 = fp.box
                p.setPen(QPen(colour, 3 if obj_id == self.current_id else 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(self._w(x0), self._w(y0), self._w(x1 - x0), self._w(y1 - y0)))
            for x, y, lab in fp.points:
                p.setPen(QPen(colour, 2))
                p.setBrush(QBrush(QColor(40, 220, 60) if lab else QColor(230, 40, 40)))
                p.drawEllipse(QPointF(self._w(x), self._w(y)), 5, 5)
        for n, (x, y, lab) in enumerate(self.pending, 1):
            pen = QPen(QColor(40, 220, 60) if lab else QColor(230, 40, 40), 2, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            c = QPointF(self._w(x), self._w(y))
            p.drawEllipse(c, 7, 7)
            p.drawText(c + QPointF(8, -6), str(n))
        if self._drag is not None:
            p.setPen(QPen(QColor(*palette_rgb(self.current_id)), 2, Qt.PenStyle.DashLine))
            p.drawRect(self._drag)
        if self.mode != "prompt" and self._cursor is not None:
            p.setPen(QPen(QColor(255, 255, 255), 1, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(self._cursor, self._w(self.radius), self._w(self.radius))
        if len(self._stroke) > 1:
            p.setPen(QPen(QColor(255, 255, 255, 160), max(1.0, 2 * self._w(self.radius)),
                          Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            for a, b in zip(self._stroke, self._stroke[1:], strict=False):
                p.drawLine(a, b)
        p.end()
