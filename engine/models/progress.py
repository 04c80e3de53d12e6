"""Progress, cancel and a wall-clock deadline shared by the downloaders (the CLI shows a tqdm bar; the GUI
passes a callback and a cancel flag from its worker thread)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.errors import BackendError

TRUE = ("1", "true", "yes", "on", "TRUE", "True", "YES", "ON")


class DownloadCancelled(BackendError):
    """The user cancelled, or the wall-clock deadline passed; partial files are kept for a resume."""


@dataclass
class ProgressHook:
    callback: Callable[[int, int | None, str], None] | None = None  # (bytes done, bytes total, what)
    cancel: threading.Event = field(default_factory=threading.Event)
    deadline_s: float | None = None  # whole download, wall clock
    show_bar: bool = True  # a tqdm bar on stderr (the CLI)
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if self.cancel.is_set():
            raise DownloadCancelled("download cancelled (partial files kept: run it again to resume)")
        if self.deadline_s is not None and time.monotonic() - self.started > self.deadline_s:
            raise DownloadCancelled(f"download stopped at its {self.deadline_s:.0f} s deadline "
                                    "(partial files kept: run it again to resume)")

    def report(self, done: int, total: int | None, what: str) -> None:
        if self.callback is not None:
            self.callback(int(done), None if total is None else int(total), what)


def bars_disabled() -> bool:
    """HF_HUB_DISABLE_PROGRESS_BARS (huggingface_hub's own switch) also silences our bars."""
    return os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS", "") in TRUE


def hooked_tqdm(hook: ProgressHook) -> type:
    """A tqdm class for huggingface_hub's tqdm_class: every update checks cancel/deadline and reports bytes."""
    from tqdm.auto import tqdm

    class HookedTqdm(tqdm):  # type: ignore[misc]
        def __init__(self, *args, **kwargs):
            kwargs.pop("name", None)
            kwargs["disable"] = not hook.show_bar or bars_disabled()
            self._hook_n = int(kwargs.get("initial") or 0)
            self._hook_total = kwargs.get("total")
            self._hook_bytes = kwargs.get("unit") == "B"
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            hook.check()
            self._hook_n += int(n or 0)
            if self._hook_bytes:  # a disabled tqdm has no desc and may have no total: read them defensively
                total = getattr(self, "total", None) or self._hook_total
                hook.report(self._hook_n, int(total) if total else None, str(getattr(self, "desc", "") or ""))
            return super().update(n)

    return HookedTqdm
