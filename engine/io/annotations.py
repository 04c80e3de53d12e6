"""ROI boxes and llm_out instance files in the prototype's layouts."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.types import Box, InstanceInfo


def read_json(path: str | Path) -> Any:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a JSON file")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise InputError(f"{path}: unusable JSON ({str(exc)[:100]})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def finite_number(value: Any) -> float:
    """float(value) for a real number that is finite; ValueError otherwise (bools, huge ints, nan, inf)."""
    if isinstance(value, bool):
        raise ValueError("a bool is not a coordinate")
    try:
        out = float(value)
    except OverflowError:
        raise ValueError("number too large") from None
    if not math.isfinite(out):
        raise ValueError("not a finite number")
    return out


def parse_boxes(data: Any, source: str) -> list[Box]:
    """Accepts {"boxes": [[x0,y0,x1,y1], ...]}, [[x0,y0,x1,y1], ...], [{"x0":..,"y0":..,"x1":..,"y1":..}]
    and a single {"x0":..} object."""
    if isinstance(data, dict) and "boxes" in data:
        data = data["boxes"]
    elif isinstance(data, dict) and "x0" in data:
        data = [data]
    if not isinstance(data, list) or not data:
        raise InputError(f"{source}: no boxes found (expected {{\"boxes\": [[x0, y0, x1, y1]]}} or [{{\"x0\": ..}}])")
    boxes = []
    for i, item in enumerate(data):
        try:
            if isinstance(item, dict):
                vals = [item["x0"], item["y0"], item["x1"], item["y1"]]
            else:
                vals = list(item)
                if len(vals) != 4:
                    raise ValueError
            boxes.append(Box(*(finite_number(v) for v in vals)))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{source}: box {i} is not four numbers x0, y0, x1, y1 (finite): {_short(item)}") from None
    return boxes


def parse_box_arg(text: str) -> Box:
    try:
        vals = [finite_number(v) for v in text.replace(" ", "").split(",")]
        if len(vals) != 4:
            raise ValueError
    except ValueError:
        raise InputError(f"--box {text[:80]!r}: expected four numbers x0,y0,x1,y1 (finite)") from None
    return Box(*vals)


def validate_box(box: Box, image_size: tuple[int, int], source: str) -> Box:
    """Clip to the image (width, height); refuse boxes that are inverted or empty after clipping."""
    w, h = image_size
    if not box.is_valid():
        raise InputError(f"{source}: box {box.as_list()} is empty or inverted (need x0 < x1 and y0 < y1)")
    clipped = box.clip(w, h)
    if clipped.width < 2 or clipped.height < 2:
        raise InputError(f"{source}: box {box.as_list()} lies outside the {w}x{h} image")
    return clipped


def read_boxes(path: str | Path, image_size: tuple[int, int]) -> list[Box]:
    return [validate_box(b, image_size, str(path)) for b in parse_boxes(read_json(path), str(path))]


def parse_box_labels(data: Any, n: int, source: str) -> list[str | None]:
    """The optional class of each box: {"boxes": [...], "labels": ["crab", "shell"]} or a "label" key in the
    [{"x0": .., "label": ..}] form; None where a box has none."""
    labels: list[Any] = []
    if isinstance(data, dict) and "labels" in data:
        labels = data["labels"]
        if not isinstance(labels, list) or len(labels) > n:
            raise InputError(f"{source}: \"labels\" must be a list with at most one label per box ({n} boxes)")
    else:
        items = [data] if isinstance(data, dict) and "x0" in data else (data.get("boxes") if isinstance(data, dict) else data)
        labels = [it.get("label") if isinstance(it, dict) else None for it in (items or [])]
    out: list[str | None] = []
    for i in range(n):
        v = labels[i] if i < len(labels) else None
        if v is not None and not isinstance(v, str):
            raise InputError(f"{source}: label {i} must be text, not {v!r}")
        out.append(v.strip() or None if isinstance(v, str) else None)
    return out


def read_labelled_boxes(path: str | Path, image_size: tuple[int, int]) -> list[tuple[Box, str | None]]:
    """Every box of a box file with its optional label (the prototype's forms still load: labels None)."""
    data = read_json(path)
    boxes = [validate_box(b, image_size, str(path)) for b in parse_boxes(data, str(path))]
    return list(zip(boxes, parse_box_labels(data, len(boxes), str(path)), strict=True))


def read_instance(path: str | Path | None, default: str = "object") -> InstanceInfo:
    """llm_out {"instance": "crab", "reason": "...", optional "synonyms"/"cues"/"distractors"}."""
    if path is None or not Path(path).exists():
        return InstanceInfo(name=default)
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object with an \"instance\" key")

    def _list(key: str) -> list[str]:
        v = data.get(key)
        if v is None or v == "":
            return []
        items = v if isinstance(v, list) else [v]
        if not all(isinstance(s, str) for s in items):
            raise InputError(f"{path}: \"{key}\" must be text or a list of texts, not {_short(v)}")
        return [s.strip() for s in items if s.strip()]

    names = _list("instance") or _list("name")
    name = names[0] if names else default  # a list of names: the first is the instance, the rest synonyms
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        raise InputError(f"{path}: \"reason\" must be text, not {_short(reason)}")
    return InstanceInfo(name=name, reason=reason, synonyms=names[1:] + _list("synonyms"), cues=_list("cues"),
                        distractors=_list("distractors"))


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def write_boxes(path: str | Path, boxes: list[Box], labels: list[str | None] | None = None) -> None:
    from engine.io.atomic import write_json

    doc: dict[str, Any] = {"boxes": [[round(v, 2) for v in b.as_list()] for b in boxes]}
    if labels and any(labels):
        doc["labels"] = list(labels)
    write_json(path, doc)


def write_instance(path: str | Path, info: InstanceInfo) -> None:
    from engine.io.atomic import write_json

    write_json(path, info.to_dict())
