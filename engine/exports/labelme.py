"""LabelMe JSON, one file per image, next to nothing else: imagePath points at the original image
(relative to the JSON) and imageData is null, so LabelMe loads the image from disk. Masks with
holes become several polygons with the same label and group_id (LabelMe polygons have no holes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from engine.exports.items import ExportItem
from engine.exports.polygons import mask_to_polygons
from engine.io.atomic import write_json

LABELME_VERSION = "5.5.0"


def to_labelme(item: ExportItem, json_dir: Path) -> dict[str, Any]:
    shapes = []
    for group, inst in enumerate(item.instances, start=1):
        for poly in mask_to_polygons(inst.mask):
            shapes.append({"label": inst.category, "points": [[x, y] for x, y in poly], "group_id": group,
                           "description": "", "shape_type": "polygon", "flags": {}, "mask": None})
    if item.image_path is not None:
        image_path = os.path.relpath(Path(item.image_path).resolve(), Path(json_dir).resolve())
    else:
        image_path = f"{item.name}.png"
    return {"version": LABELME_VERSION, "flags": {}, "shapes": shapes, "imagePath": image_path, "imageData": None,
            "imageHeight": item.height, "imageWidth": item.width}


def export_labelme(items: list[ExportItem], out_dir: Path) -> list[Path]:
    paths = []
    for it in items:
        path = Path(out_dir) / f"{it.name}.json"
        write_json(path, to_labelme(it, path.parent))
        paths.append(path)
    return paths
