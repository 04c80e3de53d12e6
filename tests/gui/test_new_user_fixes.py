"""What a new user hit (issue #12, 'Fix what a new user hit' 1, 2, 5, 6; 4 is in test_recovery.py):
settings OK keeps --out, the oracle works for the open image, the Edit panel's idle status, the
rounds table's height, a stable proposal table, stale squares, the square's tooltip, remembered
layout, and an empty mask's anchors."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QToolButton

from engine.registry import SEGMENTERS
from engine.segmenters.grabcut import GrabCutSegmenter
from gui.settings_dialog import SettingsDialog, open_qsettings
from tests.gui.conftest import SAMPLES, TALKATIVE, drag, open_sample, state_id, wait_state


def opened(qtbot, make_window, name="moth", overrides=None, **kw):
    return open_sample(qtbot, make_window, name, overrides, **kw)


def test_settings_ok_keeps_the_sessions_folders(qtbot, make_window, tmp_path, qsettings_file):
    out = tmp_path / "my-out"
    w = make_window(out=out)
    dlg = SettingsDialog(w.settings, w, out_dir=w.out_dir, work_dir=w.store.work_dir)
    qtbot.addWidget(dlg)
    assert dlg.out_dir.edit.text() == str(out), "the dialog shows the real folder, not the default"
    w.accept_settings(dlg)  # OK without changes
    assert w.out_dir == out
    stored = open_qsettings()
    assert stored.value("gui/out_dir") is None, "an unchanged folder does not become the stored default"
    # a folder the annotator does change is used and stored
    dlg2 = SettingsDialog(w.settings, w, out_dir=w.out_dir, work_dir=w.store.work_dir)
    qtbot.addWidget(dlg2)
    dlg2.out_dir.edit.setText(str(tmp_path / "elsewhere"))
    w.accept_settings(dlg2)
    assert w.out_dir == tmp_path / "elsewhere" and open_qsettings().value("gui/out_dir") == str(tmp_path / "elsewhere")


def test_oracle_chosen_in_settings_works_for_the_open_image(qtbot, make_window):
    from engine.settings import deep_merge

    w = opened(qtbot, make_window, "demo")
    assert w.session_panel.critic_label.text() == "heuristic"
    sid = state_id(w)
    w.apply_settings(deep_merge(w.settings, {"critic": {"name": "oracle"}}))
    qtbot.waitUntil(lambda: w.session_panel.critic_label.text() == "oracle" and not w.busy, timeout=20000)
    w.submit("propose")
    snap = wait_state(qtbot, w, sid)
    log = w.log_panel.text.toPlainText()
    assert "ground-truth" not in log and "ground truth" not in log, log
    assert snap.rounds and snap.critic == "oracle"


def test_edit_panel_is_not_working_when_idle(qtbot, make_window):
    w = opened(qtbot, make_window, "demo")
    assert w.edit_panel is not None
    w._edit_busy(True)
    assert w.edit_panel.status.text() == w.tr("working...")
    w._edit_busy(False)
    assert w.edit_panel.status.text() == ""


def test_rounds_table_shows_three_rounds(qtbot, make_window):
    w = opened(qtbot, make_window, "moth", TALKATIVE)
    w.submit("auto", rounds=3)
    qtbot.waitUntil(lambda: not w.busy and len(w.snapshot.rounds) >= 1, timeout=60000)
    table = w.session_panel.rounds
    header = table.horizontalHeader().height()
    assert table.viewport().height() + header >= header + 3 * table.verticalHeader().defaultSectionSize()


def with_proposals(qtbot, w):
    """Cut the lower part of the mask away (as the screenshot does) and propose: the heuristic points at it."""
    m = w.snapshot.mask.copy()
    y0, y1 = w.snapshot.box[1], w.snapshot.box[3]
    m[int(y0 + 0.7 * (y1 - y0)):, :] = False
    sid = state_id(w)
    w.submit("set_mask", mask=m, label="eraser stroke")
    wait_state(qtbot, w, sid)
    sid = state_id(w)
    w.submit("propose")
    return wait_state(qtbot, w, sid)


def test_proposal_rows_stay_put_and_squares_follow_the_mask(qtbot, make_window):
    w = opened(qtbot, make_window, "moth", TALKATIVE)
    snap = with_proposals(qtbot, w)
    panel = w.session_panel
    assert len(panel.row_ids) >= 2, [p.reason for p in snap.points]
    order, heights = list(panel.row_ids), [panel.proposals.rowHeight(r) for r in range(len(panel.row_ids))]
    y_second = panel.proposals.visualRect(panel.proposals.model().index(1, 0)).y()
    # accept the first through its row button: the next row must stay where it was
    sid = state_id(w)
    panel.findChild(QToolButton, f"accept:{order[0]}").click()
    wait_state(qtbot, w, sid)
    assert panel.row_ids == order
    assert [panel.proposals.rowHeight(r) for r in range(len(order))] == heights
    assert panel.proposals.visualRect(panel.proposals.model().index(1, 0)).y() == y_second
    # squares carry the critic's words, and the ROI's body does not hide them
    assert w.scene.square_items
    sq = w.scene.square_items[0]
    assert "critic" in sq.toolTip() or sq.toolTip().startswith("square")
    x0, y0, x1, y1 = w.snapshot.box
    assert not w.scene.roi_item.contains(QPointF((x0 + x1) / 2, (y0 + y1) / 2))
    # a brush stroke changes the mask: the old round's squares go
    qtbot.keyClick(w.view, "3")
    w.scene.brush_size = 16
    sid = state_id(w)
    drag(qtbot, w, (x0 + 5, y0 + 5), (x0 + 40, y0 + 5))
    snap = wait_state(qtbot, w, sid)
    assert not snap.squares and not w.scene.square_items


def test_window_remembers_size_brush_layout_and_last_image(qtbot, make_window, qsettings_file):
    w = opened(qtbot, make_window, "gecko")
    w.resize(1111, 777)
    w.scene.brush_size = 33
    w.close()
    qs = open_qsettings()
    assert int(qs.value("gui/brush_size")) == 33 and qs.value("window/state") is not None
    w2 = make_window()
    assert w2.scene.brush_size == 33
    assert w2.last_image() == (SAMPLES, "gecko")


@SEGMENTERS.register("empty-test")
class EmptySegmenter(GrabCutSegmenter):
    """A stub segmenter that always returns an empty mask (the camouflage case)."""

    name = "empty-test"

    def predict(self, *args, **kwargs):
        out = super().predict(*args, **kwargs)
        return out._replace(masks=np.zeros_like(out.masks), logits=None)


def test_empty_mask_is_said_and_anchors_sit_on_the_box(qtbot, make_window):
    w = opened(qtbot, make_window, "demo", {"segmenter": {"name": "empty-test"}})
    snap = w.snapshot
    assert not snap.mask.any()
    assert snap.notice and "empty" in snap.notice
    assert w.session_panel.notice.isVisible() or w.session_panel.notice.text() == snap.notice
    x0, y0, x1, y1 = snap.box
    assert len(snap.anchors) == 8 and len({(round(x), round(y)) for _, x, y in snap.anchors}) == 8
    on_edge = [min(abs(x - x0), abs(x - x1), abs(y - y0), abs(y - y1)) <= 1.5 for _, x, y in snap.anchors]
    assert all(on_edge)
