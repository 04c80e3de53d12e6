"""Many objects per image in the window (issue #12): two objects with different labels, undo/redo
across objects, a brush stroke survives the next click, export from the GUI; and the critic's
verdict with keep/revert, proposal confidence and its threshold, the abstain reason (issue #14)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from gui import commands as c
from tests.gui.conftest import TALKATIVE, click, drag, open_sample, state_id, wait_state


def opened(qtbot, make_window, name="demo", overrides=None, **kw):
    return open_sample(qtbot, make_window, name, overrides, **kw)


def new_object(qtbot, w, start, end, label):
    w.objects_panel.label_combo.setEditText(label)
    qtbot.keyClick(w.view, Qt.Key.Key_B)
    assert w.scene.mode == "roi"
    sid = state_id(w)
    n = len(w.snapshot.objects)
    drag(qtbot, w, start, end)
    qtbot.waitUntil(lambda: len(w.snapshot.objects) == n + 1 and not w.busy, timeout=20000)
    return wait_state(qtbot, w, sid - 1)


def test_two_objects_with_different_labels(qtbot, make_window, tmp_path):
    w = opened(qtbot, make_window)
    first = w.snapshot.objects[0]
    assert len(w.snapshot.objects) == 1 and w.objects_panel.table.rowCount() == 1
    snap = new_object(qtbot, w, (20, 20), (120, 110), "shell")
    assert len(snap.objects) == 2
    labels = {o.label for o in snap.objects}
    assert labels == {first.label, "shell"} and len(labels) == 2
    second = next(o for o in snap.objects if o.label == "shell")
    assert snap.selected == second.id and w.objects_panel.current == second.id
    assert first.colour != second.colour, "each object in its class colour"
    # select the first one again from the list, then on the canvas (ROI mode click)
    w.objects_panel.table.selectRow(w.objects_panel.row_ids.index(first.id))
    qtbot.waitUntil(lambda: w.snapshot.selected == first.id and not w.busy, timeout=10000)
    ys, xs = np.nonzero(second.mask)
    click(qtbot, w, float(xs[len(xs) // 2]), float(ys[len(ys) // 2]))  # still ROI mode after B
    qtbot.waitUntil(lambda: w.snapshot.selected == second.id and not w.busy, timeout=10000)
    # relabel through the combo
    sid = state_id(w)
    w.objects_panel.relabel_requested.emit(second.id, "crab")
    snap = wait_state(qtbot, w, sid)
    assert {o.label for o in snap.objects} == {first.label, "crab"}
    # saved with both objects and their labels
    w.save()
    qtbot.waitUntil(lambda: w.image_list.state("demo") == "done", timeout=20000)
    prov = json.loads((tmp_path / "out" / "demo" / "sculpt.json").read_text())
    assert sorted(o["label"] for o in prov["objects"]) == sorted([first.label, "crab"])
    assert (tmp_path / "out" / "demo" / "instances.png").exists()


def test_undo_redo_across_objects(qtbot, make_window):
    w = opened(qtbot, make_window)
    first = w.snapshot.objects[0].id
    sid = state_id(w)
    w.submit(c.AddPoint(200.0, 200.0, True))
    wait_state(qtbot, w, sid)
    new_object(qtbot, w, (20, 20), (120, 110), "shell")
    second = w.snapshot.selected
    sid = state_id(w)
    w.submit(c.AddPoint(70.0, 60.0, False))
    wait_state(qtbot, w, sid)
    assert [p.positive for p in w.snapshot.points] == [False]
    labels = [w.undo_stack.text(i) for i in range(w.undo_stack.count())]
    assert labels[-3:] == ["add point", "add object", "add point"]
    w.undo_stack.undo()  # the second object's point
    qtbot.waitUntil(lambda: not w.snapshot.points and not w.busy, timeout=10000)
    w.undo_stack.undo()  # the second object
    qtbot.waitUntil(lambda: len(w.snapshot.objects) == 1 and not w.busy, timeout=10000)
    assert w.snapshot.selected == first and len(w.snapshot.points) == 1
    w.undo_stack.redo()
    w.undo_stack.redo()
    qtbot.waitUntil(lambda: len(w.snapshot.objects) == 2 and not w.busy, timeout=10000)
    obj2 = w.worker.worker.session.object(second)
    assert [p.is_positive for p in obj2.core.points] == [False]


def test_brush_stroke_then_click_keeps_the_stroke(qtbot, make_window):
    w = opened(qtbot, make_window)
    mask0 = w.snapshot.mask
    qtbot.keyClick(w.view, Qt.Key.Key_3)
    w.scene.brush_size = 14
    x0, y0, x1, y1 = w.snapshot.box
    # a stroke just outside the object, inside the box
    row = int(y0) + 6
    sid = state_id(w)
    drag(qtbot, w, (x0 + 8, row), (x0 + 60, row))
    snap = wait_state(qtbot, w, sid)
    painted = snap.mask & ~mask0
    assert painted.sum() > 100 and snap.painted
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    sid = state_id(w)
    click(qtbot, w, (x0 + x1) / 2 + 15, (y0 + y1) / 2 + 10)  # a positive click (off the box's centre handle)
    snap = wait_state(qtbot, w, sid)
    assert snap.mask[painted].all(), "the painted pixels survive the next click"


def test_export_from_the_gui(qtbot, make_window, tmp_path):
    w = opened(qtbot, make_window)
    w.save()
    qtbot.waitUntil(lambda: w.image_list.state("demo") == "done", timeout=20000)
    done = []
    steps = []
    w.worker.worker.exported.connect(lambda fmt, out: done.append((fmt, out)))
    w.worker.worker.progress.connect(lambda a, b, what: steps.append((a, b)) if b > 1 or a > 0 else None)
    w.submit(c.Export("labelme", str(tmp_path / "out"), simplify=1.5))
    qtbot.waitUntil(lambda: bool(done) and not w.busy, timeout=30000)
    fmt, out = done[0]
    files = list(Path(out).rglob("*.json"))
    assert fmt == "labelme" and files, list((tmp_path / "out").rglob("*"))
    assert any(total >= 1 and k >= 1 for k, total in steps), steps  # progress after each image
    shape = json.loads(files[0].read_text())["shapes"][0]
    assert shape["label"] == w.snapshot.objects[0].label


def test_verdict_keep_or_revert(qtbot, make_window):
    from tests.gui.test_new_user_fixes import with_proposals

    w = opened(qtbot, make_window, "moth", TALKATIVE)
    snap = with_proposals(qtbot, w)
    assert any(p.status == "pending" for p in snap.points), snap.rounds[-1].abstain_reason
    before = snap.mask.copy()
    w.submit(c.Decide(tuple(p.id for p in snap.points if p.status == "pending"), "accept"))
    sid = state_id(w) + 1
    w.submit(c.Apply())
    snap = wait_state(qtbot, w, sid)
    v = snap.rounds[-1].verdict
    assert v is not None and v.outcome in ("better", "worse", "same") and not v.decided
    panel = w.session_panel
    assert panel.verdict_box.isVisibleTo(w) and panel.suggest_keep == v.suggest_keep
    assert (panel.keep_button if v.suggest_keep else panel.revert_button).isDefault()
    # one key follows the suggestion
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_V)
    qtbot.waitUntil(lambda: w.snapshot.rounds[-1].verdict.decided and not w.busy, timeout=10000)
    assert w.snapshot.rounds[-1].reverted == (not v.suggest_keep)
    if not w.snapshot.rounds[-1].reverted:  # kept: revert it explicitly now
        sid = state_id(w)
        w.submit(c.KeepRound(False))
        wait_state(qtbot, w, sid)
    snap = w.snapshot
    assert np.array_equal(snap.mask, before) and snap.rounds[-1].reverted  # the mask before the round is back
    assert snap.rounds[-1].verdict.decided
    # and undo brings the round back
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: not w.snapshot.rounds[-1].reverted and not w.busy, timeout=10000)


def test_confidence_threshold_hides_or_rejects(qtbot, make_window):
    from tests.gui.test_new_user_fixes import with_proposals

    w = opened(qtbot, make_window, "moth", TALKATIVE)
    snap = with_proposals(qtbot, w)
    pending = [p for p in snap.points if p.status == "pending"]
    assert pending and all(0.0 <= p.confidence <= 1.0 for p in pending)
    panel = w.session_panel
    assert panel.proposals.item(0, 2).text() == f"{panel._confidence[panel.row_ids[0]]:.2f}"
    panel.threshold.setValue(1.0)  # above every proposal: all hidden, and said
    assert panel.proposals.rowCount() == sum(p.confidence >= 1.0 for p in pending)
    assert panel.abstain.text()
    assert all(pid not in w.scene.point_items for pid in (p.id for p in pending if p.confidence < 1.0))
    panel.below.setCurrentIndex(panel.below.findData("reject"))  # auto-reject below the threshold
    qtbot.waitUntil(lambda: all(p.status != "pending" for p in w.snapshot.points if p.confidence < 1.0)
                    and not w.busy, timeout=10000)
    panel.threshold.setValue(0.0)
    panel.below.setCurrentIndex(0)


def test_abstain_says_why(qtbot, make_window):
    w = opened(qtbot, make_window, "demo", {"critic": {"name": "heuristic", "options": {"heuristic": {"min_evidence": 0.99}}}})
    sid = state_id(w)
    w.submit(c.Propose())
    snap = wait_state(qtbot, w, sid)
    assert snap.rounds[-1].proposals == 0
    assert snap.rounds[-1].abstain_reason
    assert w.session_panel.abstain.text() and snap.rounds[-1].abstain_reason in w.session_panel.abstain.text()
