"""ONE parser for every critic backend's replies.

extract_json() (engine/critics/json_extract.py) finds the JSON in a reply (code fences, prose around it, trailing commas, single quotes,
Python literals, unquoted keys, truncation). The parse_* functions validate it against the protocol's
schemas and map coordinates back to image pixels through a declared CoordMap. Nothing here raises on
a bad reply: an unusable reply becomes a typed fallback (ParseResult.fallback) with the reason."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.critics.json_extract import MAX_REPAIR_ATTEMPTS, MAX_REPLY_CHARS, MAX_STARTS, extract_json
from engine.geometry.squares import default_action
from engine.types import AnchorChoice, Box, Intent, Point, PointLabel, PointSource, SquareJudgement

MAX_REASON_CHARS = 300
__all__ = ["CONVENTIONS", "MAX_REPAIR_ATTEMPTS", "MAX_REPLY_CHARS", "MAX_STARTS", "CoordMap", "ParseResult", "extract_json",
           "parse_anchors", "parse_box", "parse_points", "parse_square", "parse_strips"]
ANCHOR_IDS = range(1, 9)
STRIP_IDS = range(1, 10)
CONVENTIONS = ("pixels", "norm1", "norm1000")


@dataclass(frozen=True)
class CoordMap:
    """A backend's coordinate convention and how it maps to image pixels.

    pixels   - absolute pixels of a space_w x space_h picture (Qwen2.5-VL: its smart_resize'd input)
    norm1    - 0..1 of the picture that was sent
    norm1000 - 0..1000 of the picture that was sent
    The picture sent is a uniformly scaled copy of the image, so fractions carry over unchanged."""

    convention: str
    image_w: int
    image_h: int
    space_w: float = 0.0
    space_h: float = 0.0

    def __post_init__(self) -> None:
        if self.convention not in CONVENTIONS:
            raise ValueError(f"unknown coordinate convention {self.convention!r} (use {', '.join(CONVENTIONS)})")
        if self.convention == "pixels" and (self.space_w <= 0 or self.space_h <= 0):
            raise ValueError("the 'pixels' convention needs the size of the coordinate space")

    @property
    def range_xy(self) -> tuple[float, float]:
        if self.convention == "pixels":
            return float(self.space_w), float(self.space_h)
        full = 1.0 if self.convention == "norm1" else 1000.0
        return full, full

    def in_range(self, x: float, y: float) -> bool:
        rx, ry = self.range_xy
        return 0.0 <= x <= rx and 0.0 <= y <= ry

    def to_image(self, x: float, y: float) -> tuple[float, float]:
        rx, ry = self.range_xy
        return x / rx * self.image_w, y / ry * self.image_h

    def describe(self) -> str:
        """The sentence that tells the model which convention to answer in."""
        if self.convention == "pixels":
            return f"absolute pixel coordinates of the image you see ({int(self.space_w)} x {int(self.space_h)})."
        if self.convention == "norm1":
            return "normalised coordinates from 0 to 1 (0,0 is the top-left corner, 1,1 the bottom-right)."
        return "normalised coordinates from 0 to 1000 (0,0 is the top-left corner, 1000,1000 the bottom-right)."


@dataclass
class ParseResult:
    parsed: Any
    fallback: bool = False
    error: str | None = None
    notes: list[str] = field(default_factory=list)  # items dropped while validating


# ---- small validators ------------------------------------------------------------------------
def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip()[:64])
        except ValueError:
            return None
    if isinstance(value, int):
        try:
            value = float(value)
        except OverflowError:  # a 400-digit integer
            return None
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def _int_in(value: Any, allowed: Iterable[int]) -> int | None:
    if isinstance(value, str):
        digits = re.findall(r"-?\d+", value)
        value = digits[0] if len(digits) == 1 else value
    n = _number(value)
    if n is None or n != int(n) or int(n) not in allowed:
        return None
    return int(n)


def _text(value: Any) -> str:
    return value[:MAX_REASON_CHARS] if isinstance(value, str) else ""


def _items(data: Any, keys: tuple[str, ...]) -> list[Any] | None:
    """The list under one of `keys` (or the data itself if it is a list)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return data[key]
    return None


_INTENTS = {"fix_leak": Intent.FIX_LEAK, "leak": Intent.FIX_LEAK, "recover_miss": Intent.RECOVER_MISS,
            "miss": Intent.RECOVER_MISS}
_LABELS = {"pos": PointLabel.POS, "positive": PointLabel.POS, "+": PointLabel.POS, "1": PointLabel.POS,
           "neg": PointLabel.NEG, "negative": PointLabel.NEG, "-": PointLabel.NEG, "0": PointLabel.NEG}
_NULLS = (None, "", "null", "none", "leave", "leave it")


def _label(value: Any) -> PointLabel | None:
    if isinstance(value, bool):
        return None
    return _LABELS.get(str(value).strip().lower()) if isinstance(value, (str, int)) else None


def _never_raises(fallback: Callable[..., ParseResult]) -> Callable[[Callable[..., ParseResult]], Callable[..., ParseResult]]:
    """A parse_* function whose unexpected exceptions (a reply nested deeper than the stack, ...) become
    its typed fallback: a critic's reply must never end a round with a traceback."""

    def decorate(fn: Callable[..., ParseResult]) -> Callable[..., ParseResult]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> ParseResult:
            try:
                return fn(*args, **kwargs)
            except (RecursionError, MemoryError, ValueError, TypeError, OverflowError, AttributeError,
                    KeyError, IndexError) as exc:
                return fallback(*args, why=f"unusable reply ({type(exc).__name__})", **kwargs)

        return wrapper

    return decorate


def _anchors_failed(text: str, k: int, valid_ids: Iterable[int] = ANCHOR_IDS, why: str = "") -> ParseResult:
    return _anchor_fallback(sorted(set(valid_ids) & set(ANCHOR_IDS)), why)


def _square_failed(text: str, anchor_id: int, why: str = "") -> ParseResult:
    return _square_fallback(anchor_id, why)


def _empty_failed(*args: Any, why: str = "", **kwargs: Any) -> ParseResult:
    return ParseResult([], True, why)


def _none_failed(*args: Any, why: str = "", **kwargs: Any) -> ParseResult:
    return ParseResult(None, True, why)


# ---- the protocol's replies ------------------------------------------------------------------
@_never_raises(_anchors_failed)
def parse_anchors(text: str, k: int, valid_ids: Iterable[int] = ANCHOR_IDS) -> ParseResult:
    """list[AnchorChoice], best first, at most k; fallback = anchor 1 (as the prototype did)."""
    valid = sorted(set(valid_ids) & set(ANCHOR_IDS))
    data = extract_json(text)
    items = _items(data, ("anchors", "selected", "selection", "choices"))
    if items is None:
        return _anchor_fallback(valid, "no anchor list in the reply" if data is None else "reply has no 'anchors' list")
    chosen: list[AnchorChoice] = []
    notes: list[str] = []
    for item in items:
        fields = item if isinstance(item, dict) else {"id": item}
        aid = _int_in(fields.get("id", fields.get("anchor_id", fields.get("anchor"))), valid)
        if aid is None or any(c.anchor_id == aid for c in chosen):
            notes.append(f"dropped anchor item {str(item)[:60]!r}")
            continue
        intent = _INTENTS.get(str(fields.get("intent", "fix_leak")).strip().lower(), Intent.FIX_LEAK)
        score = _number(fields.get("score", 0.0))
        chosen.append(AnchorChoice(aid, intent, min(max(score or 0.0, 0.0), 1.0), _text(fields.get("reason"))))
    if items and not chosen:
        return _anchor_fallback(valid, "no valid anchor id in the reply", notes)
    chosen.sort(key=lambda c: -c.score)  # stable: ties keep the model's order
    return ParseResult(chosen[: max(k, 0)], notes=notes)


def _anchor_fallback(valid: list[int], why: str, notes: list[str] | None = None) -> ParseResult:
    aid = 1 if 1 in valid or not valid else valid[0]
    return ParseResult([AnchorChoice(aid, Intent.FIX_LEAK, 0.0, f"fallback: {why}")], True, why, notes or [])


@_never_raises(_square_failed)
def parse_square(text: str, anchor_id: int) -> ParseResult:
    """SquareJudgement; fallback = leave the square alone."""
    data = extract_json(text)
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if not isinstance(data, dict):
        return _square_fallback(anchor_id, "no JSON object in the reply")
    raw_region, raw_action = data.get("region"), data.get("action", data.get("label"))
    region_is_null = raw_region is None or (isinstance(raw_region, str) and raw_region.strip().lower() in _NULLS)
    action_is_null = raw_action is None or (isinstance(raw_action, str) and raw_action.strip().lower() in _NULLS)
    reason = _text(data.get("reason"))
    confidence = min(max(_number(data.get("confidence", 1.0)) or 0.0, 0.0), 1.0)
    if region_is_null:
        if not action_is_null and _label(raw_action) is None:
            return _square_fallback(anchor_id, f"invalid action {str(raw_action)[:40]!r}")
        return ParseResult(SquareJudgement(anchor_id, None, None, reason or "leave it", confidence))
    region = _int_in(raw_region, (1, 2))
    if region is None:
        return _square_fallback(anchor_id, f"invalid region {str(raw_region)[:40]!r} (expected 1, 2 or null)")
    action = default_action(region) if action_is_null else _label(raw_action)
    if action is None:
        return _square_fallback(anchor_id, f"invalid action {str(raw_action)[:40]!r} (expected pos or neg)")
    return ParseResult(SquareJudgement(anchor_id, region, action, reason, confidence))


def _square_fallback(anchor_id: int, why: str) -> ParseResult:
    return ParseResult(SquareJudgement(anchor_id, None, None, f"fallback: {why}", 0.0), True, why)


def _xy(fields: dict[str, Any]) -> tuple[float | None, float | None]:
    for key in ("point_2d", "point", "xy", "coords"):
        v = fields.get(key)
        if isinstance(v, (list, tuple)) and len(v) == 2:
            return _number(v[0]), _number(v[1])
    return _number(fields.get("x")), _number(fields.get("y"))


@_never_raises(_empty_failed)
def parse_points(text: str, coords: CoordMap, max_points: int) -> ParseResult:
    """list[Point] in image pixels; points outside the coordinate range are dropped; fallback = no points."""
    data = extract_json(text)
    items = _items(data, ("points", "point_list", "clicks"))
    if items is None:
        return ParseResult([], True, "no point list in the reply")
    points: list[Point] = []
    notes: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            notes.append(f"dropped non-object point {str(item)[:60]!r}")
            continue
        x, y = _xy(item)
        label = _label(item.get("label", item.get("action", item.get("type"))))
        if x is None or y is None or label is None:
            notes.append(f"dropped incomplete point {str(item)[:60]!r}")
            continue
        if not coords.in_range(x, y):
            notes.append(f"dropped point ({x:g}, {y:g}) outside the {coords.convention} range")
            continue
        ix, iy = coords.to_image(x, y)
        ix, iy = min(ix, coords.image_w - 1.0), min(iy, coords.image_h - 1.0)
        points.append(Point(x=ix, y=iy, label=label, source=PointSource.CRITIC, reason=_text(item.get("reason")),
                            confidence=min(max(_number(item.get("confidence", 1.0)) or 0.0, 0.0), 1.0)))
        if len(points) >= max_points:
            break
    if items and not points:
        return ParseResult([], True, "no valid point in the reply", notes)
    return ParseResult(points, notes=notes)


_BOX_KEYS = ("bbox_2d", "bbox", "box", "box_2d")
_FOUR_NUMBERS = re.compile(r"[\[(]\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*[\])]")


def _box_values(data: Any) -> list[Any] | None:
    if isinstance(data, list) and len(data) == 4 and all(not isinstance(v, (list, dict)) for v in data):
        return data
    if isinstance(data, list):
        for item in data:
            found = _box_values(item)
            if found is not None:
                return found
        return None
    if isinstance(data, dict):
        for key in _BOX_KEYS:
            if key in data:
                return _box_values(data[key])
        if all(k in data for k in ("x0", "y0", "x1", "y1")):
            return [data["x0"], data["y0"], data["x1"], data["y1"]]
        for key in ("objects", "boxes", "results"):
            if key in data:
                return _box_values(data[key])
    return None


@_never_raises(_none_failed)
def parse_box(text: str, coords: CoordMap) -> ParseResult:
    """Box in image pixels (grounding); fallback = None."""
    values = _box_values(extract_json(text))
    if values is None and isinstance(text, str):
        m = _FOUR_NUMBERS.search(text[:MAX_REPLY_CHARS])
        values = list(m.groups()) if m else None
    if values is None:
        return ParseResult(None, True, "no box in the reply")
    nums = [_number(v) for v in values]
    if any(n is None for n in nums):
        return ParseResult(None, True, f"box {str(values)[:80]} is not four numbers")
    x0, y0, x1, y1 = (float(n) for n in nums)  # type: ignore[arg-type]
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    if not (coords.in_range(x0, y0) and coords.in_range(x1, y1)):
        return ParseResult(None, True, f"box {[x0, y0, x1, y1]} lies outside the {coords.convention} range")
    (ix0, iy0), (ix1, iy1) = coords.to_image(x0, y0), coords.to_image(x1, y1)
    box = Box(ix0, iy0, ix1, iy1).clip(coords.image_w, coords.image_h)
    if box.width < 2 or box.height < 2:
        return ParseResult(None, True, f"box {[x0, y0, x1, y1]} is empty")
    return ParseResult(box)


@_never_raises(_none_failed)
def parse_strips(text: str) -> ParseResult:
    """Sorted strip numbers 1..9 (localisation); fallback = None."""
    data = extract_json(text)
    items = _items(data, ("strips", "strip", "ids", "numbers"))
    if items is None and isinstance(data, dict) and _int_in(data.get("strips"), STRIP_IDS) is not None:
        items = [data["strips"]]
    if items is None:
        return ParseResult(None, True, "no strip list in the reply")
    strips = sorted({s for s in (_int_in(v, STRIP_IDS) for v in items) if s is not None})
    if not strips:
        return ParseResult(None, True, "no valid strip number (1..9) in the reply")
    return ParseResult(strips)
