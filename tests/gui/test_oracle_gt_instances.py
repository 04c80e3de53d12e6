"""The window's oracle with GT instance maps (`--gt-instances DIR` / Settings > Folders): on a two-object
image each object is judged against its own GT instance; without a map, or with a broken one (one log
line naming it, no traceback), against the union GT as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from engine.critics.base import CriticView
from engine.settings import deep_merge
from engine.types import InstanceInfo, PointLabel
from gui.settings_dialog import SettingsDialog, open_qsettings
from tests.objects.helpers import BOX_B, make_two_box_aux, two_disc_scene

ORACLE = {"segmenter": {"name": "grabcut"}, "critic": {"name": "oracle"}}


def _instance_folder(root: Path, name: str = "pair") -> Path:
    _, a, b = two_disc_scene()
    ids = np.zeros(a.shape, np.uint8)
    ids[a], ids[b] = 1, 2
    root.mkdir(parents=True, exist_ok=True)
    Image.fromarray(ids).save(root / f"{name}.png")
    return root


def _open_pair(qtbot, make_window, tmp_path, gt_instances: str = ""):
    ds = make_two_box_aux(tmp_path / "ds")
    w = make_window(deep_merge(ORACLE, {"gui": {"gt_instances": gt_instances}}))
    w.open_folder(ds, select="pair")
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.mask is not None and not w.busy
                    and len(w.worker.worker.session.objects) == 2, timeout=30000)
    return w


def _critic_of(w, index: int):
    return w.worker.worker.session.objects[index].core.critic


def _log(w) -> str:
    return w.log_panel.text.toPlainText()


def test_each_object_is_judged_against_its_own_instance(qtbot, make_window, tmp_path):
    folder = _instance_folder(tmp_path / "inst")
    w = _open_pair(qtbot, make_window, tmp_path, str(folder))
    img, a, b = two_disc_scene()
    first, second = _critic_of(w, 0), _critic_of(w, 1)
    assert first.gt_match["instance"] == 1 and np.array_equal(first.gt, a)
    assert second.gt_match["instance"] == 2 and np.array_equal(second.gt, b)
    # object 2's mask spilled onto object 1: the union would see nothing wrong, object 2's oracle puts
    # negative points on object 1
    pts = second.propose_points(CriticView(img, a | b, BOX_B, []), InstanceInfo(), 4).parsed
    assert pts and all(p.label is PointLabel.NEG and a[int(p.y), int(p.x)] for p in pts)
    assert _log(w).count(f"oracle: per-object GT from {folder / 'pair.png'}") == 1, _log(w)


def test_without_a_map_the_oracle_uses_the_union_then_settings_switch_it(qtbot, make_window, tmp_path):
    w = _open_pair(qtbot, make_window, tmp_path)
    _, a, b = two_disc_scene()
    second = _critic_of(w, 1)
    assert second.gt_match is None and np.array_equal(second.gt, a | b)
    assert _log(w).count("oracle: union GT") == 1, _log(w)
    # the folder chosen in Settings applies to the open image: its objects are bound again
    folder = _instance_folder(tmp_path / "inst")
    w.apply_settings(deep_merge(w.settings, {"gui": {"gt_instances": str(folder)}}))
    qtbot.waitUntil(lambda: "per-object GT" in _log(w) and not w.busy, timeout=20000)
    second = _critic_of(w, 1)
    assert second.gt_match["instance"] == 2 and np.array_equal(second.gt, b)


def test_a_broken_map_gives_one_line_and_the_union(qtbot, make_window, tmp_path):
    folder = tmp_path / "inst"
    folder.mkdir()
    (folder / "pair.png").write_bytes(b"not a png")
    w = _open_pair(qtbot, make_window, tmp_path, str(folder))
    _, a, b = two_disc_scene()
    assert np.array_equal(_critic_of(w, 1).gt, a | b)
    lines = [line for line in _log(w).splitlines() if "pair.png" in line and "oracle" in line]
    assert len(lines) == 1 and "union GT" in lines[0], _log(w)
    assert "Traceback" not in _log(w)


def test_a_map_of_another_size_is_resized_as_the_cli_does(qtbot, make_window, tmp_path):
    _, a, b = two_disc_scene()
    ids = np.zeros(a.shape, np.uint8)
    ids[a], ids[b] = 1, 2
    folder = tmp_path / "inst"
    folder.mkdir()
    Image.fromarray(ids).resize((a.shape[1] * 2, a.shape[0] * 2), Image.NEAREST).save(folder / "pair.png")
    w = _open_pair(qtbot, make_window, tmp_path, str(folder))
    assert _critic_of(w, 1).gt_match["instance"] == 2


def test_settings_field_and_command_line(qtbot, make_window, tmp_path, qsettings_file):
    from gui.app import build_window, parse_args

    assert parse_args(["--gt-instances", "inst"]).gt_instances == Path("inst")
    w = make_window()
    dlg = SettingsDialog(w.settings, w, out_dir=w.out_dir, work_dir=w.store.work_dir)
    qtbot.addWidget(dlg)
    assert dlg.gt_instances.edit.text() == ""
    dlg.gt_instances.edit.setText(str(tmp_path / "inst"))
    w.accept_settings(dlg)
    assert open_qsettings().value("gui/gt_instances") == str(tmp_path / "inst")
    assert w.settings["gui"]["gt_instances"] == str(tmp_path / "inst")
    # --gt-instances wins over the stored folder for this session and is not stored
    win, _, _ = build_window(["--gt-instances", str(tmp_path / "cli"), "--settings", str(tmp_path / "none.json")])
    qtbot.addWidget(win)
    try:
        assert win.settings["gui"]["gt_instances"] == str(tmp_path / "cli")
        assert open_qsettings().value("gui/gt_instances") == str(tmp_path / "inst")
    finally:
        win.worker.stop()
