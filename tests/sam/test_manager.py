"""ModelManager: lazy loads, unload frees, LRU eviction within a per-device budget, reports."""

from __future__ import annotations

import gc
import weakref

import torch

from engine.models.manager import ModelManager, configure_from_settings, get_manager, measure_bytes


class Blob:
    """A stand-in 'model' with a known size (the manager does not care what it holds)."""


def test_lazy_load_unload_frees_and_reload():
    m = ModelManager()
    loads = []
    m.register("net", lambda: loads.append(1) or torch.nn.Linear(100, 100), size_bytes=1)
    assert loads == [] and not m.is_loaded("net")
    ref = weakref.ref(m.get("net"))
    assert loads == [1] and m.get("net") is ref() and loads == [1]
    assert m.report()[0]["size_mb"] == round((100 * 100 + 100) * 4 / 1e6, 1)  # measured, not the estimate
    assert m.unload("net", "test")
    gc.collect()
    assert ref() is None and not m.is_loaded("net")
    assert not m.unload("net")  # already unloaded
    m.get("net")
    assert loads == [1, 1] and any("reloaded" in e for e in m.events)


def test_budget_evicts_least_recently_used_first():
    m = ModelManager(budget_bytes=100)
    for key in ("a", "b", "c"):
        m.register(key, Blob, size_bytes=40)
    m.get("a")
    m.get("b")
    m.get("a")  # a is now more recent than b
    m.get("c")  # 120 > 100: b must go, not a
    assert [m.is_loaded(k) for k in "abc"] == [True, False, True]
    assert any(e.startswith("unloaded b") and "to make room for c" in e for e in m.events)
    m.get("b")  # reload on demand: now a is the least recently used
    assert [m.is_loaded(k) for k in "abc"] == [False, True, True]


def test_budget_is_per_device_and_oversized_models_still_load():
    m = ModelManager(budget_bytes=100)
    m.register("cpu-model", Blob, size_bytes=90, device="cpu")
    m.register("gpu-a", Blob, size_bytes=60, device="cuda:0")
    m.register("gpu-b", Blob, size_bytes=60, device="cuda:0")
    m.register("huge", Blob, size_bytes=500, device="cuda:0")
    m.get("cpu-model")
    m.get("gpu-a")
    m.get("gpu-b")
    assert m.is_loaded("cpu-model") and not m.is_loaded("gpu-a") and m.is_loaded("gpu-b")
    m.get("huge")  # larger than the whole budget: everything else on that device goes, it loads anyway
    assert m.is_loaded("huge") and not m.is_loaded("gpu-b") and m.is_loaded("cpu-model")


def test_unload_hook_runs_and_failures_do_not_keep_models():
    m = ModelManager()
    seen = []
    m.register("x", Blob, unload_hook=lambda model: seen.append(type(model).__name__))
    m.register("y", Blob, unload_hook=lambda model: 1 / 0)
    m.get("x")
    m.get("y")
    m.unload_all("shutdown")
    assert seen == ["Blob"] and not m.is_loaded("x") and not m.is_loaded("y")


def test_memory_report_and_settings():
    m = get_manager()
    m.register("lin", lambda: torch.nn.Linear(10, 10))
    m.get("lin")
    rep = m.memory_report()
    assert rep["process_rss_mb"] and rep["process_rss_mb"] > 10
    assert rep["models"][0]["key"] == "lin" and rep["models"][0]["loaded"] and isinstance(rep["cuda"], list)
    assert configure_from_settings({"models": {"budget_mb": 1.5}}).budget_bytes == 1_500_000
    assert configure_from_settings({"models": {"budget_mb": None}}).budget_bytes is None
    assert measure_bytes((torch.nn.Linear(2, 2), {"b": torch.nn.Linear(1, 1)})) == (6 + 2) * 4
    assert measure_bytes(object()) == 0
