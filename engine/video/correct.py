"""Correct one frame of an earlier track and re-propagate from it: the corrected prompt on frame J (an init mask,
box or points) becomes the conditioning frame, the first run's prompt frame K is kept as a second one (its saved
mask), and the frames from J away from K (J..N-1 when J > K, J..0 when J < K) are recomputed and rewritten
atomically; the frames between K and J are kept. track.json records the correction."""

from __future__ import annotations

import json
import time
from pathlib import Path

from engine.errors import InputError
from engine.io.atomic import write_json
from engine.io.safe_paths import safe_join
from engine.video.frames import FrameSource
from engine.video.prompts import ObjectPrompt, compose, read_id_map, split_ids, write_palette_png
from engine.video.propagate import TRACK_JSON, Progress, TrackSummary
from engine.video.tracker import VideoTracker


def repropagate(source: FrameSource, tracker: VideoTracker, objects: list[ObjectPrompt], frame: int, out_root: Path,
                *, progress: Progress | None = None) -> TrackSummary:
    out_dir = safe_join(out_root, source.name, what="sequence name")
    path = out_dir / TRACK_JSON
    if not path.is_file():
        raise InputError(f"{path}: no earlier track to correct (run `track` first, without --correct)")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        k = int(record["run"]["prompt_frame"])
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(f"{path}: not a track.json written by `sam-sculpt track`") from None
    n = len(source)
    if record["run"].get("frames") != n:
        raise InputError(f"{path}: the earlier track has {record['run'].get('frames')} frames, the source {n}")
    if not 0 <= frame < n:
        raise InputError(f"--frame {frame}: the sequence has frames 0..{n - 1}")
    names = [source.frame_name(i) for i in range(n)]
    order = list(range(frame, n)) if frame >= k else list(range(frame, -1, -1))
    reverse = frame < k
    t_start = time.perf_counter()
    first = source.read(frame)
    tracker.open(first.shape[0], first.shape[1])
    k_png = out_dir / f"{names[k]}.png"
    if frame != k and k_png.is_file():  # the first prompt stays a conditioning frame (as its saved mask)
        saved = split_ids(read_id_map(k_png))
        frame_k = source.read(k)
        tracker.prompt(k, frame_k, [ObjectPrompt(o.obj_id, o.label, mask=saved.get(o.obj_id, frame_k[..., 0] < 0))
                                    for o in objects], anchor=True)
    frames = record.setdefault("frames", {})
    computed = 0
    for index in order:
        t0 = time.perf_counter()
        masks = (tracker.prompt(index, first, objects) if index == frame
                 else tracker.step(index, source.read(index), reverse=reverse))
        write_palette_png(safe_join(out_dir, f"{names[index]}.png", what="frame name"), compose(masks, first.shape[:2]))
        frames[names[index]] = {"index": index, "direction": "correction" if index == frame else
                                ("backward" if reverse else "forward"), "s": round(time.perf_counter() - t0, 4),
                                "objects": sorted(int(i) for i, m in masks.items() if m.any()), "corrected_from": frame}
        computed += 1
        write_json(path, record)
        if progress is not None:
            progress(computed, len(order))
    seconds = time.perf_counter() - t_start
    record.setdefault("corrections", []).append(
        {"frame": names[frame], "objects": [o.to_json() for o in objects], "recomputed": computed,
         "seconds": round(seconds, 3)})
    record.setdefault("prompts", {})[names[frame]] = [o.to_json() for o in objects]
    write_json(path, record)
    tracker.close()
    return TrackSummary(out_dir, n, computed, n - computed, seconds)
