"""Batch scaling (not a test): the same images sculpted by `batch` with 1 and then 2 local worker
processes (grabcut + heuristic, each run its own process tree), images/s and the ratio w2/w1.
With --busy, a CPU-bound process runs beside both runs (the "busy machine" case).

    .venv/bin/python benchmarks/batch_scaling.py [--images 12] [--side 640] [--rounds 1] [--busy]

Uses ../shared/data/camo-test (resized copies in a temporary COD-layout folder, ROI = GT box) when it
is there, generated scenes otherwise. Ends with one line:
    SUMMARY images=.. w1_ips=.. w2_ips=.. ratio=.. busy=.. source=.."""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.io.atomic import write_image, write_mask  # noqa: E402
from engine.samples import generate_scene  # noqa: E402

CAMO = ROOT.parent / "shared" / "data" / "camo-test"


def make_dataset(root: Path, n: int, side: int) -> str:
    """A COD-layout folder (Imgs/ + GT/) of n images with a long side of `side`."""
    images = sorted((CAMO / "images").glob("*.jpg"))[:n] if (CAMO / "images").is_dir() else []
    if len(images) >= n:
        for path in images:
            img = cv2.imread(str(path), cv2.IMREAD_COLOR)[:, :, ::-1]
            gt = cv2.imread(str(CAMO / "masks" / f"{path.stem}.png"), cv2.IMREAD_GRAYSCALE)
            s = side / max(img.shape[:2])
            size = (round(img.shape[1] * s), round(img.shape[0] * s))
            write_image(root / "Imgs" / f"{path.stem}.png", cv2.resize(img, size, interpolation=cv2.INTER_AREA))
            write_mask(root / "GT" / f"{path.stem}.png", cv2.resize(gt, size, interpolation=cv2.INTER_NEAREST) > 127)
        return "camo-test"
    for i in range(n):
        scene = generate_scene(500 + i, (side, side * 3 // 4), "blob")
        write_image(root / "Imgs" / f"g{i:02d}.png", scene.image)
        write_mask(root / "GT" / f"g{i:02d}.png", scene.gt)
    return "generated"


def run_batch(data: Path, out: Path, workers: int, rounds: int) -> float:
    cmd = [sys.executable, str(ROOT / "main.py"), "batch", "--dataset", str(data), "--layout", "cod", "--box-from-gt",
           "--out", str(out), "--parallel", str(workers), "--rounds", str(rounds), "--segmenter", "grabcut",
           "--critic", "heuristic", "--clean-output", "--no-progress"]
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    summary = json.loads((out / "batch_summary.json").read_text())
    if summary["failed"]:
        raise SystemExit(f"{summary['failed']} images failed: {summary['failures'][:3]}")
    return summary["done"] / wall  # whole process tree: start-up and model builds included


def burn(stop_at: float) -> None:
    x = 0
    while time.time() < stop_at:
        x = (x * 1103515245 + 12345) % 2**31


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--images", type=int, default=12)
    ap.add_argument("--side", type=int, default=640)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--busy", action="store_true", help="one CPU-bound process beside both runs")
    args = ap.parse_args()
    print(f"load at start: {os.getloadavg()[0]:.2f} (1-min), cpus={os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="batch-scaling-") as tmp:
        data = Path(tmp) / "data"
        source = make_dataset(data, args.images, args.side)
        busy = None
        if args.busy:
            busy = mp.get_context("spawn").Process(target=burn, args=(time.time() + 3600,), daemon=True)
            busy.start()
        try:
            w1 = run_batch(data, Path(tmp) / "w1", 1, args.rounds)
            print(f"1 worker : {w1:.3f} img/s")
            w2 = run_batch(data, Path(tmp) / "w2", 2, args.rounds)
            print(f"2 workers: {w2:.3f} img/s")
        finally:
            if busy is not None:
                busy.terminate()
    print(f"load at end: {os.getloadavg()[0]:.2f} (1-min)")
    print(f"SUMMARY images={args.images} w1_ips={w1:.3f} w2_ips={w2:.3f} ratio={w2 / w1:.2f} busy={int(args.busy)} "
          f"source={source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
