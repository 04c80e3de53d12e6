"""The Edit panel is docked and driven through the worker: inpaint the current mask with the
OpenCV inpainter (no weights), accept writes the edit files; localise without a CLIP model shows
the error in the panel and the app carries on."""

from __future__ import annotations

import pytest

from tests.gui.conftest import SAMPLES

pytest.importorskip("gui.edit_panel")


def test_edit_panel_inpaint_accept_and_error(qtbot, make_window, tmp_path):
    w = make_window()
    panel = w.edit_panel
    assert panel is not None
    w.open_folder(SAMPLES, select="demo")
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.mask is not None and not w.busy, timeout=30000)
    shown = []
    w.worker.worker.edit_preview.connect(lambda o, e: shown.append(e.shape))
    panel.inpaint_requested.emit("sand", {"inpainter": "opencv"})
    qtbot.waitUntil(lambda: bool(shown) and not w.busy, timeout=30000)
    assert shown[0][:2] == w.snapshot.mask.shape
    panel.accept_requested.emit()
    out = tmp_path / "out" / "edit" / "demo"
    qtbot.waitUntil(lambda: (out / "edited.png").exists() and not w.busy, timeout=30000)
    assert (out / "sam_mask.png").exists() and (out / "edit.json").exists()

    panel.localise_requested.emit("crab")  # no CLIP model configured
    qtbot.waitUntil(lambda: "error" in panel.status.text() and not w.busy, timeout=30000)
    assert "CLIP" in panel.status.text()
    assert w.snapshot.mask is not None  # the session is untouched
