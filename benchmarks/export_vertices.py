"""Polygon vertex counts of the exports (not a test): per object, the exact staircase outline
against `--simplify PX` (cv2.approxPolyDP), for LabelMe/COCO polygons (hole-free pieces) and YOLO
(one joined line), with the IoU of the read-back mask against the original.

    .venv/bin/python benchmarks/export_vertices.py [--tolerances 0.5,1,2] [--limit 50]

Masks: auxiliary/gt/*.png (the samples) and, when present, ../shared/data/camo-test/masks/*.png.
Ends with one line:
    SUMMARY masks=.. exact_median=.. simplified_median=.. ratio=.. tolerance=1.0 min_iou=.."""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.exports.polygons import (  # noqa: E402
    join_segments,
    joined_to_mask,
    mask_contours,
    mask_to_polygons,
    polygons_to_mask,
)
from engine.geometry.masks import iou  # noqa: E402
from engine.io.images import load_mask  # noqa: E402

CAMO = ROOT.parent / "shared" / "data" / "camo-test" / "masks"


def measure(mask, tol):  # -> (labelme vertices, labelme IoU, yolo vertices, yolo IoU)
    polys = mask_to_polygons(mask, simplify=tol)
    line = join_segments(mask_contours(mask, tol))
    return (sum(len(p) for p in polys), iou(polygons_to_mask(polys, mask.shape), mask),
            len(line), iou(joined_to_mask(line, mask.shape), mask))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tolerances", default="0.5,1,2")
    ap.add_argument("--limit", type=int, default=50, help="camo-test masks to use")
    args = ap.parse_args()
    tols = [float(t) for t in args.tolerances.split(",")]
    paths = sorted((ROOT / "auxiliary" / "gt").glob("*.png"))
    paths += sorted(CAMO.glob("*.png"))[: args.limit] if CAMO.is_dir() else []
    rows: dict[float | None, list[tuple]] = {t: [] for t in [None, *tols]}
    for p in paths:
        m = load_mask(p)
        if not m.any():
            continue
        for t in rows:
            rows[t].append(measure(m, t))
    print(f"{len(rows[None])} masks ({len(paths)} files); vertices per object (median / max), "
          "IoU of the read-back mask (median / min)")
    print(f"{'simplify':>9} | {'labelme/coco polys':>22} {'IoU med / min':>16} | {'yolo line':>14} {'IoU med / min':>16}")
    for t, r in rows.items():
        lm = [v[0] for v in r]
        yo = [v[2] for v in r]
        print(f"{('exact' if t is None else f'{t:g} px'):>9} | {statistics.median(lm):>12.0f} / {max(lm):>7} "
              f"{statistics.median(v[1] for v in r):7.4f} / {min(v[1] for v in r):6.4f} | {statistics.median(yo):>6.0f} / "
              f"{max(yo):>5} {statistics.median(v[3] for v in r):7.4f} / {min(v[3] for v in r):6.4f}")
    exact = statistics.median(v[0] for v in rows[None])
    simple = statistics.median(v[0] for v in rows.get(1.0, rows[tols[0]]))
    min_iou = min(v[1] for v in rows.get(1.0, rows[tols[0]]))
    print(f"SUMMARY masks={len(rows[None])} exact_median={exact:.0f} simplified_median={simple:.0f} "
          f"ratio={simple / exact:.3f} tolerance=1.0 min_iou={min_iou:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
