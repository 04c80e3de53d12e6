"""Can the heuristic critic judge its own rounds on camouflaged photos? (not a test)

CAMO test images spread over the set, long side 640, ROI = tight GT box, initial mask grabcut from the box. One
round of the heuristic critic (strategy direct, every proposal applied), then its verdict with policy `evidence`
(better/worse from the colour/texture agreement of the changed pixels). Against the GT IoU change: how often the
verdict is right, and what each policy leaves: mean IoU and the share of images worse than their start when
"worse" reverts the round (evidence) or when every real change is reverted (conservative, the default).

    nice .venv/bin/python benchmarks/heuristic_verdict.py [--images 40] [--cache DIR]

Writes benchmarks/results/heuristic_verdict.{json,md}; ends with one SUMMARY line. Reads ../shared/data/camo-test
(or --data); skips with a message when it is absent."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import DEFAULT_DATA, RESULTS, camo_missing, read_pairs  # noqa: E402
from benchmarks.heuristic_calibration import resize_pair, spread  # noqa: E402
from engine.critics.heuristic import HeuristicCritic  # noqa: E402
from engine.critics.verdict import Outcome, view_of  # noqa: E402
from engine.geometry.masks import iou  # noqa: E402
from engine.io.atomic import write_json, write_text  # noqa: E402
from engine.io.images import load_image, load_mask  # noqa: E402
from engine.sculpt.params import SculptParams  # noqa: E402
from engine.sculpt.runner import build_segmenter  # noqa: E402
from engine.sculpt.session import SculptSession  # noqa: E402
from engine.settings import load_settings  # noqa: E402
from engine.types import Box, InstanceInfo  # noqa: E402

EPS = 0.005  # an IoU change smaller than this counts as "same"


def load(pair: dict, args, segmenter) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cached = args.cache / f"{Path(pair['image']).stem}.npz" if args.cache else None
    if cached is not None and cached.exists():
        with np.load(cached, allow_pickle=False) as z:
            return z["image"], z["gt"], z["mask"]
    image = load_image(args.data / pair["image"])
    image, gt = resize_pair(image, load_mask(args.data / pair["mask"], image.shape[:2]), args.long_side)
    segmenter.prepare(image)
    mask = segmenter.predict(Box.from_mask(gt), []).best_mask().astype(bool)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cached, image=image, gt=gt, mask=mask)
    return image, gt, mask


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--long-side", type=int, default=640)
    ap.add_argument("--cache", type=Path, help="initial masks (npz), shared with heuristic_calibration.py")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    pairs_file = args.data / "pairs.jsonl"
    if camo_missing(pairs_file.exists(), pairs_file):
        return 0
    pairs = spread(read_pairs(pairs_file), args.images)
    segmenter = build_segmenter(load_settings(user_path=Path("/nonexistent")), "grabcut")
    evidence = HeuristicCritic(verdict_policy="evidence")
    conservative = HeuristicCritic()
    rows = []
    t0 = time.perf_counter()
    for pair in pairs:
        image, gt, mask = load(pair, args, segmenter)
        if not gt.any() or not mask.any():
            continue
        box = Box.from_mask(gt)
        s = SculptSession(image, box, segmenter, evidence, InstanceInfo(), SculptParams(strategy="direct"),
                          initial_mask=mask)
        s.start()
        before = s.mask.copy()
        rnd = s.propose()
        start = iou(before, gt)
        if not rnd.proposals:
            rows.append({"image": pair["image"], "proposals": 0, "iou_start": start, "delta": 0.0})
            continue
        s.accept_all()
        s.apply()
        after = s.mask.copy()
        vb, va = view_of(image, before, box), view_of(image, after, box)
        ve, vc = evidence.verdict(vb, va, InstanceInfo()), conservative.verdict(vb, va, InstanceInfo())
        rows.append({"image": pair["image"], "proposals": len(rnd.proposals), "iou_start": round(start, 4),
                     "delta": round(iou(after, gt) - start, 4), "evidence": ve.outcome.value,
                     "evidence_confidence": ve.confidence, "conservative": vc.outcome.value})
    seconds = time.perf_counter() - t0
    report = summarise(rows)
    report.update(images=len(rows), long_side=args.long_side, seconds=round(seconds, 1), rows=rows,
                  command=f"nice .venv/bin/python benchmarks/heuristic_verdict.py --images {args.images}"
                          + (f" --cache {args.cache}" if args.cache else ""))
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "heuristic_verdict.json", report)
    write_text(args.out / "heuristic_verdict.md", markdown(report))
    print(markdown(report))
    p = report["policies"]
    print(f"SUMMARY images={len(rows)} rounds={report['rounds']} rounds_worse={report['rounds_worse']} "
          f"evidence_accuracy={report['evidence_accuracy']} miou_start={p['none']['miou']} "
          f"miou_no_verdict={p['off']['miou']} miou_evidence={p['evidence']['miou']} "
          f"miou_conservative={p['conservative']['miou']} worse_share_off={p['off']['worse_share']} "
          f"worse_share_evidence={p['evidence']['worse_share']} miou_strict={p['strict']['miou']} "
          f"worse_share_strict={p['strict']['worse_share']} "
          f"worse_share_conservative={p['conservative']['worse_share']} seconds={seconds:.0f}")
    return 0


def summarise(rows: list[dict]) -> dict:
    judged = [r for r in rows if r.get("evidence")]
    truth = [Outcome.BETTER.value if r["delta"] > EPS else Outcome.WORSE.value if r["delta"] < -EPS else "same"
             for r in judged]
    right = sum(1 for r, t in zip(judged, truth, strict=True) if r["evidence"] == t)
    confusion = {f"{t}->{v}": sum(1 for r, tt in zip(judged, truth, strict=True) if tt == t and r["evidence"] == v)
                 for t in ("better", "worse", "same") for v in ("better", "worse", "same")}

    def policy(keep) -> dict:
        deltas = [r["delta"] if r.get("evidence") and keep(r) else 0.0 for r in rows]
        ends = [r["iou_start"] + d for r, d in zip(rows, deltas, strict=True)]
        return {"miou": round(float(np.mean(ends)), 4) if ends else None,
                "worse_share": round(sum(d < -EPS for d in deltas) / max(len(rows), 1), 4)}

    return {"rounds": len(judged), "rounds_worse": truth.count("worse"), "rounds_better": truth.count("better"),
            "evidence_accuracy": round(right / max(len(judged), 1), 4), "confusion": confusion,
            "policies": {"none": policy(lambda r: False), "off": policy(lambda r: True),
                         "evidence": policy(lambda r: r["evidence"] != "worse"),
                         "strict": policy(lambda r: r["evidence"] == "better"),
                         "conservative": policy(lambda r: r["conservative"] != "worse")}}


def markdown(r: dict) -> str:
    p = r["policies"]
    return "\n".join([
        "# Heuristic critic: does its verdict tell a better round from a worse one?", "",
        f"CAMO test, {r['images']} images at {r['long_side']} px, grabcut from the GT box, one heuristic round "
        f"(direct, every proposal applied). Command: `{r['command']}` ({r['seconds']} s).", "",
        f"Rounds judged: {r['rounds']} (truth by GT IoU +-{EPS}: {r['rounds_better']} better, {r['rounds_worse']} "
        f"worse). Verdict (policy evidence) right: {r['evidence_accuracy']:.0%}.", "",
        "| truth -> verdict | rounds |", "|---|---:|",
        *[f"| {k} | {v} |" for k, v in r["confusion"].items() if v], "",
        "| policy | mean IoU after the round | images worse than their start |", "|---|---:|---:|",
        f"| start (box only) | {p['none']['miou']} | - |",
        f"| verdict off (every round kept) | {p['off']['miou']} | {p['off']['worse_share']:.0%} |",
        f"| evidence (worse reverts) | {p['evidence']['miou']} | {p['evidence']['worse_share']:.0%} |",
        f"| strict (kept only when the evidence says better) | {p['strict']['miou']} | "
        f"{p['strict']['worse_share']:.0%} |",
        f"| conservative (default: every real change reverted) | {p['conservative']['miou']} | "
        f"{p['conservative']['worse_share']:.0%} |", ""])


if __name__ == "__main__":
    raise SystemExit(main())
