"""Video tracking speed on this CPU: the sam2-video tracker (transformers Sam2VideoModel, the real hiera-tiny
architecture = Sam2VideoConfig() defaults, 1024 px input, RANDOM weights: speed only, no quality) against the
baseline measured in the same run: the per-frame image segmenter `sam2` (Sam2Model of the same hiera-tiny
architecture, Sam2Config() defaults) running image encoder + box decode on every frame.

Frames: a generated camouflaged scene panned a few pixels per frame (engine.samples), --size WxH, --frames N.
Both models load through the user's code path (save_pretrained folders, local_files_only).

    nice -n 10 .venv/bin/python benchmarks/video_tracking.py [--frames 4] [--size 320x240] [--threads 2]

Ends with one line: SUMMARY tracker_fps=... image_fps=... ratio=... frames=... size=... threads=..."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build_models(root: Path) -> tuple[Path, Path]:
    import torch
    from transformers import Sam2Config, Sam2Model, Sam2VideoConfig, Sam2VideoModel

    torch.manual_seed(0)
    video, image = root / "sam2.1-hiera-tiny-video", root / "sam2.1-hiera-tiny"
    Sam2VideoModel(Sam2VideoConfig()).eval().save_pretrained(video)
    Sam2Model(Sam2Config()).eval().save_pretrained(image)
    return video, image


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--size", default="320x240")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    import numpy as np
    import torch

    torch.set_num_threads(a.threads)
    from engine.registry import SEGMENTERS
    from engine.samples import generate_scene
    from engine.types import Box
    from engine.video.frames import FolderFrames
    from engine.video.prompts import ObjectPrompt
    from engine.video.propagate import track_sequence
    from engine.video.tracker import build_tracker
    from tests.video.tiny_video import write_frames

    w, h = (int(v) for v in a.size.lower().split("x"))
    scene = generate_scene(3, (w, h))
    frames = [np.roll(scene.image, 4 * t, axis=1) for t in range(a.frames)]
    box = scene.box
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        video_dir, image_dir = build_models(root)
        print(f"built hiera-tiny video + image folders (random weights) in {time.perf_counter() - t0:.1f} s")
        src = FolderFrames(write_frames(root / "seq", frames))
        tracker = build_tracker("sam2", model_dir=str(video_dir), device="cpu")
        tracker._load()
        print(f"tracker loaded in {tracker.load_s:.1f} s")
        t0 = time.perf_counter()
        summary = track_sequence(src, tracker, [ObjectPrompt(1, box=Box(box.x0, box.y0, box.x1, box.y1))], 0,
                                 root / "out")
        track_s = time.perf_counter() - t0
        per = [v["s"] for v in __import__("json").loads((summary.out_dir / "track.json").read_text())["frames"].values()]
        print(f"sam2-video: {summary.computed} frames in {track_s:.2f} s = {summary.computed / track_s:.3f} frames/s "
              f"(prompt frame {per[0]:.2f} s, tracked frames median {np.median(per[1:]) if len(per) > 1 else 0:.2f} s)")
        seg = SEGMENTERS.create("sam2", model_dir=str(image_dir), device="cpu", disk_cache=False)
        seg.prepare(frames[0])  # load outside the timing, like the tracker
        t0 = time.perf_counter()
        for f in frames:
            seg.prepare(f + 0)  # a new array each frame: no embedding cache hit
            seg.predict(box, [])
        image_s = time.perf_counter() - t0
        print(f"sam2 per-frame image segmenter: {len(frames)} frames in {image_s:.2f} s = "
              f"{len(frames) / image_s:.3f} frames/s")
    tracker_fps, image_fps = summary.computed / track_s, len(frames) / image_s
    print(f"SUMMARY tracker_fps={tracker_fps:.3f} image_fps={image_fps:.3f} ratio={tracker_fps / image_fps:.3f} "
          f"frames={a.frames} size={w}x{h} threads={a.threads} arch=hiera-tiny weights=random")
    return 0


if __name__ == "__main__":
    sys.exit(main())
