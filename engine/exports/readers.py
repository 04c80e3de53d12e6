"""Readers of the text formats (COCO, LabelMe, YOLO-seg) back to objects: label + mask each. Every
reader names the file in its one-line errors."""

from __future__ import annotations

import base64
import io
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from engine.errors import InputError
from engine.exports.items import DEFAULT_LABEL, Instance
from engine.exports.polygons import even_odd_mask, polygons_to_mask, split_joined
from engine.io.annotations import read_json


@lru_cache(maxsize=4)
def _coco_index(path: str, mtime: float) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict) or "images" not in data or "annotations" not in data:
        raise InputError(f"{path}: not a COCO instances file (needs images and annotations)")
    try:
        by_stem = {Path(im["file_name"]).stem: im for im in data["images"]}
        anns: dict[int, list] = {}
        for a in data["annotations"]:
            anns.setdefault(a["image_id"], []).append(a)
        cats = {c["id"]: c["name"] for c in data.get("categories", [])}
    except (KeyError, TypeError) as exc:
        raise InputError(f"{path}: malformed COCO file (missing {exc})") from None
    return {"by_stem": by_stem, "anns": anns, "cats": cats}


def read_coco_objects(path: Path, name: str) -> tuple[list[Instance], tuple[int, int]]:
    from engine.exports.coco import decode_segmentation

    idx = _coco_index(str(path), path.stat().st_mtime)
    image = idx["by_stem"].get(name)
    if image is None:
        raise InputError(f"{path}: no image with file name {name}.* in the COCO file")
    h, w = int(image["height"]), int(image["width"])
    out = []
    for a in idx["anns"].get(image["id"], []):
        label = str(idx["cats"].get(a.get("category_id"), a.get("category_id", DEFAULT_LABEL)))
        box = a.get("bbox")
        box4 = (box[0], box[1], box[0] + box[2], box[1] + box[3]) if isinstance(box, list) and len(box) == 4 else None
        out.append(Instance(label, decode_segmentation(a.get("segmentation"), h, w, str(path)), box4))
    return out, (h, w)


def _decode_mask_shape(data: Any, pts: list[tuple[float, float]], shape: tuple[int, int], source: str) -> np.ndarray:
    if not isinstance(data, str) or not pts:
        raise InputError(f"{source}: a mask shape needs points and a base64 PNG mask")
    try:
        with Image.open(io.BytesIO(base64.b64decode(data))) as img:
            if img.size[0] * img.size[1] > shape[0] * shape[1]:  # header only: no bomb is decoded
                raise InputError(f"{source}: mask shape {img.size[0]}x{img.size[1]} larger than the image")
            patch = np.asarray(img.convert("L")) > 0
    except (ValueError, UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise InputError(f"{source}: unreadable mask shape ({exc})") from None
    h, w = shape
    x0, y0 = (int(round(v)) for v in pts[0])
    out = np.zeros(shape, bool)
    ys, ye, xs, xe = max(y0, 0), min(y0 + patch.shape[0], h), max(x0, 0), min(x0 + patch.shape[1], w)
    if ys < ye and xs < xe:
        out[ys:ye, xs:xe] = patch[ys - y0 : ye - y0, xs - x0 : xe - x0]
    return out


def _shape_mask(s: dict[str, Any], shape: tuple[int, int], source: str, i: int) -> np.ndarray | None:
    kind = s.get("shape_type") or "polygon"
    try:
        pts = [(float(x), float(y)) for x, y in s["points"]]
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{source}: shape {i} has malformed points") from None
    if kind == "mask":
        return _decode_mask_shape(s.get("mask"), pts, shape, f"{source}: shape {i}")
    if kind == "rectangle" and len(pts) == 2:
        (x0, y0), (x1, y1) = pts
        pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    elif kind == "circle" and len(pts) == 2:
        (cx, cy), (px, py) = pts
        r = float(np.hypot(px - cx, py - cy))
        t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
        pts = list(zip(cx + r * np.cos(t), cy + r * np.sin(t), strict=True))
    elif kind not in ("polygon", "rectangle"):
        return None  # points, lines: not regions
    return polygons_to_mask([pts], shape)


def read_labelme_objects(path: Path, shape: tuple[int, int] | None = None) -> tuple[list[Instance], tuple[int, int]]:
    """One object per (label, group_id), as LabelMe counts instances; a shape without group_id is
    an object of its own. Polygons, rectangles, circles and `mask` shapes are read."""
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("shapes"), list):
        raise InputError(f"{path}: not a LabelMe file (no shapes)")
    try:
        hw = (int(data["imageHeight"]), int(data["imageWidth"]))
    except (KeyError, TypeError, ValueError):
        if shape is None:
            raise InputError(f"{path}: no imageHeight/imageWidth") from None
        hw = tuple(shape)
    objects: dict[Any, Instance] = {}
    for i, s in enumerate(data["shapes"]):
        if not isinstance(s, dict):
            raise InputError(f"{path}: shape {i} is not an object")
        mask = _shape_mask(s, hw, str(path), i)
        if mask is None:
            continue
        label = str(s.get("label") or DEFAULT_LABEL)
        key = (label, s["group_id"]) if s.get("group_id") is not None else ("#", i)
        if key in objects:
            objects[key].mask |= mask
        else:
            objects[key] = Instance(label, mask)
    return list(objects.values()), hw


def _yaml_names(text: str) -> list[str]:
    """`names:` of a data.yaml, as a list or an `i: name` block (the two forms Ultralytics writes)."""
    m = re.search(r"^names:\s*\[(.*?)\]", text, re.M | re.S)
    if m:
        return [v.strip().strip("'\"") for v in m.group(1).split(",") if v.strip()]
    names: dict[int, str] = {}
    block = re.search(r"^names:\s*\n((?:[ \t]+.*\n?)*)", text, re.M)
    for line in (block.group(1) if block else "").splitlines():
        if mm := re.match(r"\s*(\d+)\s*:\s*(.+?)\s*$", line):
            v = mm.group(2)
            try:
                v = json.loads(v) if v.startswith('"') else v.strip("'")
            except json.JSONDecodeError:
                v = v.strip('"')
            names[int(mm.group(1))] = str(v)
    return [names[k] for k in sorted(names)] if names else []


def yolo_class_names(label_file: Path) -> list[str]:
    """classes.txt or data.yaml next to labels/ (or next to the file)."""
    for folder in (label_file.parent, label_file.parent.parent):
        if (folder / "classes.txt").is_file():
            return [ln.strip() for ln in (folder / "classes.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]
        if (folder / "data.yaml").is_file():
            return _yaml_names((folder / "data.yaml").read_text(encoding="utf-8"))
    return []


def read_yolo_objects(path: Path, shape: tuple[int, int]) -> list[Instance]:
    """One object per line; a line's outlines are filled even-odd with its bridges undone."""
    h, w = shape
    names = yolo_class_names(path)
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            cls, vals = int(parts[0]), [float(v) for v in parts[1:]]
        except ValueError:
            raise InputError(f"{path}: line {n} is not `class x1 y1 x2 y2 ...`") from None
        if len(vals) < 6 or len(vals) % 2:
            raise InputError(f"{path}: line {n} needs at least three x y pairs")
        # repeated vertices are found on the written values, then scaled to pixels
        norm = [(vals[i], vals[i + 1]) for i in range(0, len(vals), 2)]
        loops, lines = split_joined(norm)
        scale = np.array([w, h], np.float64)
        mask = joined_from_loops(loops, lines, scale, (h, w))
        label = names[cls] if 0 <= cls < len(names) else str(cls)
        out.append(Instance(label, mask))
    return out


def joined_from_loops(loops: list, lines: list, scale: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    mask = even_odd_mask([np.asarray(p) * scale for p in loops], shape)
    if lines:
        mask |= polygons_to_mask([np.asarray(p) * scale for p in lines], shape)
    return mask

