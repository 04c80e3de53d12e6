"""Existing annotations back to a bool mask: the starting mask of a session (semi-automatic cleanup
of a dataset someone already labelled). Every reader names the file in its one-line errors."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from engine.errors import InputError
from engine.exports.coco import decode_segmentation
from engine.exports.polygons import polygons_to_mask
from engine.io.annotations import read_json

IMPORT_FORMATS = ("png", "coco", "labelme", "yolo", "voc", "cod")


def _resolve(source: Path, name: str, candidates: tuple[str, ...]) -> Path:
    if source.is_file():
        return source
    for rel in candidates:
        p = source / rel.format(name=name)
        if p.exists():
            return p
    raise InputError(f"{source}: no annotation for {name} (looked for {', '.join(c.format(name=name) for c in candidates)})")


def _check_shape(mask: np.ndarray, shape: tuple[int, int] | None, source: Path) -> np.ndarray:
    if shape is not None and mask.shape != tuple(shape):
        raise InputError(f"{source}: mask is {mask.shape[1]}x{mask.shape[0]} but the image is {shape[1]}x{shape[0]}")
    return mask


def read_png_mask(path: Path, shape: tuple[int, int] | None = None, instance: int | None = None) -> np.ndarray:
    """Binary (0/255, 0/1), soft (thresholded at 128) or instance-indexed/palette PNGs (values 1..N;
    255 is VOC's 'void' border and is not object). instance= picks one index."""
    try:
        with Image.open(path) as img:
            mode = img.mode
            arr = np.asarray(img if mode in ("P", "L", "I", "I;16", "1") else img.convert("L"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: not a readable mask image ({exc})") from None
    if arr.ndim == 3:
        arr = arr[:, :, 0]
    values = np.unique(arr)
    if instance is not None:
        mask = arr == instance
    elif mode == "P" or (values.max(initial=0) < 128 and len(values) > 1):
        mask = (arr > 0) & (arr != 255)
    elif set(values.tolist()) <= {0, 1, 255}:
        mask = arr > 0
    else:
        mask = arr >= 128
    return _check_shape(mask.astype(bool), shape, path)


@lru_cache(maxsize=4)
def _coco_index(path: str, mtime: float) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict) or "images" not in data or "annotations" not in data:
        raise InputError(f"{path}: not a COCO instances file (needs images and annotations)")
    by_stem = {Path(im["file_name"]).stem: im for im in data["images"]}
    anns: dict[int, list] = {}
    for a in data["annotations"]:
        anns.setdefault(a["image_id"], []).append(a)
    return {"by_stem": by_stem, "anns": anns, "cats": {c["id"]: c["name"] for c in data.get("categories", [])}}


def read_coco_mask(path: Path, name: str, shape: tuple[int, int] | None = None, category: str | None = None) -> np.ndarray:
    idx = _coco_index(str(path), path.stat().st_mtime)
    image = idx["by_stem"].get(name)
    if image is None:
        raise InputError(f"{path}: no image with file name {name}.* in the COCO file")
    h, w = int(image["height"]), int(image["width"])
    mask = np.zeros((h, w), bool)
    for a in idx["anns"].get(image["id"], []):
        if category is not None and idx["cats"].get(a.get("category_id")) != category:
            continue
        mask |= decode_segmentation(a.get("segmentation"), h, w, str(path))
    return _check_shape(mask, shape, path)


def read_labelme_mask(path: Path, shape: tuple[int, int] | None = None, label: str | None = None) -> np.ndarray:
    data = read_json(path)
    if not isinstance(data, dict) or "shapes" not in data:
        raise InputError(f"{path}: not a LabelMe file (no shapes)")
    try:
        h, w = int(data["imageHeight"]), int(data["imageWidth"])
    except (KeyError, TypeError, ValueError):
        if shape is None:
            raise InputError(f"{path}: no imageHeight/imageWidth") from None
        h, w = shape
    mask = np.zeros((h, w), bool)
    for i, s in enumerate(data["shapes"]):
        if label is not None and s.get("label") != label:
            continue
        kind = s.get("shape_type") or "polygon"
        try:
            pts = [(float(x), float(y)) for x, y in s["points"]]
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}: shape {i} has malformed points") from None
        if kind == "rectangle" and len(pts) == 2:
            (x0, y0), (x1, y1) = pts
            pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        elif kind not in ("polygon", "rectangle"):
            continue  # points, lines, circles: not regions we can use as a mask
        mask |= polygons_to_mask([pts], (h, w))
    return _check_shape(mask, shape, path)


def read_yolo_mask(path: Path, shape: tuple[int, int], class_id: int | None = None) -> np.ndarray:
    h, w = shape
    polys = []
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
        if class_id is None or cls == class_id:
            polys.append([(vals[i] * w, vals[i + 1] * h) for i in range(0, len(vals), 2)])
    return polygons_to_mask(polys, (h, w))


def import_mask(fmt: str, source: str | Path, name: str, shape: tuple[int, int] | None = None) -> np.ndarray:
    """The mask of image `name` from `source` (a file or a folder, by format)."""
    src = Path(source)
    if not src.exists():
        raise InputError(f"{src}: annotation source not found")
    if fmt == "png":
        return read_png_mask(_resolve(src, name, ("{name}.png", "{name}/final_mask.png", "GT/{name}.png")), shape)
    if fmt == "cod":
        return read_png_mask(_resolve(src, name, ("GT/{name}.png", "GT_Object/{name}.png", "{name}.png")), shape)
    if fmt == "voc":
        return read_png_mask(_resolve(src, name, ("SegmentationObject/{name}.png", "{name}.png")), shape)
    if fmt == "coco":
        path = src if src.is_file() else _resolve(src, name, ("annotations.json",))
        return read_coco_mask(path, name, shape)
    if fmt == "labelme":
        return read_labelme_mask(_resolve(src, name, ("{name}.json",)), shape)
    if fmt == "yolo":
        if shape is None:
            raise InputError(f"{src}: YOLO labels are normalised; the image size is needed")
        return read_yolo_mask(_resolve(src, name, ("labels/{name}.txt", "{name}.txt")), shape)
    raise InputError(f"unknown import format {fmt!r} (use one of {', '.join(IMPORT_FORMATS)})")
