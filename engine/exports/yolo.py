"""YOLO segmentation (Ultralytics layout): images/NAME.<ext> (the originals, copied), labels/NAME.txt
with ONE line per object, `class x1 y1 x2 y2 ...` normalised to 0-1, classes.txt and data.yaml
(`names`, train/val = images; no `path:` key, so Ultralytics resolves it to the yaml's folder).
An object with holes or several parts stays one line: its outer and hole outlines are joined by
zero-width bridges the way Ultralytics' COCO converter joins segments (see polygons.join_segments),
and Ultralytics fills a line even-odd, which keeps the holes open. Vertices are pixel centres + 1/4 px
(truncating and rounding readers agree)."""

from __future__ import annotations

import json
from pathlib import Path

from engine.exports.items import ExportItem, categories_of
from engine.exports.labels import LabelList
from engine.exports.paths import copy_image, safe_name, under
from engine.exports.polygons import join_segments, mask_contours
from engine.io.atomic import write_text


def to_yolo_lines(item: ExportItem, class_index: dict[str, int], simplify: float | None = None) -> list[str]:
    lines = []
    for inst in item.instances:
        if not inst.mask.any():
            continue
        poly = join_segments(mask_contours(inst.mask, simplify))
        if len(poly) < 3:
            poly = (poly * 3)[:3]
        # +1/4 px: readers that truncate (Ultralytics' polygon2mask casts to int32) and readers that
        # round land on the same pixel centre
        coords = " ".join(f"{(x + 0.25) / item.width:.6f} {(y + 0.25) / item.height:.6f}" for x, y in poly)
        lines.append(f"{class_index[inst.category]} {coords}")
    return lines


def data_yaml(cats: list[str]) -> str:
    names = "".join(f"  {i}: {json.dumps(c, ensure_ascii=False)}\n" for i, c in enumerate(cats))
    return ("# written by SAM Sculpt; no path: key, so Ultralytics uses this file's folder as the dataset root\n"
            f"train: images\nval: images\nnc: {len(cats)}\nnames:\n{names}")


class YoloWriter:
    def __init__(self, out_dir: Path, cats: list[str], simplify: float | None = None):
        self.out, self.cats, self.simplify = Path(out_dir), cats, simplify
        self.index = {c: i for i, c in enumerate(cats)}

    def add(self, it: ExportItem) -> list[Path]:
        path = under(self.out, "labels", f"{safe_name(it.name, 'image name')}.txt")
        lines = to_yolo_lines(it, self.index, self.simplify)
        write_text(path, "\n".join(lines) + ("\n" if lines else ""))
        img = copy_image(it.image_path, self.out, "images", it.name)
        return [path] if img is None else [path, img]

    def finish(self) -> list[Path]:
        classes, yaml = under(self.out, "classes.txt"), under(self.out, "data.yaml")
        write_text(classes, "".join(f"{c}\n" for c in self.cats))
        write_text(yaml, data_yaml(self.cats))
        return [classes, yaml]


def export_yolo(items: list[ExportItem], out_dir: Path, labels: LabelList | None = None,
                simplify: float | None = None) -> list[Path]:
    w = YoloWriter(out_dir, categories_of(items, labels), simplify)
    return [p for it in items for p in w.add(it)] + w.finish()
