"""Open the samples, draw an ROI with the mouse, add and move points, propose with the heuristic
critic, accept one proposal and reject one, apply, undo/redo, save; the files match the screen."""

from __future__ import annotations

import json

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from tests.gui.conftest import SAMPLES, click, drag, state_id, wait_state

MOTH_BOX = (179.0, 139.0, 445.0, 314.0)
OVERRIDES = {"gui": {"auto_start": False, "prefetch": False},
             "critic": {"name": "heuristic", "options": {"heuristic": {"min_evidence": 0.1}}}}


def test_full_session(qtbot, make_window, tmp_path):
    w = make_window(OVERRIDES)
    assert w.open_folder(SAMPLES, select="moth")
    snap = wait_state(qtbot, w, 0)
    assert snap.name == "moth" and snap.mask is None and snap.box is None
    assert w.image_list.state("moth") == "new"

    # draw the ROI by dragging on the viewport: the first mask appears
    sid = state_id(w)
    drag(qtbot, w, MOTH_BOX[:2], MOTH_BOX[2:])
    snap = wait_state(qtbot, w, sid)
    assert snap.box is not None and abs(snap.box[0] - MOTH_BOX[0]) < 3 and abs(snap.box[3] - MOTH_BOX[3]) < 3
    assert snap.mask is not None and snap.mask.sum() > 1000
    assert len(snap.anchors) == 8 and len(w.scene.anchor_items) == 8
    assert w.scene.roi_item.isVisible()

    # a positive point by left click, then move it by dragging
    sid = state_id(w)
    click(qtbot, w, 300, 230)
    snap = wait_state(qtbot, w, sid)
    human = [p for p in snap.points if p.source == "human"]
    assert len(human) == 1 and human[0].positive
    pid = human[0].id
    sid = state_id(w)
    drag(qtbot, w, (300, 230), (310, 236))
    snap = wait_state(qtbot, w, sid)
    moved = next(p for p in snap.points if p.id == pid)
    assert moved.moved and abs(moved.x - 310) < 2 and abs(moved.y - 236) < 2

    # the eraser cuts the lower part of the mask away (the critic should notice the miss)
    qtbot.keyClick(w.view, Qt.Key.Key_4)
    assert w.scene.mode == "eraser"
    w.scene.brush_size = 60
    sid = state_id(w)
    drag(qtbot, w, (150, 290), (460, 290), steps=10)
    snap = wait_state(qtbot, w, sid)
    assert snap.mask[280:300, 200:420].sum() == 0 and snap.mask[180:220, 250:350].any()
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    assert w.scene.mode == "points"

    # propose: pending proposals are drawn, not applied
    mask_before = snap.mask.copy()
    sid = state_id(w)
    qtbot.mouseClick(w.session_panel.propose_button, Qt.MouseButton.LeftButton)
    snap = wait_state(qtbot, w, sid)
    pending = [p for p in snap.points if p.status == "pending"]
    assert len(pending) >= 2, [p.reason for p in snap.points]
    assert np.array_equal(snap.mask, mask_before)
    assert w.scene.square_items, "the round's squares are drawn"
    item = w.scene.point_items[pending[0].id]
    assert item.status == "pending" and pending[0].reason in item.toolTip()
    assert w.session_panel.proposals.rowCount() == len(pending)

    # accept one and reject one from the proposal list
    accept_id, reject_id = pending[0].id, pending[1].id
    sid = state_id(w)
    w.session_panel.findChild(QToolButton, f"accept:{accept_id}").click()
    snap = wait_state(qtbot, w, sid)
    sid = state_id(w)
    w.session_panel.findChild(QToolButton, f"reject:{reject_id}").click()
    snap = wait_state(qtbot, w, sid)
    status = {p.id: p.status for p in snap.points}
    assert status[accept_id] == "accepted" and status[reject_id] == "rejected"

    # apply refines with the accepted proposal
    sid = state_id(w)
    qtbot.mouseClick(w.session_panel.apply_button, Qt.MouseButton.LeftButton)
    applied = wait_state(qtbot, w, sid)
    assert applied.rounds[-1].applied and applied.rounds[-1].iou is not None
    assert w.session_panel.rounds.item(0, 2).text() == "yes"
    applied_mask = applied.mask.copy()

    # undo twice (apply, reject), redo twice: back to the applied state
    sid = state_id(w)
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not w.snapshot.rounds[-1].applied and not w.busy, timeout=10000)
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: {p.id: p.status for p in w.snapshot.points}[reject_id] == "pending" and not w.busy,
                    timeout=10000)
    assert np.array_equal(w.snapshot.mask, mask_before)
    w.undo_stack.redo()
    w.undo_stack.redo()
    qtbot.waitUntil(lambda: w.snapshot.rounds[-1].applied and not w.busy, timeout=10000)
    assert np.array_equal(w.snapshot.mask, applied_mask)
    assert w.snapshot.state_id == applied.state_id

    # save: the files on disk are what the window shows
    shown = w.snapshot
    qtbot.keyClick(w.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.image_list.state("moth") == "done", timeout=20000)
    out = tmp_path / "out" / "moth"
    disk_mask = cv2.imread(str(out / "final_mask.png"), cv2.IMREAD_GRAYSCALE) > 127
    assert np.array_equal(disk_mask, shown.mask)
    assert np.array_equal(w.scene.mask_item.mask, shown.mask)
    assert (out / "instance_info.txt").read_text().strip() == w.session_panel.instance_edit.text() == "moth"
    prov = json.loads((out / "sculpt.json").read_text())
    disk_points = {p["id"]: p for p in prov["points"]}
    assert {p.id: p.status for p in shown.points} == {k: v["status"] for k, v in disk_points.items()}
    assert disk_points[accept_id]["source"] == "critic" and disk_points[accept_id]["status"] == "accepted"
    assert disk_points[reject_id]["status"] == "rejected"
    assert disk_points[pid]["source"] == "human" and disk_points[pid]["moved_from"] is not None
    review = prov["objects"][0]["review"]
    assert review["accepted"] == 1 and review["rejected"] >= 1
    assert tuple(prov["box_final"]) == tuple(shown.box)
