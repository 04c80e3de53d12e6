"""Mask PNGs: binary 0/255, instance-indexed (0 background, i = instance i), VOC SegmentationObject /
SegmentationClass (palette PNGs), and the COD layout (Imgs/ + GT/)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from engine.exports.items import ExportItem, categories_of
from engine.io.atomic import atomic_open, write_bytes, write_mask, write_text


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


def _png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def write_palette_png(path: Path, index: np.ndarray) -> None:
    img = Image.fromarray(index.astype(np.uint8), mode="P")
    img.putpalette(voc_palette())
    write_bytes(path, _png_bytes(img))


def export_png(items: list[ExportItem], out_dir: Path, indexed: bool = False) -> list[Path]:
    paths = []
    for it in items:
        path = Path(out_dir) / f"{it.name}.png"
        if indexed:
            write_bytes(path, _png_bytes(Image.fromarray(index_mask(it))))
        else:
            write_mask(path, union_mask(it))
        paths.append(path)
    return paths


def export_voc(items: list[ExportItem], out_dir: Path) -> list[Path]:
    """SegmentationObject/NAME.png (index = instance), SegmentationClass/NAME.png (index = class, 1-based
    in labels.txt after background), ImageSets/Segmentation/all.txt. No 255 'void' border is drawn."""
    out = Path(out_dir)
    cats = categories_of(items)
    class_id = {c: i + 1 for i, c in enumerate(cats)}
    paths = []
    for it in items:
        obj = index_mask(it)
        if obj.max() > 254:
            obj = np.minimum(obj, 254)
        cls = np.zeros((it.height, it.width), np.uint8)
        for inst in it.instances:
            cls[inst.mask] = class_id[inst.category]
        write_palette_png(out / "SegmentationObject" / f"{it.name}.png", obj)
        write_palette_png(out / "SegmentationClass" / f"{it.name}.png", cls)
        paths += [out / "SegmentationObject" / f"{it.name}.png", out / "SegmentationClass" / f"{it.name}.png"]
    write_text(out / "labels.txt", "background\n" + "".join(f"{c}\n" for c in cats))
    write_text(out / "ImageSets" / "Segmentation" / "all.txt", "".join(f"{it.name}\n" for it in items))
    return paths


def export_cod(items: list[ExportItem], out_dir: Path) -> list[Path]:
    """Imgs/NAME.<original suffix> (the original file, copied byte for byte) and GT/NAME.png (0/255)."""
    out = Path(out_dir)
    paths = []
    for it in items:
        gt = out / "GT" / f"{it.name}.png"
        write_mask(gt, union_mask(it))
        paths.append(gt)
        if it.image_path is not None and Path(it.image_path).exists():
            dst = out / "Imgs" / f"{it.name}{Path(it.image_path).suffix.lower()}"
            with open(it.image_path, "rb") as src, atomic_open(dst, "wb") as f:
                shutil.copyfileobj(src, f)
            paths.append(dst)
    return paths
