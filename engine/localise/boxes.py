"""Several grounding boxes from one VLM reply (`locate --all`): every four-number box in the JSON (or,
without JSON, every [a, b, c, d] in the text), each mapped through the same coordinate convention as
parse_box, duplicates (IoU > 0.8 with an earlier box) dropped, at most `max_boxes`."""

from __future__ import annotations

import json
import re
from typing import Any

from engine.critics.parsing import CoordMap, ParseResult, extract_json, parse_box
from engine.geometry.boxes import box_iou
from engine.types import Box

_BOX_KEYS = ("bbox_2d", "bbox", "box", "box_2d")
_FOUR = re.compile(r"[\[(]\s*-?[\d.]+\s*,\s*-?[\d.]+\s*,\s*-?[\d.]+\s*,\s*-?[\d.]+\s*[\])]")
MAX_CHARS = 20000


def _candidates(data: Any, out: list[Any], depth: int = 0) -> None:
    if depth > 20 or len(out) > 200:
        return
    if isinstance(data, list) and len(data) == 4 and all(isinstance(v, (int, float, str)) for v in data):
        out.append(data)
    elif isinstance(data, list):
        for item in data:
            _candidates(item, out, depth + 1)
    elif isinstance(data, dict):
        for key in _BOX_KEYS:
            if key in data:
                _candidates(data[key], out, depth + 1)
                return
        if all(k in data for k in ("x0", "y0", "x1", "y1")):
            out.append([data["x0"], data["y0"], data["x1"], data["y1"]])
            return
        for v in data.values():
            _candidates(v, out, depth + 1)


def parse_all_boxes(text: str, coords: CoordMap, max_boxes: int = 20) -> ParseResult:
    """ParseResult(list[Box]); fallback (with an empty list) when the reply holds no usable box."""
    try:
        raw: list[Any] = []
        _candidates(extract_json(text), raw)
        if not raw and isinstance(text, str):
            raw = [m.group(0) for m in _FOUR.finditer(text[:MAX_CHARS])]
        boxes: list[Box] = []
        for cand in raw:
            got = parse_box(cand if isinstance(cand, str) else json.dumps(cand), coords)
            if got.parsed is not None and all(box_iou(got.parsed, b) <= 0.8 for b in boxes):
                boxes.append(got.parsed)
            if len(boxes) >= max_boxes:
                break
    except (ValueError, TypeError, RecursionError, OverflowError):
        boxes = []
    if not boxes:
        return ParseResult([], True, "no box in the reply")
    return ParseResult(boxes)
