"""What a new dataset builder hit in the window (round 3, /work/coord/s3/H13-findings.md): the backend menus
listed every registered family as if it ran (now: baselines named as baselines, found models plain, the
rest marked 'no weights: see File > Models'), the OpenAI fields showed 'None' (and OK stored it), ..."""

from __future__ import annotations

import json

import pytest

from gui.settings_dialog import SettingsDialog, engine_overrides, open_qsettings


@pytest.fixture
def no_models(bare_discovery):
    """Discovery sees only tmp_path/models (tests/conftest.py bare_discovery)."""
    return bare_discovery


def labels(combo) -> dict[str, str]:
    return {combo.itemData(i): combo.itemText(i) for i in range(combo.count()) if combo.itemData(i)}


def dialog(qtbot, make_window, overrides=None):
    w = make_window(overrides)
    dlg = SettingsDialog(w.settings, w, out_dir=w.out_dir, work_dir=w.store.work_dir)
    qtbot.addWidget(dlg)
    return w, dlg


def test_segmenter_menu_says_what_runs_here(qtbot, make_window, no_models):
    (no_models / "sam2.1-hiera-tiny").mkdir()
    (no_models / "sam2.1-hiera-tiny" / "config.json").write_text(json.dumps({"model_type": "sam2"}), encoding="utf-8")
    _w, dlg = dialog(qtbot, make_window)
    seg = dlg.segmenter
    shown = labels(seg)
    assert shown["grabcut"] == "grabcut (baseline, no weights)", "the baseline is named a baseline"
    assert seg.itemData(0) == "grabcut", "what runs here comes first"
    assert shown["sam2"] == "sam2", "a family whose weights were found is listed plainly"
    for name in ("sam", "sam-hf", "sam-hq", "edgetam", "sam3", "sam-onnx"):
        assert shown[name] == f"{name} (no weights: see File > Models)", shown
    order = [seg.itemData(i) for i in range(seg.count())]
    assert order.index("sam2") < order.index("sam"), "found models before the ones without weights"
    assert seg.current_name() == "grabcut"
    assert "baseline" in seg.hint.text() and "no weights" in seg.hint.text()
    seg.setCurrentText("sam3")  # still selectable (a path may be typed in the same dialog), but said
    assert seg.current_name() == "sam3" and "File > Models" in seg.hint.text()
    seg.setCurrentText("sam2")
    assert str(no_models / "sam2.1-hiera-tiny") in seg.hint.text()
    assert dlg.values()["segmenter/name"] == "sam2", "the setting stores the registry name, not the label"


def test_critic_menu_marks_evaluation_and_missing_keys(qtbot, make_window, no_models, monkeypatch):
    _w, dlg = dialog(qtbot, make_window)
    shown = labels(dlg.critic)
    assert shown["heuristic"] == "heuristic (baseline, no weights)"
    assert shown["oracle"].startswith("oracle (evaluation only")
    assert shown["qwen"] == "qwen (no weights: see File > Models)"
    assert shown["openai"] == "openai (no API key: see File > Models)"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-000")
    _w, dlg2 = dialog(qtbot, make_window)
    assert labels(dlg2.critic)["openai"] == "openai"
    assert "sk-test" not in " ".join(labels(dlg2.critic).values()) + dlg2.critic.hint.text()


def test_unknown_stored_backend_survives_ok(qtbot, make_window, no_models):
    """A stored name the menu does not list (a plug-in not installed today) is kept, not silently replaced."""
    _w, dlg = dialog(qtbot, make_window, {"segmenter": {"name": "my-plugin"}})
    assert dlg.segmenter.current_name() == "my-plugin" and dlg.values()["segmenter/name"] == "my-plugin"


def test_unset_fields_are_empty_not_none(qtbot, make_window, qsettings_file):
    w, dlg = dialog(qtbot, make_window)
    assert dlg.openai_base_url.text() == "" and dlg.openai_model.text() == "", "null settings show as empty"
    w.accept_settings(dlg)  # OK without touching anything
    over = engine_overrides(open_qsettings())
    assert "None" not in qsettings_file.read_text(encoding="utf-8")
    assert "openai" not in over.get("critic", {}).get("options", {}), over


def opened(qtbot, make_window, name="gecko", overrides=None):
    from tests.gui.conftest import SAMPLES

    w = make_window(overrides)
    w.open_folder(SAMPLES, select=name)
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.mask is not None and not w.busy, timeout=30000)
    return w


def test_export_offers_to_save_the_open_image_first(qtbot, make_window, monkeypatch):
    """A new annotator draws, then File > Export: the engine used to answer 'outputs folder not found (give ...
    --outputs DIR)' in the log. The dialog now says what will be exported and saves the open image first."""
    from PySide6.QtWidgets import QDialog

    from gui.export_dialog import ExportDialog

    w = opened(qtbot, make_window)
    seen = {}

    def accept(dlg):
        seen["count"] = dlg.count_label.text()
        seen["save_first"] = dlg.save_first.isVisible() or not dlg.save_first.isHidden()
        dlg.format.setCurrentText("coco")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportDialog, "exec", accept)
    done = []
    w.worker.worker.exported.connect(lambda fmt, out: done.append(out))
    w.export()
    qtbot.waitUntil(lambda: bool(done) and not w.busy, timeout=30000)
    assert seen["save_first"] and "'gecko' is saved first" in seen["count"], seen
    assert (w.out_dir / "gecko" / "final_mask.png").is_file()
    assert (w.out_dir / "export-coco" / "annotations.json").is_file()
    assert w.image_list.state("gecko") == "done"


def test_export_with_nothing_saved_says_what_to_do(qtbot, make_window):
    from gui import commands as c
    from gui.export_dialog import ExportDialog

    w = opened(qtbot, make_window)
    dlg = ExportDialog(w.out_dir, w)  # nothing unsaved offered, nothing saved
    qtbot.addWidget(dlg)
    assert "Nothing is saved in this folder yet" in dlg.count_label.text()
    assert [type(x) for x in dlg.commands()] == [c.Export]
    w.submit(dlg.command())
    qtbot.waitUntil(lambda: "nothing to export" in w.log_panel.text.toPlainText() and not w.busy, timeout=20000)
    log = w.log_panel.text.toPlainText()
    assert "--outputs" not in log and "Ctrl+S" in log


def test_auto_runs_the_rounds_settings_names(qtbot, make_window):
    """Settings > Rounds (Auto) said 1 while the Auto button ran x3: the button now follows the setting."""
    from engine.settings import deep_merge

    w = make_window({"sculpt": {"rounds": 5}})
    assert w.session_panel.auto_rounds.value() == 5
    w.apply_settings(deep_merge(w.settings, {"sculpt": {"rounds": 2}}))
    assert w.session_panel.auto_rounds.value() == 2
    w.apply_settings(deep_merge(w.settings, {"sculpt": {"rounds": 0}}))  # 0 (CLI: no rounds) still lets Auto run one
    assert w.session_panel.auto_rounds.value() == 1


def test_onnx_pair_is_found_by_the_menu_and_the_models_list(qtbot, make_window, no_models):
    """`models export-onnx` writes NAME.encoder.onnx + NAME.decoder.onnx; the list said 'not found' forever."""
    from engine.models.listing import list_rows
    from gui.models_dialog import ModelsDialog

    for part in ("encoder", "decoder"):
        (no_models / f"sam_vit_b.{part}.onnx").write_bytes(b"not a real model")
    row = next(r for r in list_rows({}) if r["family"] == "sam-onnx")
    assert row["status"] == "found" and row["found"][0]["path"].endswith("sam_vit_b.encoder.onnx"), row
    w, dlg = dialog(qtbot, make_window)
    assert labels(dlg.segmenter)["sam-onnx"] == "sam-onnx"
    models = ModelsDialog(w.settings, w)
    qtbot.addWidget(models)
    i = next(i for i, r in enumerate(models.rows) if r["family"] == "sam-onnx")
    assert "sam_vit_b.encoder.onnx" in models.table.item(i, 5).text()


def test_models_dialog_speaks_chinese(qtbot, make_window, no_models, qapp):
    from gui.i18n import install_language
    from gui.models_dialog import ModelsDialog

    assert install_language(qapp, "zh_CN")
    try:
        w = make_window()
        models = ModelsDialog(w.settings, w)
        qtbot.addWidget(models)
        cells = [models.table.item(i, j).text() for i in range(models.table.rowCount()) for j in (1, 3, 5)]
        for english in ("segmenter", "weights", "nothing (no weights)", "not in OPENAI_API_KEY"):
            assert not any(english in cell for cell in cells), (english, cells)
        _w, dlg = dialog(qtbot, make_window)
        assert "基线" in labels(dlg.segmenter)["grabcut"]
    finally:
        install_language(qapp, "en")


def test_export_dialog_counts_the_unsaved_work(qtbot, make_window, tmp_path):
    from gui.export_dialog import ExportDialog

    (tmp_path / "out" / "moth").mkdir(parents=True)
    (tmp_path / "out" / "moth" / "final_mask.png").write_bytes(b"")
    dlg = ExportDialog(tmp_path / "out", None, unsaved="gecko", unsaved_others=2)
    qtbot.addWidget(dlg)
    text = dlg.count_label.text()
    assert text.startswith("2 image(s) will be exported.") and "'gecko' is saved first" in text, text
    assert "2 other image(s) in progress have unsaved work" in text
    dlg.save_first.setChecked(False)
    assert dlg.count_label.text().startswith("1 image(s) will be exported.")
    assert "'gecko'" not in dlg.count_label.text() and len(dlg.commands()) == 1


def test_click_at_the_box_centre_adds_a_point(qtbot, make_window):
    """The ROI's move handle sits at the box centre, where the object usually is: a left click there did
    nothing at all. A click (no drag) is now a positive point; a drag still moves the box."""
    from tests.gui.conftest import click, drag, state_id, wait_state

    w = opened(qtbot, make_window, "flounder")
    x0, y0, x1, y1 = w.snapshot.box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    sid = state_id(w)
    drag(qtbot, w, (cx, cy), (cx + 20, cy + 10))  # a drag on the handle still moves the box
    snap = wait_state(qtbot, w, sid, timeout=15000)
    assert abs(snap.box[0] - (x0 + 20)) < 3 and abs(snap.box[1] - (y0 + 10)) < 3, snap.box
    assert not snap.points, "the drag moved the box and added no point"
    x0, y0, x1, y1 = snap.box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    sid = state_id(w)
    click(qtbot, w, cx, cy)
    snap = wait_state(qtbot, w, sid, timeout=15000)
    assert [(round(p.x), round(p.y), p.positive) for p in snap.points] == [(round(cx), round(cy), True)]
    assert snap.box == (x0, y0, x1, y1)


def test_settings_folders_are_readable(qtbot, make_window):
    _w, dlg = dialog(qtbot, make_window)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.out_dir.edit.width() >= 260 and dlg.work_dir.edit.width() >= 260


def test_log_speaks_the_windows_language(qtbot, make_window, qapp):
    """In Chinese the log said 'open 用时 0.33 秒' and 'auto: nothing proposed in round 1'."""
    from gui.i18n import install_language
    from gui.log_words import job_name, stop_words

    assert install_language(qapp, "zh_CN")
    try:
        assert job_name("open") == "打开" and job_name("something_new") == "something_new"
        assert stop_words("nothing proposed in round 1") == "第 1 轮没有提议点"
        assert stop_words("converged in round 2 (IoU 0.9990)") == "第 2 轮已收敛（交并比 0.9990）"
        assert stop_words("critic failed in round 1 (squares): timeout") == "critic failed in round 1 (squares): timeout"
        w = opened(qtbot, make_window, "moth")
        w.submit("auto", rounds=2)
        qtbot.waitUntil(lambda: not w.busy and bool(w.snapshot.rounds), timeout=60000)
        log = w.log_panel.text.toPlainText()
        assert "nothing proposed in round" not in log and "converged in round" not in log, log
    finally:
        install_language(qapp, "en")
    assert stop_words("nothing proposed in round 1") == "nothing proposed in round 1"


def test_session_panel_names_the_baselines(qtbot, make_window):
    """The panel's rows read 'Segmenter grabcut' / 'Critic heuristic' (in Chinese 分割模型 / 评审模型: 'model'):
    the baselines now say what they are, next to their name (the name label itself stays the name)."""
    from engine.settings import deep_merge

    w = opened(qtbot, make_window, "demo")
    p = w.session_panel
    assert p.segmenter_label.text() == "grabcut" and p.segmenter_role.text() == "(baseline, no weights)"
    assert p.critic_label.text() == "heuristic" and p.critic_role.text() == "(baseline, no weights)"
    w.apply_settings(deep_merge(w.settings, {"critic": {"name": "oracle"}}))
    qtbot.waitUntil(lambda: p.critic_label.text() == "oracle" and not w.busy, timeout=20000)
    assert p.critic_role.text() == "(evaluation only)"


def test_splash_does_not_load_a_baseline(tmp_path):
    from engine.settings import deep_merge, load_settings
    from gui.warmup import preload_segmenter

    said: list[str] = []
    settings = load_settings(tmp_path / "none.json")
    assert preload_segmenter(deep_merge(settings, {"segmenter": {"name": "grabcut"}}), said.append) is not None
    assert said == [], "grabcut is a baseline: the splash never says it loads a model"


def test_right_click_on_a_roi_handle_is_a_negative_point(qtbot, make_window):
    """A negative click near the box corner (where background usually is) landed on the corner handle,
    which takes only the left button, and was lost."""
    from PySide6.QtCore import Qt

    from tests.gui.conftest import click, state_id, wait_state

    w = opened(qtbot, make_window, "flounder")
    x0, y0, x1, y1 = w.snapshot.box
    sid = state_id(w)
    click(qtbot, w, x0 + 1, y0 + 1, Qt.MouseButton.RightButton)
    snap = wait_state(qtbot, w, sid, timeout=15000)
    assert [p.positive for p in snap.points] == [False] and snap.box == (x0, y0, x1, y1)


def test_export_dialog_says_what_each_format_writes(qtbot, tmp_path):
    from gui.export_dialog import FORMAT_WORDS, ExportDialog, export_formats

    dlg = ExportDialog(tmp_path, None)
    qtbot.addWidget(dlg)
    assert set(export_formats()) <= set(FORMAT_WORDS), "every format has its line"
    dlg.format.setCurrentText("yolo")
    assert "YOLO" in dlg.format_words.text() and dlg.simplify.isEnabled()
    dlg.format.setCurrentText("cod")
    assert "COD10K" in dlg.format_words.text() and not dlg.simplify.isEnabled(), "a mask format: nothing to simplify"


def test_a_plain_folder_says_how_to_start(qtbot, make_window, tmp_path):
    """A folder of plain images has no boxes: the window opened on the image with nothing to say."""
    from PIL import Image

    from tests.gui.conftest import SAMPLES

    root = tmp_path / "伪装 数据集"  # a Chinese user's folder: non-ASCII and a space
    root.mkdir()
    Image.open(SAMPLES / "images" / "moth.png").convert("RGB").save(root / "飞蛾 1.jpg")
    w = make_window()
    assert w.open_folder(root)
    qtbot.waitUntil(lambda: w.snapshot is not None and not w.busy, timeout=30000)
    assert not w.snapshot.objects
    notice = w.session_panel.notice
    assert not notice.isHidden() and "drag a box around the object" in notice.text()


def test_an_empty_folder_says_what_it_expects(qtbot, make_window, tmp_path):
    (tmp_path / "empty").mkdir()
    w = make_window()
    w.open_folder(tmp_path / "empty")
    log = w.log_panel.text.toPlainText()
    assert "no images in" in log and ".jpg" in log and "images/" in log, log


def test_a_segmenter_without_weights_does_not_break_the_session(qtbot, make_window, no_models):
    """Settings > sam2 (no weights) + OK: the worker logged the error, the panel then said 'sam2' while
    grabcut ran, and opening the next image failed ('open: segmenter sam2: no model_dir ...')."""
    from engine.settings import deep_merge

    w = opened(qtbot, make_window, "moth")
    sid = state_id_of(w)
    w.apply_settings(deep_merge(w.settings, {"segmenter": {"name": "sam2"}}))
    qtbot.waitUntil(lambda: "sam2 cannot be used" in w.log_panel.text.toPlainText() and not w.busy, timeout=20000)
    assert "still using grabcut" in w.log_panel.text.toPlainText()
    qtbot.waitUntil(lambda: w.snapshot.state_id >= sid and not w.busy, timeout=10000)
    assert w.session_panel.segmenter_label.text() == "grabcut"
    w.navigate(-1)  # another image opens with the segmenter that works
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.name != "moth" and w.snapshot.mask is not None
                    and not w.busy, timeout=30000)
    assert "open: segmenter" not in w.log_panel.text.toPlainText()


def state_id_of(w) -> int:
    return w.snapshot.state_id if w.snapshot is not None else 0


def test_ok_with_a_segmenter_that_cannot_run_asks_first(qtbot, make_window, no_models, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    answer = {"value": QMessageBox.StandardButton.No}

    def question(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return answer["value"]

    monkeypatch.setattr(QMessageBox, "question", question)
    _w, dlg = dialog(qtbot, make_window)
    dlg.segmenter.setCurrentText("sam3")
    dlg.accept()
    assert asked and "sam3" in asked[0] and dlg.result() != dlg.DialogCode.Accepted, "No: back to the dialog"
    answer["value"] = QMessageBox.StandardButton.Yes
    dlg.accept()
    assert dlg.result() == dlg.DialogCode.Accepted
    # a checkpoint typed in the same dialog makes sam available: no question
    ckpt = tmp_path / "sam_vit_b_01ec64.pth"
    ckpt.write_bytes(b"x")
    asked.clear()
    _w, dlg2 = dialog(qtbot, make_window)
    dlg2.segmenter.setCurrentText("sam")
    dlg2.sam_checkpoint.edit.setText(str(ckpt))
    dlg2.accept()
    assert not asked and dlg2.result() == dlg2.DialogCode.Accepted
    _w, dlg3 = dialog(qtbot, make_window)  # the baseline never asks
    dlg3.accept()
    assert not asked and dlg3.result() == dlg3.DialogCode.Accepted


def test_a_stored_segmenter_without_weights_opens_with_the_baseline(qtbot, make_window, no_models):
    """The next start after choosing sam2 anyway: every image failed to open. Now the baseline opens them."""
    w = opened(qtbot, make_window, "moth", {"segmenter": {"name": "sam2"}})
    log = w.log_panel.text.toPlainText()
    assert "sam2 cannot be used" in log and "using the baseline grabcut" in log, log
    assert w.session_panel.segmenter_label.text() == "grabcut" and w.snapshot.mask.any()


def test_save_automatically_when_moving_on(qtbot, make_window, qsettings_file):
    """labelme has File > Save Automatically: moving to the next image
    left the edited one unsaved, so Export did not have it."""
    from tests.gui.conftest import click, state_id, wait_state

    w = opened(qtbot, make_window, "flounder")
    act = w.actions_by_name["save_automatically"]
    assert act.isCheckable() and not act.isChecked(), "off unless chosen (the old behaviour)"
    act.trigger()
    assert act.isChecked() and open_qsettings().value("gui/save_automatically") == "true"
    x0, y0, x1, y1 = w.snapshot.box
    sid = state_id(w)
    click(qtbot, w, x0 + 0.4 * (x1 - x0), y0 + 0.4 * (y1 - y0))
    wait_state(qtbot, w, sid)
    assert w.image_list.state("flounder") == "in progress"
    w.navigate(1)
    qtbot.waitUntil(lambda: w.image_list.state("flounder") == "done" and w.snapshot is not None
                    and w.snapshot.name == "gecko" and not w.busy, timeout=30000)
    assert (w.out_dir / "flounder" / "final_mask.png").is_file()
    w2 = make_window()
    assert w2.actions_by_name["save_automatically"].isChecked(), "remembered"


def test_help_menu_names_what_it_opens(qtbot, make_window):
    """Help held one item, 'This list' (本列表): a list of what?"""
    w = make_window()
    help_menu = w.menuBar().actions()[-1].menu()
    assert [a.text() for a in help_menu.actions()] == ["Keyboard shortcuts (this list)"]


def test_heuristic_evidence_is_a_setting_and_the_silence_says_so(qtbot, make_window, qsettings_file):
    """With the default heuristic, Propose / Auto on the samples propose nothing; the knob that changes
    that (critic.options.heuristic.min_evidence) was only in settings.json."""
    from tests.gui.conftest import state_id, wait_state

    w = opened(qtbot, make_window, "moth")
    sid = state_id(w)
    w.submit("propose")
    wait_state(qtbot, w, sid)
    assert not w.snapshot.rounds[-1].proposals, "the default heuristic is silent on moth"
    assert "heuristic min. evidence" in w.session_panel.abstain.text()
    _w, dlg = dialog(qtbot, make_window)
    assert dlg.min_evidence.value() == 0.25
    dlg.min_evidence.setValue(0.05)
    w.accept_settings(dlg)
    assert engine_overrides(open_qsettings())["critic"]["options"]["heuristic"]["min_evidence"] == 0.05
    assert w.settings["critic"]["options"]["heuristic"]["min_evidence"] == 0.05


def test_after_a_new_box_the_status_says_how_to_click(qtbot, make_window):
    """After B + drag the window stays in ROI mode, where a click selects instead of adding a point."""
    from PySide6.QtCore import Qt

    from tests.gui.conftest import drag

    w = opened(qtbot, make_window, "demo")
    qtbot.keyClick(w.view, Qt.Key.Key_B)
    assert "draw a box" in w.statusBar().currentMessage()
    n = len(w.snapshot.objects)
    drag(qtbot, w, (20, 20), (120, 110))
    qtbot.waitUntil(lambda: len(w.snapshot.objects) == n + 1 and not w.busy, timeout=20000)
    assert "press 1 (Points)" in w.statusBar().currentMessage()


def test_edit_panel_says_which_inpainter_runs(qtbot, no_models):
    """The Edit tab's Inpainter menu listed sd (Stable Diffusion, no weights here) as if it ran."""
    from gui.edit_panel import EditPanel

    panel = EditPanel({"edit": {"inpainter": {"name": "opencv"}}})
    qtbot.addWidget(panel)
    combo = panel.inpainter_combo
    assert combo.current_name() == "opencv" and "baseline" in combo.hint.text()
    combo.setCurrentText("sd")
    assert combo.currentText() == "sd", "the items keep their bare names"
    assert "No weights found for sd" in combo.hint.text()
    from PySide6.QtCore import Qt

    assert "no weights" in combo.itemData(combo.findData("sd"), Qt.ItemDataRole.ToolTipRole)


def test_a_finished_download_says_where_to_choose_it(qtbot, make_window, no_models):
    """After File > Models > Download the window still segments with grabcut: the dialog now says so."""
    from types import SimpleNamespace

    from gui.models_dialog import ModelsDialog

    w = make_window()
    dlg = ModelsDialog(w.settings, w)
    qtbot.addWidget(dlg)
    dlg.worker = SimpleNamespace(family="sam2")
    dlg._on_finished("/models/sam2.1-hiera-tiny")
    assert "Downloaded to /models/sam2.1-hiera-tiny" in dlg.status.text()
    assert "choose sam2 in Settings > Segmenter" in dlg.status.text()
    dlg.worker = None


def test_image_list_says_how_far_the_dataset_is(qtbot, make_window):
    w = opened(qtbot, make_window, "demo")
    assert w.image_list.progress.text() == "0 of 4 done, 0 in progress, 0 flagged"
    w.save()
    qtbot.waitUntil(lambda: w.image_list.state("demo") == "done", timeout=20000)
    w.toggle_flag()
    assert w.image_list.progress.text() == "0 of 4 done, 0 in progress, 1 flagged"
    w.toggle_flag()
    assert w.image_list.progress.text().startswith("1 of 4 done")


def test_models_dialog_names_the_baselines(qtbot, make_window, no_models):
    from gui.models_dialog import ModelsDialog

    w = make_window()
    dlg = ModelsDialog(w.settings, w)
    qtbot.addWidget(dlg)
    kinds = {r["family"]: dlg.table.item(i, 1).text() for i, r in enumerate(dlg.rows)}
    assert kinds["grabcut"] == "segmenter (baseline)" and kinds["heuristic"] == "critic (baseline)"
    assert kinds["oracle"] == "critic (evaluation only)" and kinds["sam2"] == "segmenter"
