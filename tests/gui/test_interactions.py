"""Canvas gestures and keys: click a point to flip it, right click to delete it, Delete removes the
selection, the brush paints, the help dialog lists every shortcut, next/previous, filter and flag."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui.shortcuts import SHORTCUTS, HelpDialog
from tests.gui.conftest import SAMPLES, click, drag, state_id, wait_state


def opened(qtbot, make_window, name="demo"):
    w = make_window()
    w.open_folder(SAMPLES, select=name)
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.mask is not None and not w.busy, timeout=30000)
    return w


def test_point_gestures(qtbot, make_window):
    w = opened(qtbot, make_window)
    sid = state_id(w)
    click(qtbot, w, 150, 150, Qt.MouseButton.RightButton)  # a negative point
    snap = wait_state(qtbot, w, sid)
    (p,) = snap.points
    assert not p.positive
    sid = state_id(w)
    click(qtbot, w, p.x, p.y)  # click on it: flip
    snap = wait_state(qtbot, w, sid)
    assert snap.points[0].positive and snap.points[0].flipped
    sid = state_id(w)
    click(qtbot, w, p.x, p.y, modifier=Qt.KeyboardModifier.ShiftModifier)  # shift-click only selects
    assert w.scene.selected_point_ids() == [p.id]
    qtbot.keyClick(w.view, Qt.Key.Key_Delete)
    snap = wait_state(qtbot, w, sid)
    assert not snap.points
    sid = state_id(w)
    click(qtbot, w, 200, 200)
    snap = wait_state(qtbot, w, sid)
    sid = state_id(w)
    click(qtbot, w, 200, 200, Qt.MouseButton.RightButton)  # right click on a point: delete it
    snap = wait_state(qtbot, w, sid)
    assert not snap.points
    assert [w.undo_stack.text(i) for i in range(w.undo_stack.count())][:3] == ["add point", "flip point", "delete point"]


def test_brush_and_roi_handles(qtbot, make_window):
    w = opened(qtbot, make_window)
    area = int(w.snapshot.mask.sum())
    qtbot.keyClick(w.view, Qt.Key.Key_3)
    assert w.scene.mode == "brush"
    w.scene.brush_size = 20
    sid = state_id(w)
    drag(qtbot, w, (20, 20), (80, 20))
    snap = wait_state(qtbot, w, sid)
    assert snap.mask[20, 30:70].all() and int(snap.mask.sum()) > area
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    # drag the ROI's bottom-right handle outwards: a new box, the segmenter re-runs
    x0, y0, x1, y1 = snap.box
    sid = state_id(w)
    drag(qtbot, w, (x1, y1), (x1 + 20, y1 + 10))
    snap = wait_state(qtbot, w, sid)
    assert abs(snap.box[2] - (x1 + 20)) < 3 and abs(snap.box[3] - (y1 + 10)) < 3 and snap.box[0] == x0
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: w.snapshot.box == (x0, y0, x1, y1) and not w.busy, timeout=10000)


def test_help_navigation_filter_flag(qtbot, make_window):
    w = opened(qtbot, make_window)
    dlg = HelpDialog(w)
    qtbot.addWidget(dlg)
    keys = {dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())}
    assert all(" / ".join(s.keys) in keys for s in SHORTCUTS)
    assert set(w.actions_by_name) == {s.action for s in SHORTCUTS}
    qtbot.keyClick(w.view, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: w.current_name == "flounder" and w.snapshot is not None and w.snapshot.name == "flounder",
                    timeout=30000)
    qtbot.keyClick(w.view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: w.current_name == "demo", timeout=5000)
    qtbot.keyClick(w.view, Qt.Key.Key_X)
    assert w.image_list.state("demo") == "flagged" and "demo" in w.store.flags()
    w.image_list.state_combo.setCurrentText("flagged")
    visible = [w.image_list.list.item(i).text() for i in range(w.image_list.list.count())
               if not w.image_list.list.item(i).isHidden()]
    assert len(visible) == 1 and visible[0].startswith("demo")
    w.image_list.state_combo.setCurrentText("all")
    w.image_list.filter_edit.setText("ge")
    assert [n for n, it in w.image_list._items.items() if not it.isHidden()] == ["gecko"]


def test_auto_rounds_and_instance_name(qtbot, make_window):
    w = make_window({"critic": {"name": "heuristic", "options": {"heuristic": {"min_evidence": 0.1}}}})
    w.open_folder(SAMPLES, select="moth")
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.mask is not None and not w.busy, timeout=30000)
    sid = state_id(w)
    w.session_panel.auto_rounds.setValue(2)
    qtbot.keyClick(w.view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    snap = wait_state(qtbot, w, sid)
    assert 1 <= len(snap.rounds) <= 2 and all(r.applied or r.proposals == 0 for r in snap.rounds)
    assert all(p.status == "accepted" for p in snap.points if p.source == "critic")
    assert w.undo_stack.text(w.undo_stack.index() - 1) == "auto (2 rounds)"
    sid = state_id(w)
    w.session_panel.instance_edit.setText("giant moth")
    w.session_panel.instance_edit.editingFinished.emit()
    snap = wait_state(qtbot, w, sid)
    assert snap.instance == "giant moth"
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: w.snapshot.instance == "moth" and not w.busy, timeout=10000)


def test_return_in_a_text_field_does_not_apply(qtbot, make_window):
    w = make_window()
    fired = []
    w.actions_by_name["apply"].triggered.disconnect()
    w.actions_by_name["apply"].triggered.connect(lambda: fired.append("apply"))
    w.activateWindow()
    w.session_panel.instance_edit.setFocus()
    qtbot.waitUntil(lambda: w.session_panel.instance_edit.hasFocus(), timeout=3000)
    qtbot.keyClick(w.session_panel.instance_edit, Qt.Key.Key_D)  # letters are typed, not "next image"
    qtbot.keyClick(w.session_panel.instance_edit, Qt.Key.Key_Return)
    assert fired == [] and w.session_panel.instance_edit.text() == "d"
    combo = w.objects_panel.label_combo.lineEdit()  # the Objects dock's label field: B is a letter there
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=3000)
    combo.clear()
    qtbot.keyClick(combo, Qt.Key.Key_B)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    assert fired == [] and combo.text() == "b" and not w._new_object_pending
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Return)
    assert fired == ["apply"]


def test_undo_history_is_bounded(qtbot, make_window, monkeypatch):
    """The engine's history (which the QUndoStack mirrors) keeps at most UNDO_LIMIT steps."""
    import gui.worker as worker_mod

    monkeypatch.setattr(worker_mod, "UNDO_LIMIT", 3)
    w = opened(qtbot, make_window)
    for i in range(10):
        sid = state_id(w)
        w.submit("set_instance", name=f"thing {i}")
        wait_state(qtbot, w, sid)
    history = w.worker.worker.session.history
    assert len(history.entries) <= 3 + 1
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: w.snapshot.instance == "thing 8" and not w.busy, timeout=10000)
