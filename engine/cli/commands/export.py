"""python main.py export --format png|png-indexed|coco|coco-polygon|labelme|yolo|voc|cod --outputs outputs --out DIR"""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.exports.items import collect_outputs
from engine.exports.writer import FORMATS, export

COMMAND = "export"
HELP = "export sculpted masks (OUTPUTS/NAME/final_mask.png) as PNG, COCO, LabelMe, YOLO, VOC or the COD layout"
ORDER = 40


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--outputs", type=Path, default=Path("outputs"), help="the sculpt/batch outputs folder")
    p.add_argument("--out", type=Path, required=True, help="export folder")
    p.add_argument("--images", type=Path, help="where the images are, if they moved since sculpting (found by name)")
    p.add_argument("--category", help="one category name for every mask (default: the instance name of each image)")


def run(args: argparse.Namespace) -> int:
    items = collect_outputs(args.outputs, args.images, args.category)
    paths = export(items, args.format, args.out)
    print(f"exported {len(items)} image(s) as {args.format}: {len(paths)} file(s) in {args.out}")
    return 0
