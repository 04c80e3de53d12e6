"""Backends register themselves by name; the catalogue says which module holds a name so heavy
modules (torch, transformers) are imported only when that backend is asked for."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from engine.errors import BackendError

T = TypeVar("T")

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "resources" / "catalogue.json"


def load_catalogue() -> dict[str, dict[str, dict[str, Any]]]:
    with open(CATALOGUE_PATH, encoding="utf-8") as f:
        return json.load(f)


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "segmenters" | "critics" | "inpainters" | ... (a key of the catalogue)
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        def decorator(factory: Callable[..., T]) -> Callable[..., T]:
            self._factories[name] = factory
            return factory

        return decorator

    def names(self) -> list[str]:
        listed = set(load_catalogue().get(self.kind, {}))
        return sorted(listed | set(self._factories))

    def describe(self, name: str) -> dict[str, Any]:
        return dict(load_catalogue().get(self.kind, {}).get(name, {}))

    def factory(self, name: str) -> Callable[..., T]:
        if name not in self._factories:
            entry = load_catalogue().get(self.kind, {}).get(name)
            if entry is None:
                raise BackendError(f"unknown {self.kind[:-1]} '{name}' (known: {', '.join(self.names())})")
            try:
                importlib.import_module(entry["module"])
            except ImportError as exc:
                extra = entry.get("extra", "all")
                raise BackendError(
                    f"{self.kind[:-1]} '{name}' needs a package that is not installed ({exc.name or exc}); "
                    f"install it with: pip install -e '.[{extra}]'"
                ) from exc
        if name not in self._factories:
            raise BackendError(f"module for {self.kind[:-1]} '{name}' did not register it")
        return self._factories[name]

    def create(self, name: str, **options: Any) -> T:
        return self.factory(name)(**options)


SEGMENTERS: Registry[Any] = Registry("segmenters")
CRITICS: Registry[Any] = Registry("critics")
INPAINTERS: Registry[Any] = Registry("inpainters")
LOCALISERS: Registry[Any] = Registry("localisers")
