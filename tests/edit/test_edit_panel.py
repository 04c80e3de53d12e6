"""The Edit panel's signal/slot contract (no model work in the widget)."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from gui.edit_panel import EditPanel  # noqa: E402


@pytest.fixture()
def panel(qtbot):
    with contextlib.suppress(ImportError):
        from gui.compat import guard_none_refcount

        guard_none_refcount()
    settings = {"edit": {"steps": 12, "guidance": 5.0, "seed": 3, "inpainter": {"name": "opencv"}}}
    w = EditPanel(settings)
    qtbot.addWidget(w)
    w.show()
    return w


def _image(h=60, w=80):
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (h, w, 3), dtype=np.uint8)


def test_buttons_follow_the_texts(panel):
    assert not panel.localise_button.isEnabled() and not panel.inpaint_button.isEnabled()
    panel.prompt_edit.setText("a red crab")
    assert panel.localise_button.isEnabled() and panel.inpaint_button.isEnabled()
    assert not panel.accept_button.isEnabled() and not panel.discard_button.isEnabled()
    assert {"opencv", "sd"} <= {panel.inpainter_combo.itemText(i) for i in range(panel.inpainter_combo.count())}


def test_localise_emits_the_target_or_the_prompt(panel, qtbot):
    panel.prompt_edit.setText("a red crab")
    with qtbot.waitSignal(panel.localise_requested) as sig:
        qtbot.mouseClick(panel.localise_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["a red crab"]
    panel.target_edit.setText("crab")
    with qtbot.waitSignal(panel.localise_requested) as sig:
        qtbot.keyClick(panel.target_edit, Qt.Key.Key_Return)
    assert sig.args == ["crab"]


def test_inpaint_emits_prompt_and_options(panel, qtbot):
    panel.prompt_edit.setText("a red crab")
    panel.inpainter_combo.setCurrentText("sd")
    panel.steps_spin.setValue(20)
    with qtbot.waitSignal(panel.inpaint_requested) as sig:
        qtbot.mouseClick(panel.inpaint_button, Qt.MouseButton.LeftButton)
    prompt, opts = sig.args
    assert prompt == "a red crab"
    assert opts == {"inpainter": "sd", "steps": 20, "guidance": 5.0, "seed": 3, "negative_prompt": ""}


def test_busy_disables_everything(panel):
    panel.prompt_edit.setText("x")
    panel.set_busy(True, "inpainting...")
    assert not panel.localise_button.isEnabled() and not panel.inpaint_button.isEnabled()
    assert panel.status.text() == "inpainting..." and panel.progress.isVisibleTo(panel)
    panel.set_progress(3, 10)
    assert panel.progress.maximum() == 10 and panel.progress.value() == 3
    panel.set_busy(False, "")
    assert panel.inpaint_button.isEnabled() and not panel.progress.isVisibleTo(panel)


def test_preview_then_accept_or_discard(panel, qtbot):
    img = _image()
    panel.set_image(img)
    panel.show_heatmap(np.linspace(0, 1, 60 * 80, dtype=np.float32).reshape(60, 80), (40.0, 30.0))
    assert "(40, 30)" in panel.status.text() and panel.original_view.has_image()
    panel.show_preview(img, 255 - img)
    assert panel.edited_view.has_image() and panel.accept_button.isEnabled() and panel.discard_button.isEnabled()
    with qtbot.waitSignal(panel.accept_requested):
        qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert not panel.edited_view.has_image() and not panel.accept_button.isEnabled()
    panel.show_preview(img, img)
    with qtbot.waitSignal(panel.discard_requested):
        qtbot.mouseClick(panel.discard_button, Qt.MouseButton.LeftButton)
    assert not panel.discard_button.isEnabled()


def test_error_clears_busy(panel):
    panel.prompt_edit.setText("x")
    panel.set_busy(True, "loading SD")
    panel.show_error("/models/sd: not a Stable Diffusion inpainting model folder")
    assert panel.inpaint_button.isEnabled() and panel.status.text().startswith("error: /models/sd")
