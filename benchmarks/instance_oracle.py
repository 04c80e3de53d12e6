"""Per-object ground truth for the oracle on many-object images: two touching camouflaged objects per image
(two engine.samples scenes cut and joined at a seam), grabcut + oracle, N images. Writes a COD-layout dataset
with an instance-map folder, runs `main.py bench --gt-instances` (per-object oracle + per-instance robot) and,
as the baseline in the same run, the same sessions with the oracle on the union GT (the old behaviour),
scoring each object against its own GT instance.

    .venv/bin/python benchmarks/instance_oracle.py [N] [OUT]     (OUT default: a temporary folder)

Ends with `SUMMARY box-only=.. per-object_oracle=.. union_oracle=..` (mean per-instance IoU)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.geometry.masks import iou  # noqa: E402
from engine.io.atomic import write_image, write_mask  # noqa: E402
from engine.samples import generate_scene  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 8
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="instance_oracle_"))
W, H = 200, 160


def pair(seed: int):
    a, b = generate_scene(seed, (W, H)), generate_scene(seed + 1000, (W, H))
    img = np.concatenate([a.image[:, :150], b.image[:, 50:]], axis=1)
    ga, gb = a.gt[:, :150], b.gt[:, 50:]
    ids = np.zeros((H, 300), np.uint8)
    ids[:, :150][ga] = 1
    ids[:, 150:][gb] = 2
    return img, ids


def main() -> None:
    root = OUT / "data"
    for i in range(N):
        img, ids = pair(100 + i)
        write_image(root / "Imgs" / f"p{i}.png", img)
        write_mask(root / "GT" / f"p{i}.png", ids > 0)
        (root / "Inst").mkdir(parents=True, exist_ok=True)
        Image.fromarray(ids).save(root / "Inst" / f"p{i}.png")
    cmd = [sys.executable, str(ROOT / "main.py"), "bench", "--dataset", str(root), "--layout", "cod", "--box-from-gt",
           "--gt-instances", str(root / "Inst"), "--critic", "oracle", "--strategy", "direct", "--rounds", "3",
           "--max-side", "0", "--max-clicks", "20", "--out", str(OUT / "bench"), "--no-progress"]
    print("$", " ".join(cmd))
    subprocess.run(cmd, check=False)
    # per-object IoU after the critic rounds: oracle bound per object vs on the union GT (the old behaviour)
    from engine.critics.oracle import OracleCritic
    from engine.io.dataset import list_dataset
    from engine.metrics.bench import _sculpted, prepare_with_instances
    from engine.sculpt.runner import build_segmenter
    from engine.settings import deep_merge, load_settings

    settings = deep_merge(load_settings(), {"sculpt": {"strategy": "direct", "rounds": 3}, "critic": {"name": "oracle"}})
    seg = build_segmenter(settings)
    res: dict[str, list[float]] = {"box-only": [], "per-object oracle": [], "union oracle": []}
    for item in list_dataset(root, "cod"):
        loaded, ids = prepare_with_instances(item, settings, None, True, root / "Inst" / f"{item.name}.png")
        bound = _sculpted(loaded, settings, seg, loaded.gt, ids, 3)
        orig = OracleCritic.for_object
        OracleCritic.for_object = lambda self, box, m=None: self  # type: ignore[method-assign]
        try:
            union = _sculpted(loaded, settings, seg, loaded.gt, ids, 3)
        finally:
            OracleCritic.for_object = orig  # type: ignore[method-assign]
        for k, (ob, ou) in enumerate(zip(bound.objects, union.objects, strict=True), start=1):
            g = ids == k
            res["box-only"].append(iou(ob.core.initial_mask, g))
            res["per-object oracle"].append(iou(ob.core.mask, g))
            res["union oracle"].append(iou(ou.core.mask, g))
    for k, v in res.items():
        print(f"{k:>20}: mean per-instance IoU {np.mean(v):.4f} over {len(v)} objects")
    print("SUMMARY " + " ".join(f"{k.replace(' ', '_')}={np.mean(v):.4f}" for k, v in res.items()))


if __name__ == "__main__":
    main()
