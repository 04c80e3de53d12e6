"""The Edit panel: target and prompt text, inpainter choice, Localise / Inpaint / Accept / Discard, and
a side-by-side preview (original | edited). It does no model work: buttons emit signals that the main
window forwards to the engine worker, and the worker's results come back through the slots.

Signals
    localise_requested(str target)           target text (the prompt when the target field is empty)
    inpaint_requested(str prompt, dict opts) opts: inpainter, steps, guidance, seed, negative_prompt
    accept_requested()                       save the previewed edit; the preview is cleared
    discard_requested()                      drop the previewed edit; the preview is cleared
Slots
    set_image(ndarray)                       RGB uint8 of the current image (the preview's left side)
    show_heatmap(ndarray, point=None)        float (H, W) in [0, 1], optional (x, y): shown over the image
    show_preview(ndarray, ndarray)           original and edited RGB uint8: enables Accept / Discard
    set_busy(bool, str)                      disables the buttons and shows the text while the worker runs
    set_progress(int, int)                   step, total (e.g. diffusion steps); total 0 = unknown
    show_error(str)                          one line under the buttons; clears busy
    clear_preview()
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.edit.outputs import heatmap_overlay
from engine.registry import INPAINTERS
from gui.backend_combo import BackendCombo
from gui.canvas.qimage import rgb_to_qimage

PREVIEW_SIZE = QSize(220, 165)


class _Preview(QLabel):
    """A label that keeps its image scaled to its size (aspect kept)."""

    def __init__(self, caption: str) -> None:
        super().__init__(caption)
        self._caption = caption
        self._pixmap: QPixmap | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(PREVIEW_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet("QLabel { border: 1px solid #555; }")

    def set_array(self, image: np.ndarray | None) -> None:
        self._pixmap = None if image is None else QPixmap.fromImage(rgb_to_qimage(image))
        self._refresh()

    def has_image(self) -> bool:
        return self._pixmap is not None

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._refresh()

    def _refresh(self) -> None:
        if self._pixmap is None:
            self.setPixmap(QPixmap())
            self.setText(self._caption)
            return
        self.setPixmap(self._pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))


class EditPanel(QWidget):
    localise_requested = Signal(str)
    inpaint_requested = Signal(str, dict)
    accept_requested = Signal()
    discard_requested = Signal()

    def __init__(self, settings: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        edit = (settings or {}).get("edit", {})
        self._image: np.ndarray | None = None
        self._busy = False

        self.target_edit = QLineEdit()
        self.target_edit.setPlaceholderText(self.tr("what to find, e.g. crab (empty: the prompt)"))
        self.prompt_edit = QLineEdit()
        self.prompt_edit.setPlaceholderText(self.tr("what it should become, e.g. a red crab"))
        self.negative_edit = QLineEdit(str(edit.get("negative_prompt", "")))
        self.negative_edit.setPlaceholderText(self.tr("optional: what it should not look like"))
        default = edit.get("inpainter", {}).get("name", "opencv")
        if default not in INPAINTERS.names():
            default = "opencv"
        # which inpainters run here (sd without weights is said, not shown as ready); the items keep bare names
        self.inpainter_combo = BackendCombo("inpainters", INPAINTERS.names(), default, settings, plain=True)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 200)
        self.steps_spin.setValue(int(edit.get("steps", 30)))
        self.guidance_spin = QDoubleSpinBox()
        self.guidance_spin.setRange(0.0, 30.0)
        self.guidance_spin.setSingleStep(0.5)
        self.guidance_spin.setValue(float(edit.get("guidance", 7.5)))
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setValue(int(edit.get("seed", 42)))

        form = QFormLayout()
        form.addRow(self.tr("Target"), self.target_edit)
        form.addRow(self.tr("Prompt"), self.prompt_edit)
        form.addRow(self.tr("Negative"), self.negative_edit)
        form.addRow(self.tr("Inpainter"), self.inpainter_combo)
        form.addRow(self.inpainter_combo.hint)
        form.addRow(self.tr("Steps"), self.steps_spin)
        form.addRow(self.tr("Guidance"), self.guidance_spin)
        form.addRow(self.tr("Seed"), self.seed_spin)

        self.localise_button = QPushButton(self.tr("Localise"))
        self.localise_button.setToolTip(self.tr("CLIP finds the target; its point prompts the segmenter"))
        self.inpaint_button = QPushButton(self.tr("Inpaint"))
        self.inpaint_button.setToolTip(self.tr("repaint the current mask from the prompt"))
        self.accept_button = QPushButton(self.tr("Accept"))
        self.discard_button = QPushButton(self.tr("Discard"))
        buttons = QHBoxLayout()
        for b in (self.localise_button, self.inpaint_button, self.accept_button, self.discard_button):
            buttons.addWidget(b)

        self.original_view = _Preview(self.tr("original"))
        self.edited_view = _Preview(self.tr("edited"))
        previews = QHBoxLayout()
        previews.addWidget(self.original_view)
        previews.addWidget(self.edited_view)

        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(previews, 1)

        self.localise_button.clicked.connect(self._on_localise)
        self.inpaint_button.clicked.connect(self._on_inpaint)
        self.accept_button.clicked.connect(self._on_accept)
        self.discard_button.clicked.connect(self._on_discard)
        self.target_edit.returnPressed.connect(self._on_localise)
        self.prompt_edit.returnPressed.connect(self._on_inpaint)
        self.target_edit.textChanged.connect(self._update_buttons)
        self.prompt_edit.textChanged.connect(self._update_buttons)
        self._update_buttons()

    # -- what the user asked for ---------------------------------------------------------------
    def target_text(self) -> str:
        return self.target_edit.text().strip() or self.prompt_edit.text().strip()

    def options(self) -> dict[str, Any]:
        return {"inpainter": self.inpainter_combo.currentText(), "steps": self.steps_spin.value(),
                "guidance": self.guidance_spin.value(), "seed": self.seed_spin.value(),
                "negative_prompt": self.negative_edit.text().strip()}

    def _on_localise(self) -> None:
        if self.localise_button.isEnabled():
            self.localise_requested.emit(self.target_text())

    def _on_inpaint(self) -> None:
        if self.inpaint_button.isEnabled():
            self.inpaint_requested.emit(self.prompt_edit.text().strip(), self.options())

    def _on_accept(self) -> None:
        if self.accept_button.isEnabled():
            self.accept_requested.emit()
            self.clear_preview()

    def _on_discard(self) -> None:
        if self.discard_button.isEnabled():
            self.discard_requested.emit()
            self.clear_preview()

    def _update_buttons(self) -> None:
        idle = not self._busy
        has_preview = self.edited_view.has_image()
        self.localise_button.setEnabled(idle and bool(self.target_text()))
        self.inpaint_button.setEnabled(idle and bool(self.prompt_edit.text().strip()))
        self.accept_button.setEnabled(idle and has_preview)
        self.discard_button.setEnabled(idle and has_preview)

    # -- results from the worker ---------------------------------------------------------------
    @Slot(object)
    def set_image(self, image: np.ndarray) -> None:
        self._image = image
        self.original_view.set_array(image)
        self.edited_view.set_array(None)
        self._update_buttons()

    @Slot(object)
    def show_heatmap(self, heatmap: np.ndarray, point: tuple[float, float] | None = None) -> None:
        base = self._image
        if base is None or base.shape[:2] != heatmap.shape:
            base = np.zeros((*heatmap.shape, 3), np.uint8)
        self.original_view.set_array(heatmap_overlay(base, np.clip(heatmap, 0.0, 1.0), point))
        if point is not None:
            self.status.setText(self.tr("CLIP point ({0:.0f}, {1:.0f})").format(point[0], point[1]))

    @Slot(object, object)
    def show_preview(self, original: np.ndarray, edited: np.ndarray) -> None:
        self.original_view.set_array(original)
        self.edited_view.set_array(edited)
        self._update_buttons()

    @Slot()
    def clear_preview(self) -> None:
        self.edited_view.set_array(None)
        if self._image is not None:
            self.original_view.set_array(self._image)
        self._update_buttons()

    @Slot(bool, str)
    def set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = bool(busy)
        self.progress.setVisible(self._busy)
        self.progress.setRange(0, 0)  # indeterminate until set_progress says otherwise
        self.status.setText(text)
        self._update_buttons()

    @Slot(int, int)
    def set_progress(self, step: int, total: int) -> None:
        self.progress.setVisible(True)
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(step, total))
        else:
            self.progress.setRange(0, 0)

    @Slot(str)
    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.status.setText(self.tr("error: {0}").format(text))
