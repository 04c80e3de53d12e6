"""Mask PNGs: binary 0/255 (the union), instance-indexed (0 background, k = object k), VOC
SegmentationClass (class palette) + SegmentationObject (instance ids) + labelmap.txt, and the COD
layout (Imgs/ + GT/ union + Instance/ ids, as COD10K). Formats with ids and no labels of their own
(png-indexed, cod) write objects.json next to the PNGs: per image, each id's label and box."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from engine.errors import InputError
from engine.exports.items import ExportItem, categories_of
from engine.exports.labels import LabelList
from engine.exports.paths import copy_image, safe_name, under
from engine.io.atomic import write_bytes, write_json, write_mask, write_text

OBJECTS_FILE = "objects.json"


def union_mask(item: ExportItem) -> np.ndarray:
    out = np.zeros((item.height, item.width), bool)
    for inst in item.instances:
        out |= inst.mask
    return out


def index_mask(item: ExportItem) -> np.ndarray:
    """Later instances win where instances overlap."""
    out = np.zeros((item.height, item.width), np.uint16 if len(item.instances) > 255 else np.uint8)
    for i, inst in enumerate(item.instances, start=1):
        out[inst.mask] = i
    return out


def voc_palette() -> list[int]:
    """The standard PASCAL VOC colour map (bit-interleaved), 256 RGB entries."""
    pal = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal += [r, g, b]
    return pal


def class_palette(cats: list[str], labels: LabelList | None) -> list[int]:
    """VOC colours, with the label list's own colours for its classes (index = class id)."""
    pal = voc_palette()
    for i, c in enumerate(cats, start=1):
        if labels is not None and c in labels.colours and i < 255:
            pal[3 * i : 3 * i + 3] = list(labels.colours[c])
    return pal


def _png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def write_palette_png(path: Path, index: np.ndarray, palette: list[int] | None = None) -> None:
    img = Image.fromarray(index.astype(np.uint8), mode="P")
    img.putpalette(palette or voc_palette())
    write_bytes(path, _png_bytes(img))


def object_entries(it: ExportItem) -> list[dict[str, Any]]:
    return [{"id": k, "label": inst.category, **({"box": list(inst.box)} if inst.box else {})}
            for k, inst in enumerate(it.instances, start=1)]


def objects_doc(items: list[ExportItem], cats: list[str]) -> dict[str, Any]:
    return {"format": "sam-sculpt objects", "version": 1, "labels": cats,
            "images": {it.name: object_entries(it) for it in items}}


class PngWriter:
    """png: the union, 0/255. indexed: instance ids, plus objects.json (labels per id)."""

    def __init__(self, out_dir: Path, cats: list[str], indexed: bool = False):
        self.out, self.cats, self.indexed = Path(out_dir), cats, indexed
        self.objects: dict[str, list[dict[str, Any]]] = {}

    def add(self, it: ExportItem) -> list[Path]:
        path = under(self.out, f"{safe_name(it.name, 'image name')}.png")
        if self.indexed:
            write_bytes(path, _png_bytes(Image.fromarray(index_mask(it))))
            self.objects[it.name] = object_entries(it)
        else:
            write_mask(path, union_mask(it))
        return [path]

    def finish(self) -> list[Path]:
        if not self.indexed:
            return []
        path = under(self.out, OBJECTS_FILE)
        write_json(path, {"format": "sam-sculpt objects", "version": 1, "labels": self.cats, "images": self.objects})
        return [path]


def export_png(items: list[ExportItem], out_dir: Path, indexed: bool = False, labels: LabelList | None = None) -> list[Path]:
    w = PngWriter(out_dir, categories_of(items, labels), indexed)
    return [p for it in items for p in w.add(it)] + w.finish()


def labelmap_text(cats: list[str], palette: list[int]) -> str:
    """Datumaro/CVAT labelmap.txt: `name:r,g,b:parts:actions`, background first."""
    lines = ["# label:color_rgb:parts:actions", "background:0,0,0::"]
    for i, c in enumerate(cats, start=1):
        lines.append(f"{c}:{palette[3 * i]},{palette[3 * i + 1]},{palette[3 * i + 2]}::")
    return "\n".join(lines) + "\n"


class VocWriter:
    """SegmentationObject/NAME.png (index = instance, VOC colours), SegmentationClass/NAME.png (index
    = class, 1-based after background, palette = labelmap colours), labelmap.txt, labels.txt,
    ImageSets/Segmentation/default.txt. No 255 'void' border is drawn."""

    def __init__(self, out_dir: Path, cats: list[str], labels: LabelList | None = None):
        if len(cats) > 254:
            raise InputError(f"VOC holds at most 254 classes; this export has {len(cats)}")
        if bad := [c for c in cats if ":" in c]:
            raise InputError(f"label {bad[0]!r}: VOC's labelmap.txt cannot hold a ':' in a label name")
        self.out, self.cats = Path(out_dir), cats
        self.class_id = {c: i + 1 for i, c in enumerate(cats)}
        self.palette = class_palette(cats, labels)
        self.names: list[str] = []

    def add(self, it: ExportItem) -> list[Path]:
        name = safe_name(it.name, "image name")
        obj = index_mask(it)
        if obj.max() > 254:
            raise InputError(f"{it.name}: VOC's SegmentationObject holds at most 254 objects, this image has {obj.max()}")
        cls = np.zeros((it.height, it.width), np.uint8)
        for inst in it.instances:
            cls[inst.mask] = self.class_id[inst.category]
        obj_path, cls_path = under(self.out, "SegmentationObject", f"{name}.png"), under(self.out, "SegmentationClass", f"{name}.png")
        write_palette_png(obj_path, obj)
        write_palette_png(cls_path, cls, self.palette)
        self.names.append(it.name)
        return [obj_path, cls_path]

    def finish(self) -> list[Path]:
        files = {"labelmap.txt": labelmap_text(self.cats, self.palette),
                 "labels.txt": "background\n" + "".join(f"{c}\n" for c in self.cats)}
        paths = []
        for rel, text in files.items():
            paths.append(under(self.out, rel))
            write_text(paths[-1], text)
        paths.append(under(self.out, "ImageSets", "Segmentation", "default.txt"))
        write_text(paths[-1], "".join(f"{n}\n" for n in self.names))
        return paths


def export_voc(items: list[ExportItem], out_dir: Path, labels: LabelList | None = None) -> list[Path]:
    w = VocWriter(out_dir, categories_of(items, labels), labels)
    return [p for it in items for p in w.add(it)] + w.finish()


class CodWriter(PngWriter):
    """Imgs/NAME.<original suffix> (the original file, copied byte for byte), GT/NAME.png (union,
    0/255), Instance/NAME.png (instance ids 1..N, 8-bit grey; 16-bit above 255) and objects.json."""

    def __init__(self, out_dir: Path, cats: list[str]):
        super().__init__(out_dir, cats, indexed=True)

    def add(self, it: ExportItem) -> list[Path]:
        name = safe_name(it.name, "image name")
        gt, inst = under(self.out, "GT", f"{name}.png"), under(self.out, "Instance", f"{name}.png")
        write_mask(gt, union_mask(it))
        write_bytes(inst, _png_bytes(Image.fromarray(index_mask(it))))
        self.objects[it.name] = object_entries(it)
        img = copy_image(it.image_path, self.out, "Imgs", it.name)
        return [gt, inst] if img is None else [gt, inst, img]


def export_cod(items: list[ExportItem], out_dir: Path, labels: LabelList | None = None) -> list[Path]:
    w = CodWriter(out_dir, categories_of(items, labels))
    return [p for it in items for p in w.add(it)] + w.finish()
