"""python main.py eval --pred DIR --gt DIR"""

from __future__ import annotations

import argparse
from pathlib import Path

COMMAND = "eval"
HELP = "COD metrics (S, E, weighted F, F, MAE via pysodmetrics) and IoU of predicted masks against GT masks"
ORDER = 30


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pred", type=Path, required=True, help="predicted masks: NAME.png, or an outputs folder (NAME/final_mask.png)")
    p.add_argument("--gt", type=Path, required=True, help="GT masks NAME.png")
    p.add_argument("--gt-instances", type=Path, help="GT instance maps NAME.png (0 = background, one id or colour per "
                   "object, like COD10K's): adds per-instance IoU against the outputs' NAME/instances.png")
    p.add_argument("--out", type=Path, help="where metrics_per_image.csv and metrics_summary.json go (default: --pred)")


def run(args: argparse.Namespace) -> int:
    # imported here: pysodmetrics pulls in scikit-learn, too slow for every CLI start
    from engine.metrics.cod import SUMMARY_KEYS, write_results
    from engine.metrics.evaluate import evaluate_pairs, find_pairs
    pairs, missing = find_pairs(args.pred, args.gt)
    ev = evaluate_pairs(pairs)
    summary = {**ev.summary(), "missing_predictions": len(missing)}
    inst_line = ""
    if args.gt_instances:
        from engine.metrics.instances import InstanceEvaluator, find_instance_pairs, read_instance_map

        iev = InstanceEvaluator()
        by_name = {r["name"]: r for r in ev.rows}
        for name, pred_path, gt_path in find_instance_pairs(args.pred, args.gt_instances, [p.name for p in pairs]):
            gt_ids = read_instance_map(gt_path)
            pred_ids = read_instance_map(pred_path, gt_ids.shape)
            by_name[name].update(iev.step(name, pred_ids, gt_ids))
        keys = ("instances_gt", "instances_pred", "matched", "missed", "extra", "mIoU_instance")
        for r in ev.rows:  # every row the same columns (images without an instance map: empty)
            for k in keys:
                r.setdefault(k, None)
        summary.update(iev.summary())
        inst_line = (f"; per instance: mIoU {summary['mIoU_instance']:.4f} over {summary['instances_gt']} GT instance(s), "
                     f"{summary['instances_missed']} missed, {summary['instances_extra']} extra"
                     if summary["mIoU_instance"] is not None else "; per instance: no image with both instance maps")
    csv_path, json_path = write_results(args.out or args.pred, ev.rows, summary)
    print(" ".join(f"{k} {summary[k]:.4f}" for k in SUMMARY_KEYS))
    print(f"{len(pairs)} image(s) evaluated" + (f", {len(missing)} GT mask(s) without a prediction" if missing else "")
          + inst_line + f" -> {csv_path}, {json_path}")
    return 0
