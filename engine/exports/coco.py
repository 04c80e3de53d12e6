"""COCO instances JSON. Segmentation as RLE (pycocotools, compressed counts; exact, holes kept) or
as polygons (hole-free pieces on pixel edges)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils

from engine.errors import InputError
from engine.exports.items import ExportItem, categories_of
from engine.exports.polygons import mask_to_polygons
from engine.io.atomic import write_json


def encode_rle(mask: np.ndarray) -> dict[str, Any]:
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def to_coco(items: list[ExportItem], segmentation: str = "rle") -> dict[str, Any]:
    if segmentation not in ("rle", "polygon"):
        raise InputError(f"--coco-segmentation {segmentation!r}: use rle or polygon")
    cats = categories_of(items)
    cat_id = {c: i + 1 for i, c in enumerate(cats)}
    images, anns = [], []
    for img_id, it in enumerate(items, start=1):
        file_name = it.image_path.name if it.image_path else f"{it.name}.png"
        images.append({"id": img_id, "file_name": file_name, "width": it.width, "height": it.height})
        for inst in it.instances:
            if not inst.mask.any():
                continue
            rle = encode_rle(inst.mask)
            ann: dict[str, Any] = {
                "id": len(anns) + 1,
                "image_id": img_id,
                "category_id": cat_id[inst.category],
                "area": int(inst.mask.sum()),
                "bbox": [round(float(v), 2) for v in mask_utils.toBbox(dict(rle, counts=rle["counts"].encode()))],
                "iscrowd": 0,
            }
            if segmentation == "rle":
                ann["segmentation"] = rle
            else:
                polys = mask_to_polygons(inst.mask, edges=True)
                ann["segmentation"] = [[round(v, 3) for xy in p for v in xy] for p in polys]
            anns.append(ann)
    return {
        "info": {"description": "exported by SAM Sculpt"},
        "images": images,
        "annotations": anns,
        "categories": [{"id": cat_id[c], "name": c, "supercategory": "object"} for c in cats],
    }


def export_coco(items: list[ExportItem], out_dir: Path, segmentation: str = "rle") -> list[Path]:
    path = Path(out_dir) / "annotations.json"
    write_json(path, to_coco(items, segmentation))
    return [path]


def decode_segmentation(seg: Any, height: int, width: int, source: str) -> np.ndarray:
    """Any COCO segmentation (polygon list, uncompressed or compressed RLE) as a bool mask."""
    try:
        if isinstance(seg, list):
            if not seg:
                return np.zeros((height, width), bool)
            rles = mask_utils.frPyObjects(seg, height, width)
            rle = mask_utils.merge(rles)
        elif isinstance(seg, dict) and isinstance(seg.get("counts"), list):
            rle = mask_utils.frPyObjects(seg, height, width)
        elif isinstance(seg, dict) and "counts" in seg:
            rle = {"size": seg["size"], "counts": seg["counts"].encode("ascii") if isinstance(seg["counts"], str) else seg["counts"]}
        else:
            raise ValueError("unknown segmentation")
        return mask_utils.decode(rle).astype(bool)
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"{source}: unreadable segmentation ({exc})") from None
