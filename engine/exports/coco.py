"""COCO instances JSON: one annotation per object (iscrowd 0), categories from the label list.
Segmentation as RLE (compressed counts; exact, holes kept) or as polygons (hole-free pieces on pixel
edges, optionally simplified). Needs pycocotools, imported only when a COCO file is written or read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import BackendError, InputError
from engine.exports.items import ExportItem, categories_of
from engine.exports.labels import LabelList
from engine.exports.paths import under
from engine.exports.polygons import mask_to_polygons
from engine.io.atomic import write_json

COCO_FILE = "annotations.json"


def mask_api() -> Any:
    try:
        from pycocotools import mask as mask_utils
    except ImportError:
        raise BackendError("the COCO format needs pycocotools, which is not installed; install it with: "
                           "pip install 'sam-sculpt[metrics]'") from None
    return mask_utils


def encode_rle(mask: np.ndarray) -> dict[str, Any]:
    rle = mask_api().encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def _bbox(mask: np.ndarray) -> list[float]:
    ys, xs = np.nonzero(mask)
    x0, y0 = int(xs.min()), int(ys.min())
    return [float(x0), float(y0), float(xs.max() + 1 - x0), float(ys.max() + 1 - y0)]


def annotation(inst_mask: np.ndarray, category_id: int, image_id: int, ann_id: int, segmentation: str = "rle",
               simplify: float | None = None) -> dict[str, Any]:
    ann: dict[str, Any] = {"id": ann_id, "image_id": image_id, "category_id": category_id,
                           "area": int(inst_mask.sum()), "bbox": _bbox(inst_mask), "iscrowd": 0}
    if segmentation == "rle":
        ann["segmentation"] = encode_rle(inst_mask)
    else:
        polys = mask_to_polygons(inst_mask, edges=True, simplify=simplify)
        ann["segmentation"] = [[round(v, 3) for xy in p for v in xy] for p in polys]
    return ann


class CocoWriter:
    """Collects images and annotations one image at a time; `finish` writes annotations.json."""

    def __init__(self, out_dir: Path, cats: list[str], segmentation: str = "rle", simplify: float | None = None):
        if segmentation not in ("rle", "polygon"):
            raise InputError(f"--coco-segmentation {segmentation!r}: use rle or polygon")
        self.out, self.cats, self.segmentation, self.simplify = Path(out_dir), cats, segmentation, simplify
        self.cat_id = {c: i + 1 for i, c in enumerate(cats)}
        self.images: list[dict[str, Any]] = []
        self.anns: list[dict[str, Any]] = []

    def add(self, it: ExportItem) -> list[Path]:
        img_id = len(self.images) + 1
        file_name = it.image_path.name if it.image_path else f"{it.name}.png"
        self.images.append({"id": img_id, "file_name": file_name, "width": it.width, "height": it.height})
        for inst in it.instances:
            if inst.mask.any():
                self.anns.append(annotation(inst.mask, self.cat_id[inst.category], img_id, len(self.anns) + 1,
                                            self.segmentation, self.simplify))
        return []

    def document(self) -> dict[str, Any]:
        return {"info": {"description": "exported by SAM Sculpt"}, "images": self.images, "annotations": self.anns,
                "categories": [{"id": self.cat_id[c], "name": c, "supercategory": "object"} for c in self.cats]}

    def finish(self) -> list[Path]:
        path = under(self.out, COCO_FILE)
        write_json(path, self.document())
        return [path]


def to_coco(items: list[ExportItem], segmentation: str = "rle", labels: LabelList | None = None,
            simplify: float | None = None) -> dict[str, Any]:
    w = CocoWriter(Path("."), categories_of(items, labels), segmentation, simplify)
    for it in items:
        w.add(it)
    return w.document()


def export_coco(items: list[ExportItem], out_dir: Path, segmentation: str = "rle", labels: LabelList | None = None,
                simplify: float | None = None) -> list[Path]:
    w = CocoWriter(out_dir, categories_of(items, labels), segmentation, simplify)
    for it in items:
        w.add(it)
    return w.finish()


def decode_segmentation(seg: Any, height: int, width: int, source: str) -> np.ndarray:
    """Any COCO segmentation (polygon list, uncompressed or compressed RLE) as a bool mask."""
    mask_utils = mask_api()
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
