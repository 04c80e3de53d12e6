"""The backend menus never wait for discovery on the UI thread (issue #17): the keyring lookup (the measured
cost) runs on a discovery thread, the items are relabelled when it answers, the annotator's choice is kept, and
a second open fills from the cache without any discovery on the UI thread."""

from __future__ import annotations

import threading

import pytest

import engine.models.listing_choices as lc
from engine.settings import load_settings
from gui.settings_dialog import SettingsDialog


@pytest.fixture
def bare(bare_discovery, tmp_path):
    """Settings over a discovery that sees only tmp_path/models (tests/conftest.py bare_discovery)."""
    return load_settings(tmp_path / "no-user-settings.json")


@pytest.fixture
def gated_keyring(monkeypatch):
    """A stand-in for the keyring that blocks until the test opens the gate, then has a key for OPENAI_API_KEY
    only; it records the threads it was called on."""
    import engine.critics.secrets as secrets

    pytest.importorskip("openai")  # without it the openai critic is 'not installed', whatever the keyring says
    gate = threading.Event()
    threads: list[threading.Thread] = []

    def slow_keyring_stub(user: str) -> str | None:
        threads.append(threading.current_thread())
        gate.wait(10)
        return "sk-stub-keyring-value-0001" if user == "OPENAI_API_KEY" else None

    monkeypatch.setattr(secrets, "_from_keyring", slow_keyring_stub)
    yield gate, threads
    gate.set()


def label(combo, name: str) -> str:
    return combo.itemText(combo.findData(name))


def test_settings_opens_before_the_keyring_answers(qtbot, bare, gated_keyring):
    gate, threads = gated_keyring
    dlg = SettingsDialog(bare)  # with the keyring on the UI thread this would wait for the gate (10 s)
    qtbot.addWidget(dlg)
    dlg.show()
    assert not gate.is_set() and label(dlg.critic, "openai") == "openai (no API key: see File > Models)"
    qtbot.waitUntil(lambda: len(threads) > 0, timeout=5000)
    assert threading.main_thread() not in threads, "the keyring was asked on the UI thread"
    dlg.critic.setCurrentText("qwen")  # the annotator chooses before the answer comes
    with qtbot.waitSignal(dlg.critic.refreshed, timeout=10000):
        gate.set()
    assert label(dlg.critic, "openai") == "openai", "relabelled from the full answer"
    assert dlg.critic.current_name() == "qwen", "a choice made before the refresh is kept"
    assert dlg.values()["critic/name"] == "qwen"


def test_a_second_open_runs_no_discovery_on_the_ui_thread(qtbot, bare, gated_keyring, monkeypatch):
    gate, _threads = gated_keyring
    gate.set()
    first = SettingsDialog(bare)
    qtbot.addWidget(first)
    kinds = ("segmenters", "critics")
    qtbot.waitUntil(lambda: all(lc.cached_choices(k, names(first, k), bare) is not None for k in kinds),
                    timeout=10000)
    on_ui: list[str] = []
    real_choice = lc.choice

    def recording_choice_stub(kind, name, settings=None, keyring=True):
        if threading.current_thread() is threading.main_thread():
            on_ui.append(f"{kind}/{name}")
        return real_choice(kind, name, settings, keyring)

    monkeypatch.setattr(lc, "choice", recording_choice_stub)
    second = SettingsDialog(bare)
    qtbot.addWidget(second)
    assert on_ui == [], on_ui
    assert label(second.critic, "openai") == "openai", "the cached full answer, keyring included"
    assert label(second.segmenter, "grabcut") == "grabcut (baseline, no weights)"


def names(dlg: SettingsDialog, kind: str) -> list[str]:
    from engine.registry import CRITICS, SEGMENTERS

    return (SEGMENTERS if kind == "segmenters" else CRITICS).names()


def test_an_answer_while_the_menu_is_open_waits_for_it_to_close(qtbot, bare, gated_keyring):
    gate, _threads = gated_keyring
    dlg = SettingsDialog(bare)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    combo = dlg.critic
    combo.showPopup()
    qtbot.waitUntil(lambda: combo.view().isVisible(), timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: combo._pending is not None, timeout=10000)
    assert label(combo, "openai").startswith("openai (no API key"), "items do not move under the pointer"
    with qtbot.waitSignal(combo.refreshed, timeout=5000):
        combo.hidePopup()
    assert label(combo, "openai") == "openai"


def test_the_models_dialog_makes_the_menus_look_again(qtbot, bare, tmp_path):
    from gui.models_dialog import ModelsDialog

    lc.refresh_choices("inpainters", ["opencv", "sd"], bare)
    assert lc.cached_choices("inpainters", ["opencv", "sd"], bare) is not None
    dlg = ModelsDialog(bare)  # opening it (and Refresh, and a finished download) re-reads the weights
    qtbot.addWidget(dlg)
    assert lc.cached_choices("inpainters", ["opencv", "sd"], bare) is None
