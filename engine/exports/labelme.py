"""LabelMe JSON, one file per image: imagePath points at the original image (relative to the JSON)
and imageData is null, so LabelMe loads the image from disk. Every object has its own group_id
(LabelMe's instance is the pair label + group_id). shapes="polygon": one polygon per hole-free
piece (an object with holes or several parts is several polygons of one group); shapes="mask":
one `shape_type: "mask"` shape per object (points = top-left and bottom-right pixel of its box,
mask = base64 PNG of that crop), exact with holes."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from engine.errors import InputError
from engine.exports.items import ExportItem, Instance
from engine.exports.paths import safe_name, under
from engine.exports.polygons import mask_to_polygons
from engine.io.atomic import write_json

LABELME_VERSION = "5.5.0"
SHAPE_KINDS = ("polygon", "mask")


def _shape(label: str, group: int, kind: str, points: list[list[float]], mask: str | None = None) -> dict[str, Any]:
    return {"label": label, "points": points, "group_id": group, "description": "", "shape_type": kind,
            "flags": {}, "mask": mask}


def encode_mask_shape(mask: np.ndarray) -> tuple[list[list[float]], str]:
    ys, xs = np.nonzero(mask)
    x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())
    buf = io.BytesIO()
    Image.fromarray(mask[y0 : y1 + 1, x0 : x1 + 1].astype(np.uint8)).save(buf, format="PNG")
    return [[float(x0), float(y0)], [float(x1), float(y1)]], base64.b64encode(buf.getvalue()).decode("ascii")


def object_shapes(inst: Instance, group: int, kind: str = "polygon", simplify: float | None = None) -> list[dict[str, Any]]:
    if not inst.mask.any():
        return []
    if kind == "mask":
        points, data = encode_mask_shape(inst.mask)
        return [_shape(inst.category, group, "mask", points, data)]
    return [_shape(inst.category, group, "polygon", [[x, y] for x, y in poly])
            for poly in mask_to_polygons(inst.mask, simplify=simplify)]


def to_labelme(item: ExportItem, json_dir: Path, kind: str = "polygon", simplify: float | None = None) -> dict[str, Any]:
    if kind not in SHAPE_KINDS:
        raise InputError(f"LabelMe shapes {kind!r}: use one of {', '.join(SHAPE_KINDS)}")
    shapes = [s for group, inst in enumerate(item.instances, start=1) for s in object_shapes(inst, group, kind, simplify)]
    if item.image_path is not None:
        image_path = os.path.relpath(Path(item.image_path).resolve(), Path(json_dir).resolve())
    else:
        image_path = f"{item.name}.png"
    return {"version": LABELME_VERSION, "flags": {}, "shapes": shapes, "imagePath": image_path, "imageData": None,
            "imageHeight": item.height, "imageWidth": item.width}


class LabelmeWriter:
    def __init__(self, out_dir: Path, kind: str = "polygon", simplify: float | None = None):
        self.out, self.kind, self.simplify = Path(out_dir), kind, simplify

    def add(self, it: ExportItem) -> list[Path]:
        path = under(self.out, f"{safe_name(it.name, 'image name')}.json")
        write_json(path, to_labelme(it, path.parent, self.kind, self.simplify))
        return [path]

    def finish(self) -> list[Path]:
        return []


def export_labelme(items: list[ExportItem], out_dir: Path, kind: str = "polygon", simplify: float | None = None) -> list[Path]:
    w = LabelmeWriter(out_dir, kind, simplify)
    return [p for it in items for p in w.add(it)]
