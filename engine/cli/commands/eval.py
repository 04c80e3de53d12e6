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
    p.add_argument("--out", type=Path, help="where metrics_per_image.csv and metrics_summary.json go (default: --pred)")


def run(args: argparse.Namespace) -> int:
    # imported here: pysodmetrics pulls in scikit-learn, too slow for every CLI start
    from engine.metrics.cod import SUMMARY_KEYS, write_results
    from engine.metrics.evaluate import evaluate_pairs, find_pairs
    pairs, missing = find_pairs(args.pred, args.gt)
    ev = evaluate_pairs(pairs)
    summary = {**ev.summary(), "missing_predictions": len(missing)}
    csv_path, json_path = write_results(args.out or args.pred, ev.rows, summary)
    print(" ".join(f"{k} {summary[k]:.4f}" for k in SUMMARY_KEYS))
    print(f"{len(pairs)} image(s) evaluated" + (f", {len(missing)} GT mask(s) without a prediction" if missing else "")
          + f" -> {csv_path}, {json_path}")
    return 0
