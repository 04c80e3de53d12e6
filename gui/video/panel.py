"""VideoPanel: frame slider, a frame view where a drag draws the object's box, Propagate / Cancel with a progress
bar, and the result masks overlaid while scrubbing. Strings go through self.tr()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from gui.video.job import PropagateJob, start


def _pixmap(rgb: np.ndarray) -> QPixmap:
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QPixmap.fromImage(QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy())


def overlay(rgb: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
    """Frame with each object tinted by its DAVIS palette colour."""
    if ids is None or not ids.any():
        return rgb
    from engine.video.prompts import davis_palette

    pal = np.array(davis_palette(), np.float32).reshape(256, 3)
    out = rgb.astype(np.float32)
    m = ids > 0
    out[m] = out[m] * 0.5 + pal[ids[m]] * 0.5
    return out.astype(np.uint8)


class FrameView(QLabel):
    """Shows one frame at scale 1/`scale`; a left drag draws a box (in frame pixels)."""

    box_drawn = Signal(float, float, float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scale = 1.0
        self.box: tuple[float, float, float, float] | None = None  # the last box drawn
        self.boxes: list[tuple[float, float, float, float]] = []  # every object's box on the prompt frame
        self._start: QPoint | None = None
        self._drag: QRect | None = None

    def show_frame(self, rgb: np.ndarray, max_side: int = 720) -> None:
        h, w = rgb.shape[:2]
        self.scale = max(1.0, max(h, w) / max_side)
        pm = _pixmap(rgb)
        if self.scale > 1:
            pm = pm.scaled(int(w / self.scale), int(h / self.scale), Qt.AspectRatioMode.KeepAspectRatio,
                           Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(pm)
        self.setFixedSize(pm.size())

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self._start = ev.position().toPoint()

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        if self._start is not None:
            self._drag = QRect(self._start, ev.position().toPoint()).normalized()
            self.update()

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        if self._start is None:
            return
        r = QRect(self._start, ev.position().toPoint()).normalized()
        self._start, self._drag = None, None
        if r.width() > 2 and r.height() > 2:
            s = self.scale
            self.box = (r.left() * s, r.top() * s, (r.right() + 1) * s, (r.bottom() + 1) * s)
            self.box_drawn.emit(*self.box)
        self.update()

    def paintEvent(self, ev) -> None:
        super().paintEvent(ev)
        rects = [QRect(int(x0 / self.scale), int(y0 / self.scale), int((x1 - x0) / self.scale),
                       int((y1 - y0) / self.scale)) for x0, y0, x1, y1 in self.boxes]
        if self._drag is not None:
            rects.append(self._drag)
        if rects:
            p = QPainter(self)
            p.setPen(QPen(Qt.GlobalColor.yellow, 2))
            for r in rects:
                p.drawRect(r)
            p.end()


class VideoPanel(QWidget):
    propagated = Signal(str)  # the output folder, when a propagation completes

    def __init__(self, settings: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or {}
        self.source: Any = None
        self.frames_dir: Path | None = None
        self.out_root: Path | None = None
        self.result_dir: Path | None = None
        self.prompt_frame = 0
        self.first_prompt: int | None = None  # the prompt frame of the track in result_dir
        self.objects: dict[int, tuple[tuple[float, float, float, float], str]] = {}  # id -> (box, label)
        self.current_id = 1
        self.job: PropagateJob | None = None
        self.thread: Any = None
        self.view = FrameView(self)
        self.view.box_drawn.connect(self._on_box)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.valueChanged.connect(self.show_frame)
        self.frame_label = QLabel(self)
        self.tracker = QComboBox(self)
        self.tracker.addItem(self.tr("SAM 2"), "sam2-video")
        self.tracker.addItem(self.tr("EdgeTAM"), "edgetam-video")
        self.propagate_button = QPushButton(self.tr("Propagate"), self)
        self.propagate_button.clicked.connect(self.propagate)
        self.new_object_button = QPushButton(self.tr("New object"), self)
        self.new_object_button.clicked.connect(self.new_object)
        self.label_edit = QLineEdit(self.tr("object"), self)
        self.correct_button = QPushButton(self.tr("Re-propagate from this frame"), self)
        self.correct_button.clicked.connect(lambda: self.propagate(correct=True))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.bar = QProgressBar(self)
        self.status = QLabel(self.tr("Open a folder of frames"), self)
        row = QHBoxLayout()
        for w in (self.slider, self.frame_label):
            row.addWidget(w)
        actions = QHBoxLayout()
        for w in (self.label_edit, self.new_object_button, self.tracker, self.propagate_button, self.correct_button,
                  self.cancel_button, self.bar):
            actions.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view)
        lay.addLayout(row)
        lay.addLayout(actions)
        lay.addWidget(self.status)
        self._update_buttons()

    # ---- frames ------------------------------------------------------------------------------------
    def open_folder(self, folder: Path, out_root: Path | None = None) -> None:
        from engine.video.frames import open_frames

        self.source = open_frames(Path(folder))
        self.frames_dir = Path(folder)
        self.out_root = Path(out_root) if out_root else Path(folder).parent / "track"
        self.result_dir = None
        self.first_prompt = None
        self.objects, self.current_id = {}, 1
        self.view.box, self.view.boxes = None, []
        self.slider.setRange(0, len(self.source) - 1)
        self.slider.setValue(0)
        self.show_frame(0)
        self.status.setText(self.tr("{0}: drag a box on a frame, then Propagate").format(self.source.describe()))
        self._update_buttons()

    def result_ids(self, index: int) -> np.ndarray | None:
        if self.result_dir is None or self.source is None:
            return None
        path = self.result_dir / f"{self.source.frame_name(index)}.png"
        if not path.is_file():
            return None
        from engine.video.prompts import read_id_map

        return read_id_map(path)

    def show_frame(self, index: int) -> None:
        if self.source is None:
            return
        rgb = overlay(self.source.read(index), self.result_ids(index))
        self.view.show_frame(rgb)
        self.frame_label.setText(self.tr("frame {0} / {1}").format(index + 1, len(self.source)))

    def _on_box(self, *box: float) -> None:
        if self.slider.value() != self.prompt_frame:  # a box on another frame starts that frame's prompts
            self.objects, self.current_id = {}, 1
        self.prompt_frame = self.slider.value()
        self.objects[self.current_id] = (tuple(box), self.label_edit.text().strip() or "object")
        self.view.boxes = [b for b, _ in self.objects.values()]
        self.view.update()
        self.status.setText(self.tr("object {0} on frame {1}").format(self.current_id, self.prompt_frame + 1))
        self._update_buttons()

    def new_object(self) -> None:
        """The next box drawn is a new object (on the same frame)."""
        if self.current_id in self.objects:
            self.current_id = max(self.objects) + 1
        self.status.setText(self.tr("draw object {0}").format(self.current_id))

    # ---- propagation -------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        busy = self.job is not None
        ready = not busy and self.source is not None and bool(self.objects)
        self.propagate_button.setEnabled(ready)
        self.correct_button.setEnabled(ready and self.result_dir is not None and self.first_prompt is not None
                                       and self.prompt_frame != self.first_prompt)
        self.new_object_button.setEnabled(not busy and bool(self.objects))
        self.cancel_button.setEnabled(busy)
        self.slider.setEnabled(self.source is not None)

    def tracker_options(self) -> dict[str, Any]:
        opts = dict(self.settings.get("track") or {})
        opts.pop("max_frames", None)
        return opts

    def propagate(self, correct: bool = False) -> None:
        if self.source is None or not self.objects or self.job is not None:
            return
        from engine.types import Box
        from engine.video.prompts import ObjectPrompt

        objects = [ObjectPrompt(i, label, box=Box(*box)) for i, (box, label) in sorted(self.objects.items())]
        if not correct:
            self.first_prompt = self.prompt_frame
        self.job = PropagateJob(self.frames_dir, objects, self.prompt_frame, self.out_root,
                                self.tracker.currentData(), self.tracker_options(), correct=correct)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.bar.setRange(0, len(self.source))
        self.bar.setValue(0)
        self.status.setText(self.tr("propagating..."))
        self.thread = start(self.job)
        self._update_buttons()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText(self.tr("cancelling..."))

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _done(self, out_dir: str | None) -> None:
        if self.thread is not None:
            self.thread.wait()  # quit() ran directly on the worker thread when the job ended
            self.thread = None
        self.job = None
        if out_dir:
            self.result_dir = Path(out_dir)
        self.show_frame(self.slider.value())
        self._update_buttons()

    def _on_finished(self, out_dir: str) -> None:
        self._done(out_dir)
        self.status.setText(self.tr("done: masks in {0}").format(out_dir))
        self.propagated.emit(out_dir)

    def _on_cancelled(self, out_dir: str) -> None:
        self._done(out_dir)
        self.status.setText(self.tr("cancelled: the frames done so far are in {0}").format(out_dir))

    def _on_failed(self, message: str) -> None:
        self._done(None)
        self.status.setText(self.tr("error: {0}").format(message))
