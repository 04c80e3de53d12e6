"""One entry point for every export format."""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError
from engine.exports.coco import export_coco
from engine.exports.items import ExportItem
from engine.exports.labelme import export_labelme
from engine.exports.pngs import export_cod, export_png, export_voc
from engine.exports.yolo import export_yolo

FORMATS = ("png", "png-indexed", "coco", "coco-polygon", "labelme", "yolo", "voc", "cod")


def export(items: list[ExportItem], fmt: str, out_dir: str | Path) -> list[Path]:
    out = Path(out_dir)
    if fmt == "png":
        return export_png(items, out)
    if fmt == "png-indexed":
        return export_png(items, out, indexed=True)
    if fmt == "coco":
        return export_coco(items, out, "rle")
    if fmt == "coco-polygon":
        return export_coco(items, out, "polygon")
    if fmt == "labelme":
        return export_labelme(items, out)
    if fmt == "yolo":
        return export_yolo(items, out)
    if fmt == "voc":
        return export_voc(items, out)
    if fmt == "cod":
        return export_cod(items, out)
    raise InputError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
