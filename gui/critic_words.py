"""The heuristic critic's reasons are the program's own words (not a model's reply), so the window
shows them in its language; a VLM's reply is shown exactly as it came. Patterns follow
engine/critics/heuristic.py; text that matches none is left as it is."""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

OWN_WORDS_CRITICS = ("heuristic",)  # critics whose reasons are written by this program

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"leak ([\d.]+), miss ([\d.]+)"), QT_TRANSLATE_NOOP("CriticWords", "leak {0}, miss {1}")),
    (re.compile(r"region 1 looks like background \(([\d.]+)\)"),
     QT_TRANSLATE_NOOP("CriticWords", "region 1 looks like background ({0})")),
    (re.compile(r"region 2 looks like the object \(([\d.]+)\)"),
     QT_TRANSLATE_NOOP("CriticWords", "region 2 looks like the object ({0})")),
    (re.compile(r"leaked background \((\d+) px\)"), QT_TRANSLATE_NOOP("CriticWords", "leaked background ({0} px)")),
    (re.compile(r"missed object \((\d+) px\)"), QT_TRANSLATE_NOOP("CriticWords", "missed object ({0} px)")),
    (re.compile(r"the round changed only (\d+) px"), QT_TRANSLATE_NOOP("CriticWords", "the round changed only {0} px")),
    (re.compile(r"(\d+%) of the (\d+) changed px agree with the colour/texture model, (\d+%) contradict it"),
     QT_TRANSLATE_NOOP("CriticWords", "{0} of the {1} changed px agree with the colour/texture model, {2} contradict it")),
    (re.compile(r"colour statistics cannot confirm this change on a camouflaged object \(policy conservative; "),
     QT_TRANSLATE_NOOP("CriticWords", "colour statistics cannot confirm this change on a camouflaged object "
                                      "(policy conservative; ")),
    (re.compile(r"no clear evidence where a point would go"),
     QT_TRANSLATE_NOOP("CriticWords", "no clear evidence where a point would go")),
    (re.compile(r"no clear evidence that the change helped \(policy strict\): "),
     QT_TRANSLATE_NOOP("CriticWords", "no clear evidence that the change helped (policy strict): ")),
    (re.compile(r"no clear evidence: "), QT_TRANSLATE_NOOP("CriticWords", "no clear evidence: ")),
)


def localise(text: str, critic: str) -> str:
    """`text` in the window's language when `critic` writes its own words; otherwise unchanged."""
    if not text or critic not in OWN_WORDS_CRITICS:
        return text
    for pattern, template in PATTERNS:
        translated = QCoreApplication.translate("CriticWords", template)
        if translated == template:
            continue  # English (or no translation): the engine's text is already right
        text = pattern.sub(lambda m, t=translated: t.format(*m.groups()), text)
    return text
