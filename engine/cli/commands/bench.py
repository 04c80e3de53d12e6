"""python main.py bench --dataset DIR --box-from-gt [--segmenter ..] [--critic ..] [--rounds ..]"""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.options import add_sculpt_options, settings_from_args
from engine.errors import InputError
from engine.io.atomic import write_json
from engine.io.dataset import list_dataset

COMMAND = "bench"
HELP = "benchmark on a dataset with GT: COD metrics box-only vs sculpted, and clicks saved (NoC@85/90) by the critic"
ORDER = 35


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", type=Path, required=True)
    p.add_argument("--layout", default="auto", choices=["auto", "aux", "cod", "folder"])
    p.add_argument("--box-from-gt", action="store_true", help="ROI = tight box of the GT mask (the usual protocol)")
    p.add_argument("--limit", type=int, help="only the first N images (sorted by name)")
    p.add_argument("--max-side", type=int, help="resize images and GT to this long side, up or down (0: keep; default eval.max_side, 1024)")
    p.add_argument("--max-clicks", type=int, help="robot click cap (default eval.max_clicks, 20)")
    p.add_argument("--gt-instances", type=Path, help="GT instance maps NAME.png (0 = background, one id or colour per "
                   "object, as `eval --gt-instances`): the oracle judges each object against its own GT instance and "
                   "the robot clicks per object; NoC/IoU per instance and their mean in the summary (with --box-from-gt: "
                   "one object per GT instance)")
    p.add_argument("--out", type=Path, default=Path("outputs/bench"))
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--noise", type=float, help="critic noisy-oracle: probability that each judgement is flipped (0..1)")
    p.add_argument("--seed", type=int, help="critic noisy-oracle: seed of the flips (same seed, same answers)")
    add_sculpt_options(p)


def run(args: argparse.Namespace) -> int:
    # imported here: pysodmetrics pulls in scikit-learn, too slow for every CLI start
    from engine.metrics.bench import BOX_ONLY, CLICKS_ONLY, BenchConfig, per_image_ious, run_bench
    from engine.metrics.cod import write_results
    from engine.metrics.plots import plot_iou_per_image, plot_miou_vs_clicks
    for key in ("noise", "seed"):  # as --set items, so the settings validation checks them
        if getattr(args, key, None) is not None:
            args.set = [*(getattr(args, "set", None) or []), f"critic.options.noisy-oracle.{key}={getattr(args, key)}"]
    settings = settings_from_args(args)
    items = list_dataset(args.dataset, args.layout)
    if args.limit is not None:
        items = items[: max(0, args.limit)]
    if not items:
        raise InputError(f"{args.dataset}: no images found")
    rounds = int(settings["sculpt"]["rounds"])
    critic = settings["critic"]["name"]
    name = f"{settings['segmenter']['name']}+{critic} r{rounds}"
    if critic == "noisy-oracle":
        name += f" p{float(settings['critic']['options']['noisy-oracle']['noise']):g}"
    ev = settings.get("eval", {})
    max_side = args.max_side if args.max_side is not None else int(ev.get("max_side", 1024))
    max_clicks = args.max_clicks if args.max_clicks is not None else int(ev.get("max_clicks", 20))
    if args.gt_instances is not None and not args.gt_instances.is_dir():
        raise InputError(f"{args.gt_instances}: --gt-instances folder not found")
    report = run_bench(items, settings, [BenchConfig(name, critic, rounds)], max_side=max_side or None,
                       box_from_gt=args.box_from_gt, max_clicks=max_clicks, stop_at=float(ev.get("robot_stop_iou", 0.9)),
                       progress=not args.no_progress, gt_instances=args.gt_instances)
    if not report.images:
        raise InputError(f"{args.dataset}: no image could be benchmarked ({report.failures[0][1] if report.failures else 'none found'})")
    out = args.out
    summary = report.summary()
    for arm_name in (BOX_ONLY, name):
        stem = "box_only" if arm_name == BOX_ONLY else "sculpted"
        arm = report.arms[arm_name]
        write_results(out, arm.evaluator.rows, arm.evaluator.summary(), stem=stem)
    write_json(out / "bench_summary.json", summary)
    plot_iou_per_image(per_image_ious(report, BOX_ONLY), {name: per_image_ious(report, name)}, out / "iou_per_image.png")
    arms = summary["arms"]
    curve = "miou_curve" if "miou_curve" in arms.get(CLICKS_ONLY, {}) else "miou_curve_instances"
    if curve in arms.get(CLICKS_ONLY, {}):  # the union curve; per instance when no image has one object
        plot_miou_vs_clicks({"clicks only": arms[CLICKS_ONLY][curve],
                             f"{name}, then clicks": arms.get(name, {}).get(curve, [])}, out / "miou_vs_clicks.png")
    for arm_name in (BOX_ONLY, name):
        c = summary["arms"][arm_name]["cod"]
        print(f"{arm_name:>24}: S {c['Smeasure']:.4f} wF {c['wFmeasure']:.4f} MAE {c['MAE']:.4f} "
              f"maxEm {c['maxEm']:.4f} maxFm {c['maxFm']:.4f} mIoU {c['mIoU']:.4f}")
    for arm_name, label in ((CLICKS_ONLY, "clicks only"), (name, "critic first")):
        r = summary["arms"].get(arm_name, {}).get("robot")
        if r is None:  # no one-object image (the robot's union figures need one)
            continue
        print(f"{label:>24}: NoC@85 {r['NoC@85']:.2f} NoC@90 {r['NoC@90']:.2f} (failed {r['NoF@85']}/{r['NoF@90']}) "
              + " ".join(f"{k} {r[k]:.4f}" for k in ("mIoU@0", "mIoU@1", "mIoU@5", "mIoU@20") if k in r))
    for arm_name, label in ((CLICKS_ONLY, "clicks only"), (name, "critic first")):
        r = summary["arms"].get(arm_name, {}).get("robot_instances")
        if r is None:
            continue
        print(f"{label + ' per inst.':>24}: NoC@85 {r['NoC@85']:.2f} NoC@90 {r['NoC@90']:.2f} (failed {r['NoF@85']}/"
              f"{r['NoF@90']}) over {r['count']} object(s), {r['unmatched']} without a GT instance "
              + " ".join(f"{k} {r[k]:.4f}" for k in ("mIoU@0", "mIoU@1", "mIoU@5", "mIoU@20") if k in r))
    if args.gt_instances is not None:
        print(f"per instance: {summary.get('instance_images', 0)} image(s) with an instance map, "
              f"{summary.get('gt_instances', 0)} GT instance(s), {summary.get('gt_instances_without_object', 0)} "
              "without an object")
    for f, reason in report.failures:
        print(f"  failed: {f}: {reason}")
    print(f"{report.images} image(s); results in {out}")
    return 1 if report.failures else 0
