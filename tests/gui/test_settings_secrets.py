"""Settings are stored with QSettings and never contain an API key."""

from __future__ import annotations

from gui.settings_dialog import SettingsDialog, engine_overrides, open_qsettings, store

SECRET = "sk-test-DO-NOT-STORE-1234567890"


def test_settings_never_store_api_keys(qtbot, make_window, qsettings_file, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("DASHSCOPE_API_KEY", SECRET)
    w = make_window()
    dlg = SettingsDialog(w.settings, w)
    qtbot.addWidget(dlg)
    dlg.critic.setCurrentText("openai")
    dlg.openai_base_url.setText("http://localhost:8000/v1")
    dlg.openai_model.setText("qwen-vl-test")
    dlg.ratio.setValue(0.5)
    dlg.anchors_k.setValue(4)
    qs = open_qsettings()
    dlg.save(qs)
    store(qs, {"critic/openai_api_key": SECRET, "critic/token": SECRET})  # refused, silently
    qs.sync()

    text = qsettings_file.read_text(encoding="utf-8")
    assert SECRET not in text
    assert "api_key" not in text.lower() and "token" not in text.lower()
    over = engine_overrides(open_qsettings())
    assert over["critic"]["name"] == "openai"
    assert over["critic"]["options"]["openai"] == {"base_url": "http://localhost:8000/v1", "model": "qwen-vl-test"}
    assert over["sculpt"]["ratio"] == 0.5 and over["sculpt"]["anchors_k"] == 4


def test_settings_reach_the_worker(qtbot, make_window):
    from engine.settings import deep_merge
    from tests.gui.conftest import SAMPLES, state_id, wait_state

    w = make_window({"critic": {"name": "heuristic", "options": {"heuristic": {"min_evidence": 0.1}}}})
    w.open_folder(SAMPLES, select="moth")
    qtbot.waitUntil(lambda: w.snapshot is not None and w.snapshot.mask is not None and not w.busy, timeout=30000)
    w.apply_settings(deep_merge(w.settings, {"sculpt": {"ratio": 0.3}}))
    sid = state_id(w)
    w.submit("propose")
    snap = wait_state(qtbot, w, sid)
    x0, y0, x1, y1 = snap.box
    assert snap.squares and all(abs(sq.side - round(0.3 * min(x1 - x0, y1 - y0))) <= 1 for sq in snap.squares)
