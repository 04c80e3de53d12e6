"""The window in Chinese (zh_CN catalogue compiled from resources/translations/*.ts), the language
choice (--lang > setting > system locale), and both themes readable."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtWidgets import QDockWidget

from gui.i18n import TRANSLATIONS, choose_language, install_language, qm_path
from gui.shortcuts import HelpDialog

CJK = re.compile(r"[\u4e00-\u9fff]")
TS = TRANSLATIONS / "sam_sculpt_zh_CN.ts"


@pytest.fixture
def chinese(qapp):
    assert install_language(qapp, "zh_CN"), f"{qm_path('zh_CN')} did not load"
    yield
    install_language(qapp, "en")


def test_window_in_chinese(qtbot, make_window, chinese):
    w = make_window()
    menus = [a.text() for a in w.menuBar().actions()]
    assert menus and all(CJK.search(t) for t in menus), menus
    file_menu = w.menuBar().actions()[0].menu()
    assert all(CJK.search(a.text()) for a in file_menu.actions() if a.text()), [a.text() for a in file_menu.actions()]
    dock = w.findChild(QDockWidget, "dock-Session")
    assert CJK.search(dock.windowTitle())
    panel = w.session_panel
    texts = [panel.run_button.text(), panel.propose_button.text(), panel.apply_button.text(),
             panel.accept_all_button.text(), panel.proposals.horizontalHeaderItem(2).text(),
             panel.rounds.horizontalHeaderItem(3).text()]
    assert all(CJK.search(t) for t in texts), texts
    assert panel.rounds.horizontalHeaderItem(3).text() == "交并比变化"
    help_dlg = HelpDialog(w)
    qtbot.addWidget(help_dlg)
    assert CJK.search(help_dlg.windowTitle())
    rows = [help_dlg.table.item(r, 1).text() for r in range(help_dlg.table.rowCount())]
    assert all(CJK.search(t) for t in rows), [t for t in rows if not CJK.search(t)]
    # the worker's own words (also those of its mixin) come translated; model replies are not touched
    assert w.worker.worker.tr("draw an ROI box first") == "请先画一个 ROI 框"
    assert w.worker.worker.tr("open an image first") == "请先打开一张图像"


def test_translations_are_finished():
    root = ET.parse(TS).getroot()
    unfinished = [m.findtext("source") for m in root.iter("message")
                  if m.find("translation").get("type") == "unfinished" or not (m.find("translation").text or "").strip()]
    assert not unfinished, unfinished
    assert qm_path("zh_CN").exists() and qm_path("zh_CN").stat().st_mtime >= TS.stat().st_mtime - 5
    # placeholders survive translation
    for m in root.iter("message"):
        src, tr = m.findtext("source"), m.find("translation").text or ""
        assert sorted(re.findall(r"\{\d[^}]*\}", src)) == sorted(re.findall(r"\{\d[^}]*\}", tr)), src


def test_language_choice(monkeypatch):
    assert choose_language("zh_CN", "en") == "zh_CN"
    assert choose_language(None, "zh_CN") == "zh_CN"
    assert choose_language("en", "zh_CN") == "en"
    monkeypatch.setattr("gui.i18n.system_language", lambda: "zh_CN")
    assert choose_language(None, None) == "zh_CN" and choose_language("auto", "auto") == "zh_CN"


def test_both_themes_readable(qapp):
    from gui.theme import _COLOURS, apply_theme, base_colour, colour, contrast, current_theme

    try:
        for theme in ("light", "dark"):
            assert apply_theme(qapp, theme) == theme and current_theme() == theme
            base = base_colour()
            for key in _COLOURS[theme]:
                if key in ("canvas",):
                    continue
                assert contrast(colour(key), base) >= 4.5, (theme, key, colour(key).name(), base.name())
            pal = qapp.palette()
            assert contrast(pal.color(pal.ColorRole.Text), pal.color(pal.ColorRole.Base)) >= 7
    finally:
        apply_theme(qapp, "dark")


def test_heuristic_words_translated_model_replies_kept(chinese):
    from gui.critic_words import localise

    text = "leak 0.00, miss 0.64; region 2 looks like the object (0.53)"
    assert localise(text, "heuristic") == "泄漏 0.00，遗漏 0.64; 区域 2 像目标（0.53）"
    assert localise(text, "qwen") == text, "a model's reply is shown as it came"
    # every reason the heuristic writes comes out whole in Chinese (not an English head on a Chinese tail)
    assert localise("no clear evidence where a point would go", "heuristic") == "没有明确证据表明点应放在哪里"
    strict = localise("no clear evidence that the change helped (policy strict): leak 0.20, miss 0.10", "heuristic")
    assert strict.startswith("没有明确证据表明这次修改有帮助") and "policy" not in strict


def test_language_and_theme_settings_apply_at_start(qtbot, make_window, qapp, qsettings_file):
    from gui.app import apply_look
    from gui.settings_dialog import SettingsDialog, open_qsettings
    from gui.theme import apply_theme

    w = make_window()
    dlg = SettingsDialog(w.settings, w, out_dir=w.out_dir, work_dir=w.store.work_dir)
    qtbot.addWidget(dlg)
    dlg.language.setCurrentIndex(dlg.language.findData("zh_CN"))
    dlg.theme.setCurrentIndex(dlg.theme.findData("light"))
    dlg.save(open_qsettings())
    try:
        assert apply_look(qapp, []) == ("zh_CN", "light")  # the stored choice, at the next start
        assert apply_look(qapp, ["--lang", "en", "--theme", "dark"]) == ("en", "dark")  # the command line wins
    finally:
        install_language(qapp, "en")
        apply_theme(qapp, "dark")
