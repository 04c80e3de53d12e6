"""The model manager: models are loaded lazily by key, unloaded explicitly or to fit a memory
budget, and reloaded when asked for again. One process-wide instance: get_manager().

The budget is per device (a model on the CPU does not compete with one on the GPU). Before a model
is loaded, the least recently used models on its device are unloaded until it fits; every load
and unload is logged with its reason and kept in `events`. Callers hold on to a model only for the
duration of a call (get() each time), so an unload really frees the memory."""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("sam_sculpt.models")
MB = 1e6


@dataclass
class _Entry:
    loader: Callable[[], Any]
    size_bytes: int  # estimate at register time; replaced by the measured size after loading when known
    device: str = "cpu"
    model: Any = None
    loaded_at: float = 0.0
    last_used: float = 0.0
    load_seconds: float = 0.0
    loads: int = 0
    unload_hook: Callable[[Any], None] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class ModelManager:
    def __init__(self, budget_bytes: int | None = None) -> None:
        self.budget_bytes = budget_bytes  # None = no budget
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first
        self._lock = threading.RLock()
        self.events: list[str] = []  # what was loaded/unloaded and why (also logged)

    def set_budget(self, budget_bytes: int | None) -> None:
        with self._lock:
            self.budget_bytes = None if budget_bytes is None else int(budget_bytes)

    def register(self, key: str, loader: Callable[[], Any], size_bytes: int = 0, device: str = "cpu",
                 unload_hook: Callable[[Any], None] | None = None) -> None:
        """Declare how to load `key`; nothing is loaded yet. Re-registering a loaded key is a no-op."""
        with self._lock:
            old = self._entries.get(key)
            if old is not None and old.model is not None:
                return  # already registered and loaded
            entry = _Entry(loader, int(size_bytes), str(device), unload_hook=unload_hook)
            if old is not None:
                entry.loads = old.loads
                if old.loads and not size_bytes:
                    entry.size_bytes = old.size_bytes  # keep the measured size across reloads
            self._entries[key] = entry

    def is_registered(self, key: str) -> bool:
        return key in self._entries

    def is_loaded(self, key: str) -> bool:
        e = self._entries.get(key)
        return e is not None and e.model is not None

    def get(self, key: str) -> Any:
        with self._lock:
            if key not in self._entries:
                raise KeyError(f"model '{key}' is not registered")
            e = self._entries[key]
            if e.model is None:
                self._make_room(key, e.size_bytes, e.device)
                t = time.perf_counter()
                e.model = e.loader()
                e.load_seconds = time.perf_counter() - t
                e.loaded_at = time.time()
                e.loads += 1
                measured = measure_bytes(e.model)
                if measured:
                    e.size_bytes = measured
                again = " (reloaded)" if e.loads > 1 else ""
                self._event(f"loaded {key}{again} ({e.size_bytes / MB:.0f} MB on {e.device}) in {e.load_seconds:.2f}s")
            e.last_used = time.time()
            self._entries.move_to_end(key)
            return e.model

    def unload(self, key: str, reason: str = "asked") -> bool:
        with self._lock:
            e = self._entries.get(key)
            if e is None or e.model is None:
                return False
            model, e.model = e.model, None
            if e.unload_hook is not None:
                try:
                    e.unload_hook(model)
                except Exception as exc:  # a failing hook must not keep the model alive
                    log.warning("unload hook of %s failed: %s", key, exc)
            del model
            self._event(f"unloaded {key} ({e.size_bytes / MB:.0f} MB on {e.device}): {reason}")
        free_memory()
        return True

    def unload_all(self, reason: str = "asked") -> None:
        for key in list(self._entries):
            self.unload(key, reason)

    def loaded_bytes(self, device: str | None = None) -> int:
        return sum(e.size_bytes for e in self._entries.values() if e.model is not None and (device is None or e.device == device))

    def report(self) -> list[dict[str, Any]]:
        """One row per registered model, least recently used first."""
        with self._lock:
            return [{"key": k, "loaded": e.model is not None, "size_mb": round(e.size_bytes / MB, 1), "device": e.device,
                     "loads": e.loads, "load_s": round(e.load_seconds, 3),
                     "idle_s": round(time.time() - e.last_used, 1) if e.last_used else None}
                    for k, e in self._entries.items()]

    def memory_report(self) -> dict[str, Any]:
        """The models plus what the process and the accelerators actually hold right now."""
        return {"budget_mb": None if self.budget_bytes is None else round(self.budget_bytes / MB, 1),
                "loaded_mb": round(self.loaded_bytes() / MB, 1), "models": self.report(), **system_memory()}

    def _make_room(self, key: str, size: int, device: str) -> None:
        if self.budget_bytes is None:
            return
        if size > self.budget_bytes:
            log.warning("%s (%.0f MB) is larger than the %.0f MB budget on its own; loading it anyway",
                        key, size / MB, self.budget_bytes / MB)
        for other, e in list(self._entries.items()):  # least recently used first
            if self.loaded_bytes(device) + size <= self.budget_bytes:
                break
            if other != key and e.model is not None and e.device == device:
                self.unload(other, f"to make room for {key} ({size / MB:.0f} MB) within the "
                                   f"{self.budget_bytes / MB:.0f} MB budget on {device}")

    def _event(self, text: str) -> None:
        self.events.append(text)
        del self.events[:-200]
        log.info(text)


def measure_bytes(obj: Any) -> int:
    """Bytes of the torch parameters and buffers in obj (a module, or a tuple/list/dict of them,
    or an object such as a diffusers pipeline exposing `components`); 0 when unknown."""
    try:
        import torch
    except ImportError:
        return 0
    seen: set[int] = set()

    def walk(o: Any, depth: int = 0) -> int:
        if depth > 2 or id(o) in seen:
            return 0
        seen.add(id(o))
        if isinstance(o, torch.nn.Module):
            return sum(t.numel() * t.element_size() for t in list(o.parameters()) + list(o.buffers()))
        if isinstance(o, (tuple, list)):
            return sum(walk(v, depth + 1) for v in o)
        if isinstance(o, dict):
            return sum(walk(v, depth + 1) for v in o.values())
        components = getattr(o, "components", None)
        if isinstance(components, dict):
            return walk(components, depth + 1)
        return 0

    return walk(obj)


def process_rss_bytes() -> int | None:
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:
        pass
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def system_memory() -> dict[str, Any]:
    rss = process_rss_bytes()
    out: dict[str, Any] = {"process_rss_mb": None if rss is None else round(rss / MB, 1), "cuda": [], "mps_allocated_mb": None}
    try:
        import torch
    except ImportError:
        return out
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            free, total = torch.cuda.mem_get_info(i)
            out["cuda"].append({"device": f"cuda:{i}", "allocated_mb": round(torch.cuda.memory_allocated(i) / MB, 1),
                                "reserved_mb": round(torch.cuda.memory_reserved(i) / MB, 1),
                                "free_mb": round(free / MB, 1), "total_mb": round(total / MB, 1)})
    mps = getattr(torch, "mps", None)
    if mps is not None and getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        out["mps_allocated_mb"] = round(mps.current_allocated_memory() / MB, 1)
    return out


def free_memory() -> None:
    gc.collect()
    try:
        import torch
    except ImportError:
        return
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    mps = getattr(torch, "mps", None)
    if mps is not None and getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        mps.empty_cache()


_MANAGER: ModelManager | None = None
_MANAGER_LOCK = threading.Lock()


def get_manager() -> ModelManager:
    global _MANAGER
    with _MANAGER_LOCK:
        if _MANAGER is None:
            _MANAGER = ModelManager()
        return _MANAGER


def configure_from_settings(settings: dict[str, Any]) -> ModelManager:
    """Apply settings['models']['budget_mb'] (null = no budget) to the process-wide manager."""
    budget_mb = (settings.get("models") or {}).get("budget_mb")
    manager = get_manager()
    manager.set_budget(None if budget_mb is None else int(float(budget_mb) * MB))
    return manager
