"""python main.py batch (--samples a,b | --auto | --dataset DIR) [--parallel N] [--executor local|ray] ..."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.batch.ray_executor import RayConfig
from engine.batch.runner import EXECUTORS, FAILURES_FILE, SUMMARY_FILE, run_batch
from engine.batch.task import BatchOptions
from engine.cli.options import add_sculpt_options, settings_from_args
from engine.errors import InputError
from engine.io.dataset import aux_item, list_dataset
from engine.resources import default_aux_dir

COMMAND = "batch"
HELP = "sculpt many images (local worker processes or Ray); resumable with --skip-done"
ORDER = 20
IMPORT_FORMATS = ("png", "coco", "labelme", "yolo", "voc")


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--samples", help="comma-separated names in <aux-dir>/images, e.g. demo,moth")
    src.add_argument("--auto", action="store_true", help="every image in <aux-dir>/images")
    src.add_argument("--dataset", type=Path, help="a dataset folder (see --layout)")
    p.add_argument("--aux-dir", type=Path, default=default_aux_dir(),
                   help="aux-layout folder for --name (default: ./auxiliary if present, else the bundled samples)")
    p.add_argument("--layout", default="auto", choices=["auto", "aux", "cod", "folder"], help="layout of --dataset")
    p.add_argument("--out", type=Path, default=Path("outputs"), help="outputs go to OUT/NAME/")
    p.add_argument("--parallel", type=int, default=1, help="worker processes (local) or actors (ray)")
    p.add_argument("--executor", choices=EXECUTORS, default=None, help="local (default) or ray")
    p.add_argument("--ray-address", help="join an existing Ray cluster (e.g. auto or ray://head:10001); default: start one locally")
    p.add_argument("--ray-gpus", type=float, default=None, help="GPUs per Ray actor (default from settings batch.ray_gpus_per_actor)")
    p.add_argument("--skip-done", action="store_true", help="skip images whose OUT/NAME/final_mask.png exists (resume)")
    p.add_argument("--box-from-gt", action="store_true", help="ROI = tight box of the GT mask (evaluation protocol)")
    p.add_argument("--init-masks", type=Path, help="start from existing masks: a folder of PNGs, a COCO JSON, a LabelMe folder, ...")
    p.add_argument("--init-format", choices=IMPORT_FORMATS, default="png", help="format of --init-masks")
    p.add_argument("--gt-instances", type=Path, help="GT instance maps NAME.png (0 = background, one id or colour per "
                   "object): --critic oracle / noisy-oracle judges each object against its own GT instance")
    p.add_argument("--limit", type=int, help="only the first N images (sorted by name)")
    p.add_argument("--clean-output", action="store_true", help="write only final_mask.png, instance_info.txt, sculpt.json")
    p.add_argument("--save-points-vis", action="store_true")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_sculpt_options(p)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    batch_cfg = settings.get("batch", {})
    if args.dataset:
        items = list_dataset(args.dataset, args.layout)
    elif args.auto:
        items = list_dataset(args.aux_dir, "aux")
    else:
        names = [n.strip() for n in args.samples.split(",") if n.strip()]
        if not names:
            raise InputError("--samples: give at least one name")
        items = [aux_item(args.aux_dir, n) for n in names]
    if args.limit is not None:
        items = items[: max(0, args.limit)]
    if not items:
        raise InputError(f"{args.dataset or args.aux_dir}: no images found")
    options = BatchOptions(out_root=args.out, skip_done=args.skip_done, box_from_gt=args.box_from_gt,
                           clean_output=args.clean_output, save_points_vis=args.save_points_vis,
                           init_masks=args.init_masks, init_format=args.init_format,
                           gt_instances=args.gt_instances)
    ray_config = RayConfig(address=args.ray_address or batch_cfg.get("ray_address"),
                           num_gpus_per_actor=args.ray_gpus if args.ray_gpus is not None else float(batch_cfg.get("ray_gpus_per_actor", 0)),
                           temp_dir=batch_cfg.get("ray_temp_dir"))
    executor = args.executor or batch_cfg.get("executor", "local")
    summary = run_batch(items, settings, options, parallel=args.parallel, executor=executor, ray_config=ray_config,
                        progress=not args.no_progress)
    print(summary.text())
    for r in summary.failures:
        print(f"  failed: {r.failure_line()}")
    partial = [r for r in summary.results if getattr(r, "partial", False)]
    for r in partial:
        print(f"  partial: {r.name}: {r.reason}")
    print(f"summary: {args.out / SUMMARY_FILE}" + (f", failures: {args.out / FAILURES_FILE}" if summary.failures else ""))
    if not summary.ok:
        return 1
    return 3 if partial else 0  # 3: every image written, some from the last good mask after a critic failure
