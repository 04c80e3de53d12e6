"""YOLO segmentation labels: labels/NAME.txt with one line per polygon, `class x1 y1 x2 y2 ...`
normalised to 0-1 (class = 0-based index in classes.txt). Holes: split into hole-free polygons."""

from __future__ import annotations

from pathlib import Path

from engine.exports.items import ExportItem, categories_of
from engine.exports.polygons import mask_to_polygons
from engine.io.atomic import write_text


def to_yolo_lines(item: ExportItem, class_index: dict[str, int]) -> list[str]:
    lines = []
    for inst in item.instances:
        for poly in mask_to_polygons(inst.mask):
            coords = " ".join(f"{x / item.width:.6f} {y / item.height:.6f}" for x, y in poly)
            lines.append(f"{class_index[inst.category]} {coords}")
    return lines


def export_yolo(items: list[ExportItem], out_dir: Path) -> list[Path]:
    cats = categories_of(items)
    index = {c: i for i, c in enumerate(cats)}
    paths = []
    for it in items:
        path = Path(out_dir) / "labels" / f"{it.name}.txt"
        lines = to_yolo_lines(it, index)
        write_text(path, "\n".join(lines) + ("\n" if lines else ""))
        paths.append(path)
    classes = Path(out_dir) / "classes.txt"
    write_text(classes, "".join(f"{c}\n" for c in cats))
    return [*paths, classes]
