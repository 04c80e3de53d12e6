"""VideoPanel: frame slider; a frame view where the current object gets a box (drag), clicks (left positive,
right / Shift negative) or a painted mask (Brush / Eraser, radius; "Use propagated mask" starts from the result);
"Critique frame" asks the configured critic for points on the current frame (off the UI thread) to accept or reject;
Propagate / Re-propagate from this frame / Cancel with a progress bar (a cancelled correction resumes when asked
again with the same prompts, also after the window was closed: engine.video.correct.pending_objects); the result
masks overlaid while scrubbing; an earlier track in the output folder is shown again when the folder is reopened.
Several objects, each with its label and colour. Mode keys: gui/video/modes.py. Strings go through self.tr()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.video.critic_job import CritiqueJob
from gui.video.critic_panel import CriticMixin
from gui.video.frame_view import FrameView, overlay
from gui.video.job import PropagateJob, start
from gui.video.modes import ModeButtons, radius_keys
from gui.video.prompt_state import PromptState

__all__ = ["VideoPanel", "overlay"]


class VideoPanel(QWidget, CriticMixin):
    propagated = Signal(str)  # the output folder, when a propagation completes
    critiqued = Signal(int)  # the number of proposals, when a critique completes (or -1 when it failed)

    def __init__(self, settings: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or {}
        self.source: Any = None
        self.frames_dir: Path | None = None
        self.out_root: Path | None = None
        self.result_dir: Path | None = None
        self.prompt_frame = 0  # the frame of the last prompt edit: Propagate / Re-propagate start there
        self.first_prompt: int | None = None  # the prompt frame of the track in result_dir
        self.state = PromptState()
        self.job: PropagateJob | None = None
        self.thread: Any = None
        self.critic_job: CritiqueJob | None = None
        self.critic_thread: Any = None
        self.proposals: list[Any] = []  # engine.types.Point, pending on (proposal_frame, proposal_obj)
        self.proposal_frame, self.proposal_obj, self.proposal_box = -1, 0, None
        self.view = FrameView(self)
        self.view.box_drawn.connect(self._on_box)
        self.view.point_clicked.connect(self._on_point)
        self.view.stroke_drawn.connect(self._on_stroke)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.valueChanged.connect(self.show_frame)
        self.frame_label = QLabel(self)
        self.tracker = QComboBox(self)
        self.tracker.addItem(self.tr("SAM 2"), "sam2-video")
        self.tracker.addItem(self.tr("EdgeTAM"), "edgetam-video")
        self.propagate_button = self._button(self.tr("Propagate"), self.propagate)
        self.new_object_button = self._button(self.tr("New object"), self.new_object)
        self.label_edit = QLineEdit(self.tr("object"), self)
        self.label_edit.editingFinished.connect(self._on_label)
        self.object_combo = QComboBox(self)
        self.object_combo.activated.connect(lambda i: self.select_object(int(self.object_combo.itemData(i))))
        self.correct_button = self._button(self.tr("Re-propagate from this frame"), lambda: self.propagate(correct=True))
        self.cancel_button = self._button(self.tr("Cancel"), self.cancel)
        self.bar = QProgressBar(self)
        self.radius = QSpinBox(self)
        self.radius.setRange(1, 200)
        self.radius.setValue(6)
        self.radius.setPrefix(self.tr("radius "))
        self.radius.valueChanged.connect(lambda v: setattr(self.view, "radius", float(v)))
        self.radius_shortcuts = radius_keys(self, self.radius)
        self.modes = ModeButtons(self, self.set_mode)
        self.prompt_mode, self.brush_button, self.eraser_button = (self.modes.buttons[m] for m in
                                                                   ("prompt", "brush", "eraser"))
        self.use_result_button = self._button(self.tr("Use propagated mask"), self.use_result_mask)
        self.clear_button = self._button(self.tr("Clear object on frame"), self.clear_prompt)
        self.critique_button = self._button(self.tr("Critique frame"), self.critique)
        self.proposal_list = QListWidget(self)
        self.proposal_list.setMaximumHeight(90)
        self.accept_button = self._button(self.tr("Accept checked"), self.accept_proposals)
        self.reject_button = self._button(self.tr("Reject all"), self.reject_proposals)
        self.status = QLabel(self.tr("Open a folder of frames"), self)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view)
        for widgets in ((self.slider, self.frame_label),
                        (self.object_combo, self.label_edit, self.new_object_button, self.prompt_mode,
                         self.brush_button, self.eraser_button, self.radius, self.use_result_button, self.clear_button),
                        (self.critique_button, self.proposal_list, self.accept_button, self.reject_button),
                        (self.tracker, self.propagate_button, self.correct_button, self.cancel_button, self.bar)):
            row = QHBoxLayout()
            for w in widgets:
                row.addWidget(w)
            lay.addLayout(row)
        lay.addWidget(self.status)
        self._refresh_objects()
        self._update_buttons()

    def _button(self, text: str, slot: Any) -> QPushButton:
        b = QPushButton(text, self)
        b.clicked.connect(lambda *_: slot())
        return b

    # ---- frames ------------------------------------------------------------------------------------
    def open_folder(self, folder: Path, out_root: Path | None = None) -> None:
        from engine.video.frames import open_frames

        self.source = open_frames(Path(folder))
        self.frames_dir = Path(folder)
        self.out_root = Path(out_root) if out_root else Path(folder).parent / "track"
        self.result_dir, self.first_prompt, self.prompt_frame = None, None, 0
        self.state = PromptState()
        self.view.box = None
        self._drop_proposals()
        self.slider.setRange(0, len(self.source) - 1)
        self.slider.setValue(0)
        self.show_frame(0)
        self.status.setText(self.tr("{0}: drag a box or click on a frame, then Propagate").format(self._source_text()))
        self._load_track()
        self._refresh_objects()
        self._update_buttons()

    def _load_track(self) -> None:
        """The earlier track of this sequence in out_root (the window reopened): its masks, labels and prompt frame,
        so a frame can be corrected (and a cancelled correction resumed)."""
        from engine.video.correct import earlier_track

        out = self.out_root / self.source.name
        found = earlier_track(out, len(self.source))
        if found is None:
            return
        self.result_dir, self.first_prompt = out, found[0]
        for obj_id, label in found[1].items():
            self.state.set_label(obj_id, label)
        self.label_edit.setText(self.state.label(self.state.current_id))
        self.show_frame(self.slider.value())
        self.status.setText(self.tr("{0}: the earlier track in {1} is shown: correct a frame, then Re-propagate from "
                                    "this frame").format(self._source_text(), out))

    def _source_text(self) -> str:
        """The opened frames in the window's language, e.g. "seq (5 frames)"."""
        return self.tr("{0} ({1} frames)").format(self.frames_dir, len(self.source))

    def result_ids(self, index: int) -> np.ndarray | None:
        if self.result_dir is None or self.source is None:
            return None
        path = self.result_dir / f"{self.source.frame_name(index)}.png"
        if not path.is_file():
            return None
        from engine.video.prompts import read_id_map

        return read_id_map(path)

    def result_mask(self, index: int, obj_id: int) -> np.ndarray | None:
        ids = self.result_ids(index)
        return None if ids is None or not (ids == obj_id).any() else ids == obj_id

    def show_frame(self, index: int) -> None:
        if self.source is None:
            return
        prompts = self.state.on_frame(index)
        ids = self.result_ids(index)
        if ids is not None:
            painted = [i for i, p in prompts.items() if p.mask is not None]
            ids = np.where(np.isin(ids, painted), 0, ids) if painted else ids  # the painted mask replaces it here
        self.view.show_frame(overlay(self.source.read(index), ids))
        pending = [(p.x, p.y, 1 if p.is_positive else 0) for p in self.proposals] if index == self.proposal_frame else []
        self.view.set_prompts(prompts, self.state.current_id, pending)
        self.frame_label.setText(self.tr("frame {0} / {1}").format(index + 1, len(self.source)))

    # ---- objects and prompts -----------------------------------------------------------------------
    def _refresh_objects(self) -> None:
        ids = sorted({*self.state.labels, self.state.current_id})
        self.object_combo.clear()
        for i in ids:
            self.object_combo.addItem(self.tr("object {0}: {1}").format(i, self.state.label(i)), i)
        self.object_combo.setCurrentIndex(ids.index(self.state.current_id))

    def select_object(self, obj_id: int) -> None:
        self.state.current_id = obj_id
        if obj_id in self.state.labels:
            self.label_edit.setText(self.state.label(obj_id))
        self._refresh_objects()
        self.show_frame(self.slider.value())

    def _on_label(self) -> None:
        if self.state.current_id in self.state.labels:
            self.state.set_label(self.state.current_id, self.label_edit.text())
            self._refresh_objects()

    def _edited(self, what: str) -> None:
        """After a prompt edit on the current frame: it becomes the prompt frame; redraw; say what happened."""
        frame, obj = self.slider.value(), self.state.current_id
        self.state.set_label(obj, self.label_edit.text())
        self.prompt_frame = frame
        self._refresh_objects()
        self.show_frame(frame)
        self.status.setText(self.tr("object {0} ({1}) on frame {2}: {3}").format(obj, self.state.label(obj),
                                                                                 frame + 1, what))
        self._update_buttons()

    def _on_box(self, *box: float) -> None:
        self.state.set_box(self.slider.value(), self.state.current_id, box)
        self._edited(self.tr("box"))

    def _on_point(self, x: float, y: float, positive: bool) -> None:
        self.state.add_point(self.slider.value(), self.state.current_id, x, y, positive)
        self._edited(self.tr("positive click") if positive else self.tr("negative click"))

    def _on_stroke(self, points: list[tuple[float, float]], erase: bool) -> None:
        if self.source is None:
            return
        frame = self.slider.value()
        shape = self.source.read(frame).shape[:2]
        self.state.paint(frame, self.state.current_id, points, float(self.radius.value()), erase, shape)
        self._edited(self.tr("erased") if erase else self.tr("painted"))

    def set_mode(self, mode: str) -> None:
        self.view.mode = mode
        self.view.radius = float(self.radius.value())
        self.modes.check(mode)

    def use_result_mask(self) -> None:
        """The current object's propagated mask on this frame becomes its painted mask (then paint on it)."""
        frame, obj = self.slider.value(), self.state.current_id
        mask = self.result_mask(frame, obj)
        if mask is None:
            self.status.setText(self.tr("object {0} has no propagated mask on frame {1}").format(obj, frame + 1))
            return
        self.state.set_mask(frame, obj, mask)
        self.set_mode("brush")
        self._edited(self.tr("propagated mask loaded: paint to correct it"))

    def clear_prompt(self) -> None:
        self.state.clear(self.slider.value(), self.state.current_id)
        self._edited(self.tr("cleared"))

    def new_object(self) -> None:
        """The next prompt is a new object (on any frame)."""
        self.state.new_object()
        self._refresh_objects()
        self.show_frame(self.slider.value())
        self.status.setText(self.tr("draw object {0}").format(self.state.current_id))
        self._update_buttons()

    # ---- propagation -------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        busy = self.job is not None
        ready = not busy and self.source is not None and bool(self.state.on_frame(self.prompt_frame))
        self.propagate_button.setEnabled(ready)
        self.correct_button.setEnabled(ready and self.result_dir is not None and self.first_prompt is not None
                                       and self.prompt_frame != self.first_prompt)
        self.new_object_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.slider.setEnabled(self.source is not None)
        self.critique_button.setEnabled(self.source is not None and self.critic_job is None)
        self.accept_button.setEnabled(bool(self.proposals))
        self.reject_button.setEnabled(bool(self.proposals))

    def tracker_options(self) -> dict[str, Any]:
        from engine.video.tracker import tracker_options

        return tracker_options(self.settings, self.tracker.currentData())

    def propagate(self, correct: bool = False) -> None:
        if self.source is None or self.job is not None or not self.state.on_frame(self.prompt_frame):
            return
        from engine.video.prompts import split_ids

        objects = self.state.object_prompts(self.prompt_frame)
        if correct:
            from engine.video.correct import pending_objects

            # a cancelled correction with these prompts resumes with the kept masks it started with (the result
            # PNGs it rewrote are not them); else objects without a prompt here keep their propagated mask
            resumed = pending_objects(self.out_root / self.source.name, self.source.frame_name(self.prompt_frame),
                                      objects)
            ids = self.result_ids(self.prompt_frame) if resumed is None else None
            objects = resumed or self.state.object_prompts(self.prompt_frame, split_ids(ids) if ids is not None else None)
        else:
            self.first_prompt = self.prompt_frame
        self.job = PropagateJob(self.frames_dir, objects, self.prompt_frame, self.out_root,
                                self.tracker.currentData(), self.tracker_options(), correct=correct)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.bar.setRange(0, len(self.source))
        self.bar.setValue(0)
        self.status.setText(self.tr("re-propagating...") if correct else self.tr("propagating..."))
        self.thread = start(self.job)
        self._update_buttons()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText(self.tr("cancelling..."))

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _done(self, out_dir: str | None) -> bool:
        if self.thread is not None:
            self.thread.wait()  # quit() ran directly on the worker thread when the job ended
            self.thread = None
        correct = self.job is not None and self.job.correct
        self.job = None
        if out_dir:
            self.result_dir = Path(out_dir)
        self.show_frame(self.slider.value())
        self._update_buttons()
        return correct

    def _on_finished(self, out_dir: str) -> None:
        self._done(out_dir)
        self.status.setText(self.tr("done: masks in {0}").format(out_dir))
        self.propagated.emit(out_dir)

    def _on_cancelled(self, out_dir: str) -> None:
        if self._done(out_dir):
            self.status.setText(self.tr("correction cancelled: Re-propagate from this frame again resumes it ({0})")
                                .format(out_dir))
        else:
            self.status.setText(self.tr("cancelled: the frames done so far are in {0}").format(out_dir))

    def closeEvent(self, ev) -> None:  # noqa: N802 - Qt's name
        """Closing mid-run: cancel between frames and let the worker threads end (a running QThread must not die)."""
        if self.job is not None:
            self.job.cancel()
        for thread in (self.thread, self.critic_thread):
            if thread is not None:
                thread.wait()
        super().closeEvent(ev)

    def _on_failed(self, message: str) -> None:
        self._done(None)
        self.status.setText(self.tr("error: {0}").format(message))
