"""ROI boxes and llm_out instance files in the prototype's layouts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.types import Box, InstanceInfo


def read_json(path: str | Path) -> Any:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


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
            boxes.append(Box(*(float(v) for v in vals)))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{source}: box {i} is not four numbers x0, y0, x1, y1: {item!r}") from None
    return boxes


def parse_box_arg(text: str) -> Box:
    try:
        vals = [float(v) for v in text.replace(" ", "").split(",")]
        if len(vals) != 4:
            raise ValueError
    except ValueError:
        raise InputError(f"--box {text!r}: expected four numbers x0,y0,x1,y1") from None
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


def read_instance(path: str | Path | None, default: str = "object") -> InstanceInfo:
    """llm_out {"instance": "crab", "reason": "...", optional "synonyms"/"cues"/"distractors"}."""
    if path is None or not Path(path).exists():
        return InstanceInfo(name=default)
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object with an \"instance\" key")
    name = str(data.get("instance") or data.get("name") or default).strip() or default

    def _list(key: str) -> list[str]:
        v = data.get(key) or []
        return [str(s) for s in v] if isinstance(v, list) else [str(v)]

    return InstanceInfo(name=name, reason=str(data.get("reason", "")), synonyms=_list("synonyms"), cues=_list("cues"), distractors=_list("distractors"))


def write_boxes(path: str | Path, boxes: list[Box]) -> None:
    from engine.io.atomic import write_json

    write_json(path, {"boxes": [[round(v, 2) for v in b.as_list()] for b in boxes]})


def write_instance(path: str | Path, info: InstanceInfo) -> None:
    from engine.io.atomic import write_json

    write_json(path, info.to_dict())
