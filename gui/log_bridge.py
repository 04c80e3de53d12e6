"""The engine's log records in the window's log panel. A logging.Handler on the `sam_sculpt` logger
tree hands each record's text to the UI thread through a Qt signal (records come from the worker and
prefetch threads). Shown: WARNING and above from every sam_sculpt logger, INFO from the segmenter,
ONNX and model-manager loggers. The text is the engine's own (English); keys are masked on the way."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QObject, Signal

from engine.critics.secrets import RedactingFilter

ROOT = "sam_sculpt"
INFO_LOGGERS = ("sam_sculpt.sam", "sam_sculpt.onnx", "sam_sculpt.models", "sam_sculpt.sam_onnx", "sam_sculpt.sam_hf",
                "sam_sculpt.hf_sam", "sam_sculpt.sam3")
_active: list[LogBridge] = []
_saved_levels: dict[str, int] = {}


def wanted(record: logging.LogRecord) -> bool:
    if record.levelno >= logging.WARNING:
        return True
    return record.levelno >= logging.INFO and any(
        record.name == n or record.name.startswith(n + ".") for n in INFO_LOGGERS)


class _Handler(logging.Handler):
    def __init__(self, bridge: LogBridge) -> None:
        super().__init__(logging.INFO)
        self.bridge = bridge
        self.addFilter(wanted)
        self.addFilter(RedactingFilter())

    def emit(self, record: logging.LogRecord) -> None:
        if self.bridge.until_another and _active and _active[-1] is not self.bridge:
            return  # a startup bridge: the window's own bridge has taken over
        try:
            text = record.getMessage()
            if record.levelno >= logging.WARNING:
                text = f"{record.levelname}: {text}"
            self.bridge.line.emit(text)
        except RuntimeError:  # the bridge's C++ object is gone (a window deleted without closing)
            self.bridge.remove()
        except Exception:  # noqa: BLE001 - logging must never raise into the engine
            self.handleError(record)


class LogBridge(QObject):
    """install() on the UI thread; connect `line` to the log panel; remove() when the window closes."""

    line = Signal(str)

    def __init__(self, parent: QObject | None = None, until_another: bool = False) -> None:
        super().__init__(parent)
        self.until_another = until_another  # stop passing records on once a later bridge is installed
        self.handler = _Handler(self)

    def install(self) -> None:
        if self in _active:
            return
        if not _active:  # INFO records of these loggers must be made at all (the root's default is WARNING)
            for name in INFO_LOGGERS:
                lg = logging.getLogger(name)
                if lg.getEffectiveLevel() > logging.INFO:
                    _saved_levels[name] = lg.level
                    lg.setLevel(logging.INFO)
        _active.append(self)
        logging.getLogger(ROOT).addHandler(self.handler)

    def remove(self) -> None:
        logging.getLogger(ROOT).removeHandler(self.handler)
        if self in _active:
            _active.remove(self)
        if not _active:
            for name, level in _saved_levels.items():
                logging.getLogger(name).setLevel(level)
            _saved_levels.clear()

    @property
    def installed(self) -> bool:
        return self.handler in logging.getLogger(ROOT).handlers


def console_logging() -> None:
    """The terminal keeps getting the engine's warnings once the window's handler is on the tree
    (Python's last-resort stderr handler only speaks when no handler is found)."""
    root = logging.getLogger(ROOT)
    if not any(getattr(h, "_sculpt_console", False) for h in root.handlers):
        h = logging.StreamHandler(sys.stderr)
        h.setLevel(logging.WARNING)
        h.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        h.addFilter(RedactingFilter())
        h._sculpt_console = True  # type: ignore[attr-defined]
        root.addHandler(h)
