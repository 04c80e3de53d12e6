"""What the trust checks cost: settings validation (pydantic models), SculptParams checks, the
snapshot autosave (JSON + NPZ instead of pickle) and the header-first image read, against the old
code paths timed in the same run, and against one grabcut + heuristic round.

    .venv/bin/python benchmarks/settings_overhead.py [--repeat 200]

Last line: SUMMARY load_ms=.. load_old_ms=.. params_us=.. params_old_us=.. autosave_ms=.. pickle_ms=..
image_ms=.. image_old_ms=.. round_ms=.. overhead_per_round=.. (overhead_per_round: the extra cost of a
validated load_settings + SculptParams as a fraction of one round; a session does them once, not per round)."""

from __future__ import annotations

import argparse
import copy
import json
import pickle
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from engine.critics.heuristic import HeuristicCritic  # noqa: E402
from engine.io.images import load_image  # noqa: E402
from engine.samples import sample_scene  # noqa: E402
from engine.sculpt.params import SculptParams  # noqa: E402
from engine.sculpt.session import SculptSession  # noqa: E402
from engine.segmenters.grabcut import GrabCutSegmenter  # noqa: E402
from engine.settings import DEFAULTS_PATH, deep_merge, load_settings  # noqa: E402


def _old_load(user: Path, overrides: dict) -> dict:
    """The unvalidated load_settings of before (json + deep merges)."""
    with open(DEFAULTS_PATH, encoding="utf-8") as f:
        settings = json.load(f)
    if user.exists():
        with open(user, encoding="utf-8") as f:
            settings = deep_merge(settings, json.load(f))
    return deep_merge(settings, overrides)


@dataclass
class _OldParams:  # the plain dataclass of before (three range checks)
    strategy: str = "anchors"
    rounds: int = 1
    ratio: float = 0.6
    anchors_k: int = 3

    def __post_init__(self) -> None:
        if self.strategy not in ("anchors", "direct") or not 0 < self.ratio <= 4 or not 1 <= self.anchors_k <= 8:
            raise ValueError


def _median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _old_image_read(path: Path) -> np.ndarray:
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img.load()
        return np.asarray((ImageOps.exif_transpose(img) or img).convert("RGB"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    user = tmp / "settings.json"
    user.write_text(json.dumps({"sculpt": {"ratio": 0.5}, "segmenter": {"options": {"grabcut": {"iterations": 4}}}}))
    overrides = {"sculpt": {"rounds": 2}, "critic": {"name": "heuristic"}}
    load_settings(user, overrides)  # imports pydantic + the models once
    load = _median_s(lambda: load_settings(user, copy.deepcopy(overrides)), args.repeat)
    old_load = _median_s(lambda: _old_load(user, copy.deepcopy(overrides)), args.repeat)
    params = _median_s(SculptParams, args.repeat * 5)
    old_params = _median_s(_OldParams, args.repeat * 5)

    scene = sample_scene("demo")
    from engine.types import Point, Round

    pts = [Point(10.0 + i, 20.0) for i in range(20)]
    state = {"session": True, "points": pts, "rounds": [Round(i, proposals=pts[i:i + 2]) for i in range(5)],
             "mask": scene.gt.copy(), "initial_mask": scene.gt.copy()}
    from gui.autosave import AutosaveStore

    store = AutosaveStore(tmp / "work")
    autosave = _median_s(lambda: store.save("demo", "root", state, None), max(args.repeat // 10, 5))
    from engine.io.atomic import write_bytes, write_json

    def old_save() -> None:  # the pickle autosave of before: the pickle + the recovery marker
        write_bytes(tmp / "old" / "autosave.pkl", pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        write_json(tmp / "old" / "recovery.json", {"root": "root", "name": "demo", "dirty": True})

    pickled = _median_s(old_save, max(args.repeat // 10, 5))

    img_path = ROOT / "auxiliary" / "images" / "demo.png"
    image = _median_s(lambda: load_image(img_path), max(args.repeat // 10, 5))
    image_old = _median_s(lambda: _old_image_read(img_path), max(args.repeat // 10, 5))

    def one_round() -> None:
        SculptSession(scene.image, scene.box, GrabCutSegmenter(), HeuristicCritic(), params=SculptParams(rounds=1)).run()

    one_round()
    rnd = _median_s(one_round, 5)
    overhead = ((load - old_load) + (params - old_params)) / rnd
    print(f"load_settings validated {load * 1e3:.3f} ms vs unvalidated {old_load * 1e3:.3f} ms")
    print(f"SculptParams() {params * 1e6:.1f} us vs plain dataclass {old_params * 1e6:.1f} us")
    print(f"autosave snapshot (JSON + NPZ) {autosave * 1e3:.2f} ms vs pickle {pickled * 1e3:.2f} ms")
    print(f"load_image (header checked first) {image * 1e3:.2f} ms vs plain PIL read {image_old * 1e3:.2f} ms")
    print(f"one grabcut + heuristic session of 1 round: {rnd * 1e3:.1f} ms")
    print(f"SUMMARY load_ms={load * 1e3:.3f} load_old_ms={old_load * 1e3:.3f} params_us={params * 1e6:.1f} "
          f"params_old_us={old_params * 1e6:.1f} autosave_ms={autosave * 1e3:.2f} pickle_ms={pickled * 1e3:.2f} "
          f"image_ms={image * 1e3:.2f} image_old_ms={image_old * 1e3:.2f} round_ms={rnd * 1e3:.1f} "
          f"overhead_per_round={overhead:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
