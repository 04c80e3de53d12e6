"""Calibrate the heuristic critic's evidence threshold on the CAMO test set (not a test).

ROI = tight GT box, images resized to a long side of 640, the initial mask from the box alone (grabcut). One
round of the default protocol (3 anchors chosen by the critic, one square each) with the threshold off
(min_evidence 0): every judgement that places a point is kept with its evidence. A point is right when a
positive one lands inside the GT and a negative one outside. Precision and number of points against the
threshold; the default is the lowest threshold whose precision is >= 0.8 (the most points at that precision).
The same curve for the `direct` strategy's points (their confidence) is reported alongside.

    nice .venv/bin/python benchmarks/heuristic_calibration.py [--images 60] [--long-side 640]

Writes benchmarks/results/heuristic_calibration.{json,md,png}; ends with one SUMMARY line. Reads
../shared/data/camo-test (or --data); skips with a message when it is absent."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import DEFAULT_DATA, RESULTS, camo_missing, read_pairs  # noqa: E402
from engine.critics.base import CriticView  # noqa: E402
from engine.critics.heuristic import HeuristicCritic  # noqa: E402
from engine.geometry.anchors import place_anchors  # noqa: E402
from engine.geometry.squares import make_squares, point_in_region  # noqa: E402
from engine.io.atomic import write_json, write_text  # noqa: E402
from engine.io.images import load_image, load_mask  # noqa: E402
from engine.sculpt.params import SculptParams  # noqa: E402
from engine.sculpt.runner import build_segmenter  # noqa: E402
from engine.settings import load_settings  # noqa: E402
from engine.types import Box, InstanceInfo, PointLabel  # noqa: E402

THRESHOLDS = [round(t, 2) for t in np.arange(0.0, 1.0001, 0.05)]
TARGET = 0.8


def resize_pair(image: np.ndarray, gt: np.ndarray, long_side: int) -> tuple[np.ndarray, np.ndarray]:
    h, w = gt.shape
    s = long_side / max(h, w)
    size = (round(w * s), round(h * s))
    return (cv2.resize(image, size, interpolation=cv2.INTER_AREA),
            cv2.resize(gt.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0)


def spread(pairs: list[dict], n: int) -> list[dict]:
    if n <= 0 or n >= len(pairs):
        return pairs
    idx = np.linspace(0, len(pairs) - 1, n).round().astype(int)
    return [pairs[i] for i in sorted(set(idx.tolist()))]


def right(gt: np.ndarray, x: float, y: float, label: PointLabel) -> bool:
    inside = bool(gt[int(round(y)), int(round(x))])
    return inside if label is PointLabel.POS else not inside


def curve(samples: list[tuple[float, bool]]) -> list[dict]:
    rows = []
    for t in THRESHOLDS:
        kept = [ok for conf, ok in samples if conf >= t and conf > 0]
        rows.append({"threshold": t, "points": len(kept),
                     "precision": round(sum(kept) / len(kept), 4) if kept else None})
    return rows


def choose(rows: list[dict], min_points: int) -> dict | None:
    """The lowest threshold (most points) with precision >= TARGET and at least min_points points."""
    ok = [r for r in rows if r["precision"] is not None and r["precision"] >= TARGET and r["points"] >= min_points]
    return ok[0] if ok else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--images", type=int, default=60, help="images spread over the set (0 = all)")
    ap.add_argument("--long-side", type=int, default=640)
    ap.add_argument("--segmenter", default="grabcut")
    ap.add_argument("--min-points", type=int, default=10, help="a threshold needs at least this many points")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--cache", type=Path, help="keep the initial masks here (npz) and reuse them on the next run")
    args = ap.parse_args()
    pairs_file = args.data / "pairs.jsonl"
    if camo_missing(pairs_file.exists(), pairs_file):
        return 0
    pairs = spread(read_pairs(pairs_file), args.images)
    settings = load_settings(user_path=Path("/nonexistent"))
    params = SculptParams()
    segmenter = build_segmenter(settings, args.segmenter)
    critic = HeuristicCritic(min_evidence=0.0)
    square_samples: list[tuple[float, bool]] = []
    direct_samples: list[tuple[float, bool]] = []
    per_image = []
    t0 = time.perf_counter()
    critic_s = 0.0
    for pair in pairs:
        cached = args.cache / f"{Path(pair['image']).stem}.npz" if args.cache else None
        if cached is not None and cached.exists():
            with np.load(cached, allow_pickle=False) as z:
                image, gt, mask = z["image"], z["gt"], z["mask"]
            box = Box.from_mask(gt)
        else:
            image = load_image(args.data / pair["image"])
            gt = load_mask(args.data / pair["mask"], image.shape[:2])
            image, gt = resize_pair(image, gt, args.long_side)
            box = Box.from_mask(gt)
            if box is None:
                continue
            segmenter.prepare(image)
            mask = segmenter.predict(box, []).best_mask().astype(bool)
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                np.savez_compressed(cached, image=image, gt=gt, mask=mask)
        if not mask.any():
            per_image.append({"image": pair["image"], "skipped": "empty initial mask"})
            continue
        tc = time.perf_counter()
        anchors = place_anchors(mask, box)
        view = CriticView(image, mask, box, anchors, max_side=params.vlm_max_side)
        chosen = critic.select_anchors(view, InstanceInfo(), params.anchors_k).parsed
        view.squares = make_squares(mask, [view.anchor(c.anchor_id) for c in chosen], box, params.ratio,
                                    params.min_square_side)
        n_sq = 0
        for reply in critic.judge_squares(view, [c.anchor_id for c in chosen], InstanceInfo()):
            j = reply.parsed
            if j.region is None or j.action is None:
                continue
            xy = point_in_region(view.squares[j.anchor_id], j.region)
            if xy is not None:
                square_samples.append((float(j.confidence), right(gt, xy[0], xy[1], j.action)))
                n_sq += 1
        direct = critic.propose_points(view, InstanceInfo(), params.max_points).parsed
        for p in direct:
            direct_samples.append((float(p.confidence), right(gt, p.x, p.y, p.label)))
        critic_s += time.perf_counter() - tc
        per_image.append({"image": pair["image"], "square_points": n_sq, "direct_points": len(direct)})
    seconds = time.perf_counter() - t0
    sq_rows, di_rows = curve(square_samples), curve(direct_samples)
    sq_pick, di_pick = choose(sq_rows, args.min_points), choose(di_rows, args.min_points)
    current = next(r for r in sq_rows if r["threshold"] == 0.25)
    n_images = sum(1 for r in per_image if "skipped" not in r)
    report = {"images": n_images, "long_side": args.long_side, "segmenter": args.segmenter, "target_precision": TARGET,
              "min_points": args.min_points, "square": {"curve": sq_rows, "chosen": sq_pick, "at_0.25": current},
              "direct": {"curve": di_rows, "chosen": di_pick}, "seconds": round(seconds, 1),
              "critic_seconds": round(critic_s, 2), "per_image": per_image,
              "command": f"nice .venv/bin/python benchmarks/heuristic_calibration.py --images {args.images} "
                         f"--long-side {args.long_side}" + (f" --cache {args.cache}" if args.cache else ""),
              "note": "seconds exclude the grabcut initial masks when they came from --cache" if args.cache else ""}
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "heuristic_calibration.json", report)
    write_text(args.out / "heuristic_calibration.md", markdown(report))
    plot(report, args.out / "heuristic_calibration.png")
    print(markdown(report))
    pick = lambda r: r["threshold"] if r else "none"  # noqa: E731
    prec = lambda r: r["precision"] if r else "none"  # noqa: E731
    print(f"SUMMARY images={n_images} square_points={len(square_samples)} direct_points={len(direct_samples)} "
          f"square_threshold={pick(sq_pick)} square_precision={prec(sq_pick)} "
          f"square_points_kept={sq_pick['points'] if sq_pick else 0} precision_at_0.25={current['precision']} "
          f"points_at_0.25={current['points']} direct_threshold={pick(di_pick)} direct_precision={prec(di_pick)} "
          f"seconds={seconds:.0f}")
    return 0


def markdown(report: dict) -> str:
    lines = ["# Heuristic critic: precision of its points vs the evidence threshold",
             "", f"CAMO test, {report['images']} images spread over the set, long side {report['long_side']}, "
             f"initial mask {report['segmenter']} from the GT box, one round. A positive point is right inside the "
             f"GT, a negative one outside. Target precision {report['target_precision']} "
             f"(with >= {report['min_points']} points). Command: `{report['command']}` ({report['seconds']} s).", ""]
    for key, title in (("square", "anchors strategy (min_evidence)"), ("direct", "direct strategy (point confidence)")):
        part = report[key]
        lines += [f"## {title}", "", "| threshold | points | precision |", "|---:|---:|---:|"]
        lines += [f"| {r['threshold']:.2f} | {r['points']} | {r['precision'] if r['precision'] is not None else '-'} |"
                  for r in part["curve"]]
        chosen = part["chosen"]
        lines += ["", f"chosen: {chosen['threshold']} ({chosen['points']} points, precision {chosen['precision']})"
                  if chosen else "chosen: none reaches the target precision", ""]
    return "\n".join(lines)


def plot(report: dict, path: Path) -> None:
    from engine.metrics.plots import _save, plt

    fig, ax = plt.subplots(figsize=(7, 4))
    ax2 = ax.twinx()
    for key, style in (("square", "-"), ("direct", "--")):
        rows = report[key]["curve"]
        ts = [r["threshold"] for r in rows]
        ax.plot(ts, [r["precision"] if r["precision"] is not None else np.nan for r in rows], "b" + style, marker=".",
                label=f"precision ({key})")
        ax2.plot(ts, [r["points"] for r in rows], "g" + style, label=f"points ({key})")
    ax.axhline(TARGET, color="r", lw=0.8, ls=":")
    if report["square"]["chosen"]:
        ax.axvline(report["square"]["chosen"]["threshold"], color="k", lw=0.8, ls=":")
    ax.set_xlabel("evidence threshold")
    ax.set_ylabel("precision", color="b")
    ax2.set_ylabel("points kept", color="g")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"heuristic critic on CAMO test ({report['images']} images, {report['long_side']} px)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="lower left")
    _save(fig, path)


if __name__ == "__main__":
    raise SystemExit(main())
