"""Sculpting quality on the CAMO test set (not a test): ROI = tight GT box, images resized to a long side
of 1024; mean IoU of the box-only mask vs sculpted masks (heuristic and oracle critics), images/s.

    .venv/bin/python benchmarks/sculpt_quality.py [--limit N] [--segmenter grabcut] [--rounds 1] [--strategy anchors]

Reads ../shared/data/camo-test (or --data); skips with a message when it is absent."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import DEFAULT_DATA, camo_missing, read_pairs  # noqa: E402
from engine.critics.heuristic import HeuristicCritic  # noqa: E402
from engine.critics.oracle import OracleCritic  # noqa: E402
from engine.geometry.masks import iou  # noqa: E402
from engine.io.images import load_image, load_mask  # noqa: E402
from engine.sculpt.params import SculptParams  # noqa: E402
from engine.sculpt.runner import build_segmenter  # noqa: E402
from engine.sculpt.session import SculptSession  # noqa: E402
from engine.settings import load_settings  # noqa: E402
from engine.types import Box  # noqa: E402


def resize_pair(image: np.ndarray, gt: np.ndarray, long_side: int) -> tuple[np.ndarray, np.ndarray]:
    h, w = gt.shape
    s = long_side / max(h, w)
    size = (round(w * s), round(h * s))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), cv2.resize(gt.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=0, help="first N pairs only (0 = all)")
    ap.add_argument("--segmenter", default="grabcut")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--strategy", default="anchors")
    ap.add_argument("--ratio", type=float, default=0.6)
    ap.add_argument("--long-side", type=int, default=1024)
    args = ap.parse_args()
    pairs_file = args.data / "pairs.jsonl"
    if camo_missing(pairs_file.exists(), pairs_file):
        return 0
    pairs = read_pairs(pairs_file)
    if args.limit:
        pairs = pairs[: args.limit]
    settings = load_settings(user_path=Path("/nonexistent"))
    segmenter = build_segmenter(settings, args.segmenter)
    params = SculptParams(rounds=args.rounds, strategy=args.strategy, ratio=args.ratio)
    rows = []
    t_all = time.perf_counter()
    time_per = {"box-only": 0.0, "heuristic": 0.0, "oracle": 0.0}
    for i, pair in enumerate(pairs):
        image = load_image(args.data / pair["image"])
        gt = load_mask(args.data / pair["mask"], image.shape[:2])
        image, gt = resize_pair(image, gt, args.long_side)
        box = Box.from_mask(gt)
        row = {"image": Path(pair["image"]).stem}
        for label, critic in (("heuristic", HeuristicCritic()), ("oracle", OracleCritic(gt))):
            t = time.perf_counter()
            session = SculptSession(image, box, segmenter, critic, params=params)
            t0 = time.perf_counter()
            session.start()
            t_init = time.perf_counter() - t0
            result = session.run()
            row["box-only"] = iou(result.initial_mask, gt)
            row[label] = iou(result.mask, gt)
            time_per[label] += time.perf_counter() - t
            if label == "heuristic":
                time_per["box-only"] += t_init
        rows.append(row)
        if (i + 1) % 25 == 0:
            print(f"  {i + 1}/{len(pairs)} done", flush=True)
    elapsed = time.perf_counter() - t_all
    n = len(rows)
    print(f"\nCAMO test, {n} images, long side {args.long_side}, ROI = tight GT box, segmenter {args.segmenter}, "
          f"strategy {args.strategy}, rounds {args.rounds}, ratio {args.ratio}")
    print(f"{'mask':<12}{'mean IoU':>10}{'median':>9}{'better':>8}{'worse':>7}{'img/s':>8}")
    base = np.array([r["box-only"] for r in rows])
    for key in ("box-only", "heuristic", "oracle"):
        v = np.array([r[key] for r in rows])
        better = int((v > base + 1e-3).sum()) if key != "box-only" else 0
        worse = int((v < base - 1e-3).sum()) if key != "box-only" else 0
        print(f"{key:<12}{v.mean():>10.4f}{np.median(v):>9.4f}{better:>8}{worse:>7}{n / max(time_per[key], 1e-9):>8.2f}")
    print(f"oracle gain over box-only: {np.mean([r['oracle'] - r['box-only'] for r in rows]):+.4f} mean IoU; "
          f"heuristic: {np.mean([r['heuristic'] - r['box-only'] for r in rows]):+.4f}; total {elapsed:.1f}s")
    means = {key: float(np.mean([r[key] for r in rows])) for key in ("box-only", "heuristic", "oracle")}
    print(f"SUMMARY images={n} box_only_miou={means['box-only']:.4f} heuristic_miou={means['heuristic']:.4f} "
          f"oracle_miou={means['oracle']:.4f} oracle_gain={means['oracle'] - means['box-only']:+.4f} "
          f"heuristic_gain={means['heuristic'] - means['box-only']:+.4f} img_per_s={n / max(elapsed, 1e-9):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
