"""The Session panel names the loaded model as the user knows it (backend, weights file, device, dtype,
size, and what the clicks run on), and the engine's log records reach the window's log panel."""

from __future__ import annotations

import logging
import threading

import pytest

from gui.loaded_models import describe_loaded


@pytest.fixture
def fresh_manager(tmp_path, monkeypatch):
    import engine.models.manager as mm
    from tests.segmenters.isolation import isolate_user_dirs

    isolate_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setattr(mm, "_MANAGER", mm.ModelManager())
    yield
    mm._MANAGER.unload_all("test finished")


@pytest.fixture(scope="module")
def tiny_sam_pth(tmp_path_factory):
    torch = pytest.importorskip("torch")
    pytest.importorskip("segment_anything")
    from tests.sam.conftest import build_tiny_sam

    path = tmp_path_factory.mktemp("gui_sam") / "sam_vit_b_random.pth"
    torch.save(build_tiny_sam().state_dict(), path)
    return path


def _sam(path, runtime: str) -> dict:
    return {"segmenter": {"name": "sam", "options": {"sam": {"checkpoint": str(path), "runtime": runtime,
                                                             "disk_cache": False}}}}


@pytest.mark.parametrize("runtime, words", [("auto", "clicks: ONNX Runtime"), ("torch", "clicks: torch")])
def test_loaded_row_names_the_model_and_the_decoder_runtime(qtbot, make_window, fresh_manager, tiny_sam_pth,
                                                            runtime, words):
    if runtime == "auto":
        pytest.importorskip("onnxruntime")
    from tests.gui.conftest import open_sample

    w = open_sample(qtbot, make_window, "demo", _sam(tiny_sam_pth, runtime))
    label = w.session_panel.models_label
    qtbot.waitUntil(lambda: words in label.text(), timeout=60000)
    text = label.text()
    assert text.startswith("sam \u00b7 sam_vit_b_random.pth \u00b7 cpu \u00b7 float32 \u00b7 ")
    assert str(tiny_sam_pth.parent) not in text and ":auto:" not in text  # the name, not the cache key
    assert "MB" in text and str(tiny_sam_pth) in label.toolTip()
    if runtime == "auto":  # the engine's INFO line, from the worker thread, in the log panel
        assert "decoder exported to ONNX" in w.log_panel.text.toPlainText()


def test_describe_loaded_reads_other_keys_without_a_segmenter():
    report = [{"key": "qwen:/m/Qwen2.5-VL-3B:cuda:0:4bit", "loaded": True, "size_mb": 2000.0, "device": "cuda:0"},
              {"key": "sam:C:\\models\\sam_vit_h.pth:cpu:float16:torch:none", "loaded": True, "size_mb": 1.0,
               "device": "cpu"},
              {"key": "clip:/m/clip:cpu", "loaded": False, "size_mb": 1.0, "device": "cpu"}]
    qwen, sam = describe_loaded(report)
    assert (qwen.backend, qwen.weights, qwen.device, qwen.dtype, qwen.runtime) == ("qwen", "Qwen2.5-VL-3B", "cuda:0",
                                                                                   "", None)
    assert (sam.backend, sam.weights, sam.dtype) == ("sam", "sam_vit_h.pth", "float16")


def _log_on_worker(qtbot, w, logger: str, level: int, text: str) -> None:
    from PySide6.QtCore import QTimer

    where = []

    def emit() -> None:
        where.append(threading.current_thread() is threading.main_thread())
        logging.getLogger(logger).log(level, text)

    QTimer.singleShot(0, w.worker.worker, emit)  # runs on the worker's thread
    qtbot.waitUntil(lambda: bool(where), timeout=10000)
    assert where == [False]


def test_engine_warning_from_the_worker_thread_reaches_the_log_panel(qtbot, make_window):
    w = make_window()
    log = w.log_panel.text
    _log_on_worker(qtbot, w, "sam_sculpt.sam", logging.WARNING,
                   "sam: the ONNX decoder's masks match torch only to IoU 0.9000 (< 0.99): using torch")
    qtbot.waitUntil(lambda: "match torch only to IoU 0.9000" in log.toPlainText(), timeout=10000)
    assert "WARNING: sam: the ONNX decoder's masks" in log.toPlainText()
    _log_on_worker(qtbot, w, "sam_sculpt.onnx", logging.INFO, "sam: decoder exported to ONNX in 1.4s")
    _log_on_worker(qtbot, w, "sam_sculpt.critics", logging.INFO, "critic chatter")
    _log_on_worker(qtbot, w, "sam_sculpt.store", logging.WARNING, "store trouble")
    qtbot.waitUntil(lambda: "store trouble" in log.toPlainText(), timeout=10000)
    assert "decoder exported to ONNX in 1.4s" in log.toPlainText()
    assert "critic chatter" not in log.toPlainText()  # INFO only from the segmenter/ONNX/model-manager loggers


def test_closing_the_window_removes_its_handler(qtbot, make_window):
    root = logging.getLogger("sam_sculpt")
    before = list(root.handlers)
    w = make_window()
    assert w.log_bridge.handler in root.handlers and w.log_bridge.installed
    assert logging.getLogger("sam_sculpt.sam").getEffectiveLevel() <= logging.INFO
    w.close()
    assert not w.log_bridge.installed
    assert root.handlers == before
