"""What keeps the UI thread from waiting (issue #17, item 5).

Measured with benchmarks/ui_responsiveness.py and a stack sampler of the worker thread: the long
UI stalls of `open` all came from work that holds the GIL in one C call while the window is live:
importing big extension modules (onnxruntime, torch.onnx: seconds of dlopen + module init),
torch.onnx.export's graph passes (~350 ms each) and onnxruntime's InferenceSession creation
(~300 ms) when the SAM decoder is exported on first use, plus the checkpoint load and model build.
The embedding itself releases the GIL (torch ops), and so do the critic and refine steps.

So the window loads the configured segmenter's model BEFORE it becomes interactive (a splash says
what is loading), on the main thread, through the model manager; the worker then finds it there.
Loading a different model from Settings later still happens on the worker (and may stall briefly, once).

The worker thread is NOT given a lower CPU priority (it was nice +5): threads inherit their creator's
nice value, and Qt starts its own image/paint helper pool from whichever thread first needs it - often
the worker, which renders the overlays - so the pool ran niced too, and the UI thread, waiting in a
repaint for those helpers while the encoder kept the other core busy, stalled for 100-280 ms
(py-spy: QLatch::waitInternal under QProgressBar::paintEvent). benchmarks/ui_responsiveness.py, quiet
2-core machine: 123-281 ms with the nice and the busy-bar animation, 17.6 / 35.4 ms without both."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any

WORKER_NICE = 0  # see the module docstring: a niced worker makes Qt's helper threads niced too


def preload_segmenter(settings: dict[str, Any], say: Callable[[str], None] = lambda _m: None):
    """Builds the configured segmenter and loads its model (None when it has none, e.g. grabcut).
    Returns the segmenter, for the worker to reuse; errors are left to the worker to report."""
    if not settings.get("gui", {}).get("preload_models", True):
        return None
    from engine.models.listing_choices import Role, role_of
    from engine.sculpt.runner import build_segmenter
    from gui.worker import with_ui_core

    name = settings["segmenter"]["name"]
    if role_of("segmenters", name) is not Role.BASELINE:  # a baseline loads nothing: no 'loading grabcut...'
        say(name)
    try:
        seg = build_segmenter(with_ui_core(settings))
        load = getattr(seg, "model", None)
        if callable(load):
            load()
    except Exception:  # noqa: BLE001 - the worker builds it again and reports the error in the log
        return None
    return seg


def same_torch_threads_here() -> None:
    """torch's thread count set while the model loaded on the main thread, applied again on this
    thread: with an OpenMP build the count is a per-thread setting, and the worker must not use
    every core (the UI thread needs one)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            torch.set_num_threads(max(1, int(torch.get_num_threads())))
        except (RuntimeError, ValueError):
            pass


def lower_this_thread_priority(nice: int = WORKER_NICE) -> bool:
    """Raise the calling thread's nice value (Linux threads have their own); True when it worked.
    Threads it starts later (e.g. torch's intra-op pool) inherit it."""
    if nice <= 0 or not sys.platform.startswith("linux"):
        return False
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        return True
    except (OSError, AttributeError):
        return False
