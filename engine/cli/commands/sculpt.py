"""python main.py sculpt --name NAME | --image PATH --box x0,y0,x1,y1"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from engine.cli.options import add_sculpt_options, settings_from_args
from engine.errors import InputError
from engine.geometry.masks import iou
from engine.io.annotations import parse_box_arg
from engine.io.dataset import DatasetItem, aux_item, find_item
from engine.io.safe_paths import safe_join, sanitise_stem
from engine.resources import default_aux_dir
from engine.sculpt.runner import build_critic, build_segmenter, load_item, sculpt_loaded
from engine.types import Box

COMMAND = "sculpt"
HELP = "sculpt one image: initial mask from the ROI, critic rounds, final_mask.png + sculpt.json"
ORDER = 10
log = logging.getLogger("sam_sculpt.sculpt")


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--name", help="an image of the aux layout: <aux-dir>/images/NAME.png|jpg with its box_out/llm_out files")
    src.add_argument("--image", type=Path, help="any image file (needs --box)")
    p.add_argument("--box", help="ROI x0,y0,x1,y1 in pixels (overrides the box_out file)")
    p.add_argument("--instance", help="what the object is (overrides llm_out)")
    p.add_argument("--init-mask", type=Path, help="start from an existing mask instead of the box-only mask "
                   "(semi-automatic cleanup); a PNG, or a COCO/LabelMe/YOLO/VOC file or folder with --init-format")
    p.add_argument("--init-format", default="png", choices=["png", "coco", "labelme", "yolo", "voc", "cod"])
    p.add_argument("--gt", type=Path, help="ground-truth mask (needed by --critic oracle; IoU is printed)")
    p.add_argument("--aux-dir", type=Path, default=default_aux_dir(),
                   help="aux-layout folder for --name (default: ./auxiliary if present, else the bundled samples)")
    p.add_argument("--dataset", type=Path, help="with --name: pick NAME from a dataset folder (aux, COD Imgs/+GT/, or plain)")
    p.add_argument("--layout", default="auto", choices=["auto", "aux", "cod", "folder"], help="layout of --dataset")
    p.add_argument("--out", type=Path, default=Path("outputs"))
    p.add_argument("--clean-output", action="store_true", help="write only final_mask.png, instance_info.txt, sculpt.json")
    p.add_argument("--save-points-vis", action="store_true", help="write the points overlay even with --clean-output")
    add_sculpt_options(p)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    box = parse_box_arg(args.box) if args.box is not None else None
    if args.name and args.dataset:
        item = find_item(args.dataset, args.name, args.layout)
    elif args.name:
        item = aux_item(args.aux_dir, args.name)
    else:
        if box is None:
            raise InputError(f"{args.image}: --image needs --box x0,y0,x1,y1")
        item = DatasetItem(name=sanitise_stem(args.image.stem), image_path=args.image)
    if args.gt:
        item.gt_path = args.gt
    initial, extra = None, {}
    if args.init_mask:
        from engine.exports.importers import import_mask
        from engine.io.images import image_size

        w, h = image_size(item.image_path)
        initial = import_mask(args.init_format, args.init_mask, item.name, (h, w))
        extra["initial_mask_source"] = f"{args.init_format}:{args.init_mask}"
        if box is None and not item.has_box:
            box = Box.from_mask(initial)
            if box is None:
                raise InputError(f"{args.init_mask}: the imported mask is empty and no --box was given")
    loaded = load_item(item, settings, box=box, instance=args.instance)
    segmenter = build_segmenter(settings)
    critic = build_critic(settings, gt_mask=loaded.gt)
    t = time.perf_counter()
    out_dir = safe_join(args.out, loaded.name, what="output name")
    session = sculpt_loaded(loaded, settings, segmenter, critic, out_dir, args.clean_output, args.save_points_vis,
                            initial_mask=initial, extra=extra)
    n_points = len(session.accepted_points())
    msg = (f"{loaded.name}: {len(session.rounds)} round(s), {n_points} point(s) applied, "
           f"{session.stop_reason}; {time.perf_counter() - t:.2f}s -> {out_dir / 'final_mask.png'}")
    if loaded.gt is not None:
        msg += f" | IoU box-only {iou(session.initial_mask, loaded.gt):.4f} sculpted {iou(session.mask, loaded.gt):.4f}"
    print(msg)
    return 0
