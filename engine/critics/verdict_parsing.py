"""Parse a VLM's verdict reply ({"better": "A" | "B" | "same", "confidence": ..., "reason": ...}) with the
parser's helpers (engine.critics.parsing). A = the mask before the round, B = after. Never raises: an
unusable reply is a fallback "same" with confidence 0 (the round is kept)."""

from __future__ import annotations

import re
from typing import Any

from engine.critics.parsing import MAX_REPLY_CHARS, ParseResult, _number, _text, extract_json
from engine.critics.verdict import Outcome

_KEYS = ("better", "choice", "answer", "winner", "best", "verdict", "outcome", "result")
_AFTER = {"b", "after", "right", "second", "2", "mask b", "image b", "better", "improved"}
_BEFORE = {"a", "before", "left", "first", "1", "mask a", "image a", "worse", "worsened"}
_SAME = {"same", "equal", "tie", "neither", "none", "both", "similar", "no difference", "unchanged", "null", ""}
_BARE = re.compile(r"\b(?:better|answer|choice|winner)\W{0,4}\s*[\"']?\s*(A|B|same)\b", re.I)


def _outcome(value: Any) -> Outcome | None:
    """B (after) is better -> BETTER; A (before) is better -> WORSE."""
    if value is None:
        return Outcome.SAME
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = str(int(value)) if _number(value) is not None and float(value) in (1.0, 2.0) else None
    if not isinstance(value, str):
        return None
    v = value.strip().strip(".").lower()[:40]
    if v in _AFTER:
        return Outcome.BETTER
    if v in _BEFORE:
        return Outcome.WORSE
    if v in _SAME:
        return Outcome.SAME
    return None


def parse_verdict(text: str) -> ParseResult:
    """parsed: (Outcome, confidence 0..1, reason)."""
    data = extract_json(text)
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if isinstance(data, dict):
        lowered = {str(k).strip().lower(): v for k, v in data.items()}
        key = next((k for k in _KEYS if k in lowered), None)
        if key is None:
            return _fallback("reply has no 'better' field")
        outcome = _outcome(lowered[key])
        if outcome is None:
            return _fallback(f"invalid answer {str(lowered[key])[:40]!r} (expected A, B or same)")
        conf = _number(lowered.get("confidence", 1.0))
        confidence = 1.0 if "confidence" not in lowered else min(max(conf or 0.0, 0.0), 1.0)
        return ParseResult((outcome, confidence, _text(lowered.get("reason"))))
    m = _BARE.search(text[:MAX_REPLY_CHARS]) if isinstance(text, str) else None
    if m:  # prose such as 'Answer: B'
        outcome = _outcome(m.group(1))
        if outcome is not None:
            return ParseResult((outcome, 1.0, ""), notes=["answer read from prose"])
    return _fallback("no JSON object in the reply")


def _fallback(why: str) -> ParseResult:
    return ParseResult((Outcome.SAME, 0.0, f"fallback: {why}"), True, why)
