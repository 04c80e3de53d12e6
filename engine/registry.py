"""Backends register themselves by name; the catalogue says which module holds a name so heavy
modules (torch, transformers) are imported only when that backend is asked for."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from engine.errors import BackendError
from engine.resources import catalogue_path

T = TypeVar("T")

CATALOGUE_PATH = catalogue_path()  # resources/catalogue.json, installed or in a checkout


def install_hint(extra: str) -> str:
    """The one command that installs an extra, for error messages (works outside a checkout too)."""
    return f"pip install 'sam-sculpt[{extra}]'"


def missing_extra(what: str, extra: str, exc: ImportError | None = None) -> BackendError:
    """`<what> needs <package>, which is not installed; install it with: pip install 'sam-sculpt[x]'`."""
    pkg = (exc.name if exc is not None and exc.name else None) or extra
    return BackendError(f"{what} needs {pkg}, which is not installed; install it with: {install_hint(extra)}")


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
                import difflib

                close = difflib.get_close_matches(str(name), self.names(), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]}?" if close else ""
                raise BackendError(f"unknown {self.kind[:-1]} '{name}' (known: {', '.join(self.names())}{hint})")
            try:
                importlib.import_module(entry["module"])
            except ImportError as exc:
                extra = entry.get("extra", "all")
                raise BackendError(
                    f"{self.kind[:-1]} '{name}' needs a package that is not installed ({exc.name or exc}); "
                    f"install it with: {install_hint(extra)}"
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
