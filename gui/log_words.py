"""The log panel in the window's language for the program's own words: the names of the worker's jobs
("open took 0.47s") and why Auto stopped (engine/sculpt/rounds.py's stop reasons). Text that matches none of
the patterns (a model's reply, an error) is shown as it came."""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CTX = "LogWords"
JOBS: dict[str, str] = {
    "open": QT_TRANSLATE_NOOP("LogWords", "open"),
    "run": QT_TRANSLATE_NOOP("LogWords", "run"),
    "add_object": QT_TRANSLATE_NOOP("LogWords", "new object"),
    "add_point": QT_TRANSLATE_NOOP("LogWords", "add point"),
    "move_point": QT_TRANSLATE_NOOP("LogWords", "move point"),
    "remove_points": QT_TRANSLATE_NOOP("LogWords", "remove points"),
    "set_box": QT_TRANSLATE_NOOP("LogWords", "ROI"),
    "paint": QT_TRANSLATE_NOOP("LogWords", "brush"),
    "propose": QT_TRANSLATE_NOOP("LogWords", "propose"),
    "apply": QT_TRANSLATE_NOOP("LogWords", "apply"),
    "auto": QT_TRANSLATE_NOOP("LogWords", "auto"),
    "decide": QT_TRANSLATE_NOOP("LogWords", "accept/reject"),
    "save": QT_TRANSLATE_NOOP("LogWords", "save"),
    "export": QT_TRANSLATE_NOOP("LogWords", "export"),
    "restore": QT_TRANSLATE_NOOP("LogWords", "undo/redo"),
    "configure": QT_TRANSLATE_NOOP("LogWords", "settings"),
}
STOPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^nothing proposed in round (\d+)$"), QT_TRANSLATE_NOOP("LogWords", "nothing proposed in round {0}")),
    (re.compile(r"^converged in round (\d+) \(IoU ([\d.]+)\)$"),
     QT_TRANSLATE_NOOP("LogWords", "converged in round {0} (IoU {1})")),
    (re.compile(r"^round (\d+) proposed what a reverted round did: stopped$"),
     QT_TRANSLATE_NOOP("LogWords", "round {0} proposed what a reverted round did: stopped")),
    (re.compile(r"^rounds done$"), QT_TRANSLATE_NOOP("LogWords", "rounds done")),
)


def job_name(op: str) -> str:
    """A worker job's name as the log shows it (the op name when it has no entry)."""
    return QCoreApplication.translate(CTX, JOBS[op]) if op in JOBS else op


def stop_words(message: str) -> str:
    """Why Auto stopped, in the window's language when it is one of the engine's own reasons."""
    for pattern, template in STOPS:
        m = pattern.match(message)
        if m:
            return QCoreApplication.translate(CTX, template).format(*m.groups())
    return message
