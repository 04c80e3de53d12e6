"""python main.py sculpt --name NAME | --image PATH --box x0,y0,x1,y1

Every box of the box file is one object (with its label); outputs are written even when the critic
fails (exit code 3 = PARTIAL: the last good mask was kept, the failure is in sculpt.json)."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np

from engine.cli.options import add_sculpt_options, settings_from_args
from engine.errors import InputError
from engine.geometry.masks import iou
from engine.io.annotations import parse_box_arg
from engine.io.dataset import DatasetItem, aux_item, find_item
from engine.io.safe_paths import safe_join, sanitise_stem
from engine.resources import default_aux_dir
from engine.sculpt.labels import find_labels
from engine.sculpt.runner import build_critic, build_segmenter, load_item, sculpt_image
from engine.types import Box

COMMAND = "sculpt"
HELP = "sculpt one image: initial mask from the ROI, critic rounds, final_mask.png + sculpt.json"
ORDER = 10
EXIT_PARTIAL = 3  # outputs written, but a critic request failed: the result is the last good mask
log = logging.getLogger("sam_sculpt.sculpt")


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--name", help="an image of the aux layout: <aux-dir>/images/NAME.png|jpg with its box_out/llm_out files")
    src.add_argument("--image", type=Path, help="any image file (needs --box)")
    p.add_argument("--box", help="ROI x0,y0,x1,y1 in pixels (overrides the box_out file)")
    p.add_argument("--instance", help="what the object is (overrides llm_out)")
    p.add_argument("--init-mask", type=Path, help="start from an existing mask instead of the box-only mask "
                   "(semi-automatic cleanup); a PNG, or a COCO/LabelMe/YOLO/VOC file or folder with --init-format")
    p.add_argument("--init-format", default="png", choices=["png", "coco", "labelme", "yolo", "voc", "cod"],
                   help="format of --init-mask (default png)")
    p.add_argument("--gt", type=Path, help="ground-truth mask (needed by --critic oracle; IoU is printed)")
    p.add_argument("--gt-instances", type=Path, help="GT instance map (0 = background, one id or colour per object; "
                   "a PNG, or a folder with NAME.png): --critic oracle / noisy-oracle judges each object against its "
                   "own GT instance (the one whose box best matches the object's box) instead of the union")
    p.add_argument("--aux-dir", type=Path, default=default_aux_dir(),
                   help="aux-layout folder for --name (default: ./auxiliary if present, else the bundled samples)")
    p.add_argument("--dataset", type=Path, help="with --name: pick NAME from a dataset folder (aux, COD Imgs/+GT/, or plain)")
    p.add_argument("--layout", default="auto", choices=["auto", "aux", "cod", "folder"], help="layout of --dataset")
    p.add_argument("--out", type=Path, default=Path("outputs"), help="outputs go to OUT/NAME/ (default: ./outputs)")
    p.add_argument("--clean-output", action="store_true", help="write only final_mask.png, instance_info.txt, sculpt.json")
    p.add_argument("--save-points-vis", action="store_true", help="write the points overlay even with --clean-output")
    p.add_argument("--labels", type=Path, help="label list (labels.txt: one class per line, optional colour); "
                   "default: labels.txt of the dataset folder, or settings labels")
    p.add_argument("--find-all", metavar="TEXT", help="also add every instance of TEXT as an object "
                   "(needs a text-capable segmenter, e.g. sam3)")
    add_sculpt_options(p)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    box = parse_box_arg(args.box) if args.box is not None else None
    if args.name is not None and args.dataset:
        item = find_item(args.dataset, args.name, args.layout)
    elif args.name is not None:
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
    critic = build_critic(settings, gt_mask=loaded.gt, gt_instances=_gt_instances(args, loaded))
    t = time.perf_counter()
    out_dir = safe_join(args.out, loaded.name, what="output name")
    if args.labels:
        from engine.sculpt.labels import read_labels

        labels = read_labels(args.labels)
    else:
        labels = find_labels(args.dataset or (args.aux_dir if args.name else None), settings)
    session = sculpt_image(loaded, settings, segmenter, critic, out_dir, args.clean_output, args.save_points_vis,
                           initial_mask=initial, extra=extra, labels=labels, find_all=args.find_all)
    objects = [o for o in session.objects if o.active and o.started]
    n_rounds = sum(len(o.core.rounds) for o in objects)
    n_points = sum(len(o.core.accepted_points()) for o in objects)
    stop = "; ".join(o.core.stop_reason for o in objects) if len(objects) == 1 else \
        "; ".join(f"#{o.id} {o.label}: {o.core.stop_reason}" for o in objects)
    what = f"{len(objects)} objects, " if len(objects) != 1 else ""
    msg = (f"{loaded.name}: {what}{n_rounds} round(s), {n_points} point(s) applied, "
           f"{stop}; {time.perf_counter() - t:.2f}s -> {out_dir / 'final_mask.png'}")
    if loaded.gt is not None:
        union0 = np.zeros_like(loaded.gt, bool)
        for o in objects:
            union0 |= o.core.initial_mask if o.core.initial_mask is not None else o.core.mask
        msg += f" | IoU box-only {iou(union0, loaded.gt):.4f} sculpted {iou(session.union_mask(), loaded.gt):.4f}"
    print(msg)
    if session.partial:
        f = next(f for o in objects for f in o.core.failures)
        print(f"PARTIAL: critic '{f.get('critic')}' failed in round {f['round']} ({f['request']}): {f['error']}; "
              f"the last good mask was written (exit code {EXIT_PARTIAL})")
        return EXIT_PARTIAL
    return 0



def _gt_instances(args: argparse.Namespace, loaded) -> np.ndarray | None:
    """--gt-instances: the image's instance-id map at the image's size, or None."""
    if getattr(args, "gt_instances", None) is None:
        return None
    from engine.critics.oracle import load_gt_instances

    return load_gt_instances(args.gt_instances, loaded.name, loaded.image.shape[:2], loaded.gt)
