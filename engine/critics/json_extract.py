"""Finding the JSON in a VLM reply: code fences, prose around it, trailing commas, single quotes,
Python literals, unquoted keys, truncation, bracket soup. Used by engine.critics.parsing (which
re-exports extract_json); never raises on a bad reply (None when there is no usable JSON)."""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any

MAX_REPLY_CHARS = 20_000  # longer replies are cut: a runaway generation must not cost seconds to parse
MAX_REPAIR_ATTEMPTS = 12  # cut points tried when closing a truncated value
MAX_STARTS = 24  # opening brackets tried as the start of the JSON: bounds the cost of bracket soup


_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*(.*?)(?:```|$)", re.S)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_UNQUOTED_KEY = re.compile(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:")
_PY_LITERALS = {"True": "true", "False": "false", "None": "null"}
_PY_LITERAL_RE = re.compile(r"\b(True|False|None)\b")


def extract_json(text: str) -> Any | None:
    """The first JSON object or array found in a reply, repaired if needed; None if there is none."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text[:MAX_REPLY_CHARS]
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for chunk in candidates:
        value = _first_json_value(chunk)
        if value is not None:
            return value
    return None


def _first_json_value(text: str) -> Any | None:
    starts = [i for i, ch in enumerate(text) if ch in "{["][:MAX_STARTS]
    repaired_once = False
    for start in starts:
        # closing a truncated value is costly; only the first value that runs off the end gets it (later
        # starts inside that same unclosed value would repeat the work)
        value, truncated = _value_at(text, start, close_truncated=not repaired_once)
        repaired_once = repaired_once or truncated
        if value is not None:
            return value
    return None


def _value_at(text: str, start: int, close_truncated: bool = True) -> tuple[Any | None, bool]:
    """Scan one bracketed value from `start`; if it never closes (truncated), close it at the last
    safe cut points. Tries strict JSON first, then the repaired text. Returns (value, ran off the end)."""
    end, quote, expected, cuts = _scan(text, start, len(text))
    if end == _BROKEN:
        return None, False
    if end is not None:
        return _loads_lenient(text[start:end]), False
    if not close_truncated:
        return None, True
    # truncated: close the open string and brackets, then try the longest complete prefixes (each cut is
    # rescanned once for its closers: at most MAX_REPAIR_ATTEMPTS passes, so bracket soup stays linear)
    value = _loads_lenient(text[start:] + (quote or "") + "".join(reversed(expected)))
    if value is not None:
        return value, True
    for cut in reversed(cuts):
        owed = _scan(text, start, cut)[2]
        value = _loads_lenient(text[start:cut] + "".join(reversed(owed)))
        if value is not None:
            return value, True
    return None, True


_BROKEN = -1  # _scan's end for a closer that does not match


def _scan(text: str, start: int, stop: int) -> tuple[int | None, str | None, list[str], deque[int]]:
    """One pass over text[start:stop] from an opening bracket: (the end just after the value's closing
    bracket, _BROKEN for a closer that does not match, or None when it runs on to `stop`; the quote still
    open at `stop`; the closers owed there, outermost first; the last ends of complete prefixes (before
    a ',' or after a close))."""
    quote: str | None = None
    escaped = False
    cuts: deque[int] = deque(maxlen=MAX_REPAIR_ATTEMPTS)
    expected: list[str] = []
    for i in range(start, stop):
        ch = text[i]
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "{[":
            expected.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not expected or expected[-1] != ch:
                return _BROKEN, quote, expected, cuts
            expected.pop()
            if not expected:
                return i + 1, quote, expected, cuts
            cuts.append(i + 1)
        elif ch == ",":
            cuts.append(i)
    return None, quote, expected, cuts


def _loads_lenient(chunk: str) -> Any | None:
    for attempt in (chunk, _repair(chunk)):
        try:
            return json.loads(attempt, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            continue
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


def _repair(chunk: str) -> str:
    s = chunk
    if "'" in s:
        s = _swap_single_quotes(s)
    s = _PY_LITERAL_RE.sub(lambda m: _PY_LITERALS[m.group(1)], s)
    s = _UNQUOTED_KEY.sub(lambda m: f'{m.group(1)}"{m.group(2)}":', s)
    s = _TRAILING_COMMA.sub(r"\1", s)
    return s


def _swap_single_quotes(s: str) -> str:
    """Single-quoted strings become double-quoted ones; double quotes inside them are escaped."""
    out: list[str] = []
    quote: str | None = None
    escaped = False
    for ch in s:
        if quote:
            if escaped:
                escaped = False
                out.append(ch)
            elif ch == "\\":
                escaped = True
                out.append(ch)
            elif ch == quote:
                quote = None
                out.append('"')
            elif ch == '"' and quote == "'":
                out.append('\\"')
            else:
                out.append(ch)
        elif ch in "\"'":
            quote = ch
            out.append('"')
        else:
            out.append(ch)
    return "".join(out)
