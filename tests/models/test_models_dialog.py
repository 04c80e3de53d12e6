"""The GUI Models dialog: the same list as `models list`, and a download on a QThread worker with progress
and Cancel (a loopback server stands in for the network; the downloader itself is the real one)."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

pytest.importorskip("PySide6")
pytestmark = pytest.mark.gui

from engine.models import download as dl  # noqa: E402

from .hf_server import LoopbackHub  # noqa: E402


@pytest.fixture
def hub():
    h = LoopbackHub().start()
    yield h
    h.stop()


@pytest.fixture
def dialog(qtbot, tmp_path, monkeypatch):
    from gui.models_dialog import ModelsDialog

    monkeypatch.setenv("SAM_SCULPT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    dlg = ModelsDialog({}, dest=tmp_path / "models")
    qtbot.addWidget(dlg)
    return dlg


def _use_loopback(monkeypatch, hub, name: str, data: bytes) -> str:
    """Stub: the `sam` plan's URL points at the loopback server instead of the official host."""
    hub.state.files[name] = data
    real_plan = dl.plan

    def loopback_plan(family, variant=None, source="hf", dest_root=None):
        p = real_plan(family, variant, source, dest_root)
        entry = {"url": f"{hub.url}/files/{name}", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        return dl.Plan(p.family, p.variant, "url", entry["url"], p.dest.with_name(name), entry)

    monkeypatch.setattr("gui.models_dialog.plan", loopback_plan)
    return name


def test_dialog_lists_the_families(dialog):
    names = [dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())]
    assert {"sam", "sam-hf", "qwen", "qwen3", "dashscope", "clip", "sd", "grabcut"} <= set(names)
    dialog.select_family("qwen3")
    variants = [dialog.variant.itemData(i) for i in range(dialog.variant.count())]
    assert variants == ["4b", "2b", "8b"] and dialog.variant.currentData() == "4b"
    dialog.select_family("grabcut")
    assert not dialog.download_button.isEnabled()  # nothing to download


def test_download_runs_off_the_ui_thread_with_progress(dialog, qtbot, hub, monkeypatch, tmp_path):
    data = os.urandom(2 << 20)
    name = _use_loopback(monkeypatch, hub, "sam_vit_b_01ec64.pth", data)
    threads, seen = [], []
    real_download = dl.download

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return real_download(*args, **kwargs)

    monkeypatch.setattr("gui.models_dialog.download", spy)
    dialog.select_family("sam")
    dialog.start_download()
    dialog.worker.progress.connect(lambda d, t, w: seen.append((d, t)))
    with qtbot.waitSignal(dialog.worker.finished, timeout=30000):
        pass
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10000)
    assert threads and threads[0] is not threading.main_thread()
    assert (tmp_path / "models" / name).read_bytes() == data
    assert seen and seen[-1] == (len(data), len(data)) and dialog.bar.value() == 1000
    assert "Downloaded to" in dialog.status.text()
    row = next(r for r in dialog.rows if r["family"] == "sam")
    assert row["status"] == "found"  # the list was refreshed


def test_cancel_stops_the_download_and_keeps_the_partial_file(dialog, qtbot, hub, monkeypatch, tmp_path):
    hub.state.throttle_s = 0.02  # 64 KB per 20 ms: 8 MB takes ~2.5 s
    name = _use_loopback(monkeypatch, hub, "sam_vit_b_01ec64.pth", os.urandom(8 << 20))
    dialog.select_family("sam")
    dialog.start_download()
    worker = dialog.worker
    with qtbot.waitSignal(worker.progress, timeout=20000):
        pass
    with qtbot.waitSignal(worker.cancelled, timeout=20000):
        dialog.cancel_button.click()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10000)
    assert "Cancelled" in dialog.status.text()
    assert not (tmp_path / "models" / name).exists() and (tmp_path / "models" / f"{name}.part").is_file()
