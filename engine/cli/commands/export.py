"""python main.py export --format FORMAT --outputs outputs --out DIR [--simplify PX] [--labels labels.txt]"""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.exports.writer import FORMATS, export_dataset

COMMAND = "export"
HELP = "export sculpted objects (OUTPUTS/NAME/) as PNG, COCO, LabelMe, YOLO-seg, VOC or the COD layout"
ORDER = 40


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", required=True, choices=FORMATS,
                   help="coco/coco-polygon need pycocotools; labelme-mask writes exact mask shapes")
    p.add_argument("--outputs", type=Path, default=Path("outputs"), help="the sculpt/batch outputs folder (default: ./outputs)")
    p.add_argument("--out", type=Path, required=True, help="export folder (every file is written under it)")
    p.add_argument("--images", type=Path, help="where the images are, if they moved since sculpting (found by name)")
    p.add_argument("--category", help="one label for every object (default: each object's own label)")
    p.add_argument("--labels", type=Path, help="label list (labels.txt: one class per line, optional colour) "
                   "fixing the class order; default: OUTPUTS/labels.txt, then the order labels are first met")
    p.add_argument("--simplify", type=float, metavar="PX",
                   help="simplify polygon outlines (coco-polygon, labelme, yolo) with cv2.approxPolyDP at this "
                        "tolerance in pixels; default: the exact outline")


def run(args: argparse.Namespace) -> int:
    report = export_dataset(args.outputs, args.format, args.out, simplify=args.simplify, images_dir=args.images,
                            category=args.category, labels=args.labels)
    print(report.summary())
    return 0
