"""The verdict and the robot protocol on the CAMO test set (not a test). ROI = tight GT box, long side 640.

Arms (grabcut segmenter): box only; clicks only (robot); for each critic (oracle, heuristic) r3 with the
prototype's protocol (verdict off, robot clicks never override critic points) and with today's (verdict on:
a worse round is reverted; the robot's click overrides a critic point it contradicts). Prints mIoU, images
worse than their box-only mask, reverted rounds and NoC@85/90, then ONE SUMMARY line.

    .venv/bin/python benchmarks/verdict_robot.py [--limit 24] [--max-side 640] [--data DIR] [--json OUT]

Skips with a message when ../shared/data/camo-test is absent."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.io.dataset import list_dataset  # noqa: E402
from engine.metrics.bench import BOX_ONLY, CLICKS_ONLY, BenchConfig, run_bench  # noqa: E402
from engine.settings import load_settings  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "camo-test"


def spread(items: list, n: int) -> list:
    if n >= len(items):
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=24, help="images spread over the set")
    ap.add_argument("--max-side", type=int, default=640)
    ap.add_argument("--max-clicks", type=int, default=20)
    ap.add_argument("--critics", default="oracle,heuristic")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"skipped: {args.data} not found")
        print("SUMMARY skipped=1")
        return 0
    items = spread(list_dataset(args.data, "cod"), args.limit)
    settings = load_settings(overrides={"segmenter": {"name": "grabcut"}, "sculpt": {"strategy": "direct"}})
    configs = []
    for critic in args.critics.split(","):
        configs.append(BenchConfig(f"{critic} r3 prototype", critic, 3, verdict="off", override=False))
        configs.append(BenchConfig(f"{critic} r3 verdict", critic, 3, verdict="on", override=True))
    t = time.perf_counter()
    report = run_bench(items, settings, configs, max_side=args.max_side, box_from_gt=True, max_clicks=args.max_clicks,
                       progress=False)
    summary = report.summary()
    arms = summary["arms"]
    print(f"{report.images} images at {args.max_side}px, grabcut, strategy direct, {time.perf_counter() - t:.0f}s")
    print(f"{'arm':>26} {'mIoU':>7} {'worse':>6} {'revert':>6} {'NoC@85':>7} {'NoC@90':>7}")
    for name, a in arms.items():
        cod = a.get("cod", {})
        rob = a.get("robot", {})
        miou = f"{cod['mIoU']:.4f}" if "mIoU" in cod else "-"
        noc85 = f"{rob['NoC@85']:.2f}" if "NoC@85" in rob else "-"
        noc90 = f"{rob['NoC@90']:.2f}" if "NoC@90" in rob else "-"
        worse = "-" if name == CLICKS_ONLY else str(a["worse_than_start"])
        print(f"{name:>26} {miou:>7} {worse:>6} {a['reverted_rounds']:>6} {noc85:>7} {noc90:>7}")
    for f, reason in report.failures:
        print(f"  failed: {f}: {reason}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    key = {BOX_ONLY: "box", CLICKS_ONLY: "clicks"}
    parts = [f"images={report.images}", f"box_miou={arms[BOX_ONLY]['cod']['mIoU']:.4f}",
             f"clicks_noc90={arms[CLICKS_ONLY]['robot']['NoC@90']:.2f}"]
    for name, a in arms.items():
        if name in key:
            continue
        tag = name.replace(" r3 ", "_").replace(" ", "_")
        parts += [f"{tag}_miou={a['cod']['mIoU']:.4f}", f"{tag}_worse={a['worse_than_start']}",
                  f"{tag}_noc90={a['robot']['NoC@90']:.2f}"]
    print("SUMMARY " + " ".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
