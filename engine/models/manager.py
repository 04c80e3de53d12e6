"""The model manager: models are loaded lazily by key, unloaded explicitly or to fit a memory
budget, and reloaded when asked for again. One process-wide instance: get_manager()."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("sam_sculpt.models")


@dataclass
class _Entry:
    loader: Callable[[], Any]
    size_bytes: int  # estimate, used for the budget
    device: str = "cpu"
    model: Any = None
    loaded_at: float = 0.0
    last_used: float = 0.0
    unload_hook: Callable[[Any], None] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class ModelManager:
    def __init__(self, budget_bytes: int | None = None) -> None:
        self.budget_bytes = budget_bytes  # None = no budget
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first
        self._lock = threading.RLock()
        self.events: list[str] = []  # what was loaded/unloaded and why (also logged)

    def register(self, key: str, loader: Callable[[], Any], size_bytes: int = 0, device: str = "cpu",
                 unload_hook: Callable[[Any], None] | None = None) -> None:
        with self._lock:
            old = self._entries.get(key)
            if old is not None and old.model is not None:
                return  # already registered and loaded
            self._entries[key] = _Entry(loader, int(size_bytes), device, unload_hook=unload_hook)

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
                e.loaded_at = time.time()
                self._event(f"loaded {key} ({e.size_bytes / 1e6:.0f} MB on {e.device}) in {time.perf_counter() - t:.2f}s")
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
                e.unload_hook(model)
            del model
            self._event(f"unloaded {key} ({reason})")
        free_memory()
        return True

    def unload_all(self, reason: str = "asked") -> None:
        for key in list(self._entries):
            self.unload(key, reason)

    def loaded_bytes(self, device: str | None = None) -> int:
        return sum(e.size_bytes for e in self._entries.values() if e.model is not None and (device is None or e.device == device))

    def report(self) -> list[dict[str, Any]]:
        return [{"key": k, "loaded": e.model is not None, "size_mb": round(e.size_bytes / 1e6, 1), "device": e.device}
                for k, e in self._entries.items()]

    def _make_room(self, key: str, size: int, device: str) -> None:
        if self.budget_bytes is None:
            return
        for other, e in list(self._entries.items()):  # least recently used first
            if self.loaded_bytes(device) + size <= self.budget_bytes:
                break
            if other != key and e.model is not None and e.device == device:
                self.unload(other, f"to make room for {key} within the {self.budget_bytes / 1e6:.0f} MB budget")

    def _event(self, text: str) -> None:
        self.events.append(text)
        log.info(text)


def free_memory() -> None:
    gc.collect()
    try:
        import torch
    except ImportError:
        return
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


_MANAGER: ModelManager | None = None


def get_manager() -> ModelManager:
    global _MANAGER
    if _MANAGER is None:
        _MANAGER = ModelManager()
    return _MANAGER
