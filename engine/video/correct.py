"""Correct one frame of an earlier track and re-propagate from it: the corrected prompt on frame J (an init mask,
box or points) becomes the conditioning frame, the first run's prompt frame K is kept as a second one (its saved
mask), and the frames from J away from K (J..N-1 when J > K, J..0 when J < K) are recomputed and rewritten
atomically; the frames between K and J are kept. track.json records the correction.

Resume: while a correction runs, track.json holds `correcting` (its frame, its objects' prompts and the frames
finished so far), written after every frame. A correction that was cancelled (`cancel=`) or killed resumes when
the same correction (same frame J, same prompts) is asked again: the finished frames are not redone; the tracker is
prompted on J, anchored on K and on the last finished frame (its saved mask), and continues from the first missing
frame. `restart=True` (or another correction) starts over. A finished correction moves to `corrections`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.io.atomic import write_json
from engine.io.safe_paths import safe_join
from engine.video.frames import FrameSource
from engine.video.prompts import ObjectPrompt, anchor_prompts, compose, write_palette_png
from engine.video.propagate import TRACK_JSON, Progress, TrackSummary
from engine.video.tracker import VideoTracker


def _read_record(path: Path, n: int, frame: int) -> tuple[dict[str, Any], int]:
    if not path.is_file():
        raise InputError(f"{path}: no earlier track to correct (run `track` first, without --correct)")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        k = int(record["run"]["prompt_frame"])
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(f"{path}: not a track.json written by `sam-sculpt track`") from None
    if record["run"].get("frames") != n:
        raise InputError(f"{path}: the earlier track has {record['run'].get('frames')} frames, the source {n}")
    if not 0 <= frame < n:
        raise InputError(f"--frame {frame}: the sequence has frames 0..{n - 1}")
    return record, k


def repropagate(source: FrameSource, tracker: VideoTracker, objects: list[ObjectPrompt], frame: int, out_root: Path,
                *, progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                restart: bool = False) -> TrackSummary:
    out_dir = safe_join(out_root, source.name, what="sequence name")
    path = out_dir / TRACK_JSON
    n = len(source)
    record, k = _read_record(path, n, frame)
    names = [source.frame_name(i) for i in range(n)]
    order = list(range(frame, n)) if frame >= k else list(range(frame, -1, -1))
    reverse = frame < k
    info = tracker.info()  # the same model must finish a correction it started
    key = {"frame": names[frame], "objects": [o.to_json() for o in objects],
           "tracker": [str(info.get("tracker", tracker.name)), str(info.get("model_dir", ""))]}
    pending = record.get("correcting")
    done: list[str] = []
    if not restart and isinstance(pending, dict) and pending.get("key") == key:
        done = [nm for nm in pending.get("done", []) if (out_dir / f"{nm}.png").is_file()]
    # only a prefix of `order` can have been finished (frames are written in order)
    done_set = set(done)
    first_todo = next((i for i, idx in enumerate(order) if names[idx] not in done_set), len(order))
    done = [names[idx] for idx in order[:first_todo]]
    correcting = {"key": key, "done": done, "resumed": bool(done)}
    record["correcting"] = correcting
    frames = record.setdefault("frames", {})
    t_start = time.perf_counter()
    computed = 0
    cancelled = False
    todo = order[first_todo:]
    if todo:
        first = source.read(frame)
        tracker.open(first.shape[0], first.shape[1])
        k_png = out_dir / f"{names[k]}.png"
        if frame != k and k_png.is_file():  # the first prompt stays a conditioning frame (as its saved mask)
            tracker.prompt(k, source.read(k), anchor_prompts(k_png, first.shape, objects), anchor=True)
        if first_todo > 0:  # resume: J's prompt again, then the last finished frame's saved mask
            tracker.prompt(frame, first, objects)
            at = order[first_todo - 1]
            if at != frame:
                tracker.prompt(at, source.read(at), anchor_prompts(out_dir / f"{names[at]}.png", first.shape, objects),
                               anchor=True)
        for index in todo:
            if cancel is not None and cancel():
                cancelled = True
                break
            t0 = time.perf_counter()
            masks = (tracker.prompt(index, first, objects) if index == frame
                     else tracker.step(index, source.read(index), reverse=reverse))
            write_palette_png(safe_join(out_dir, f"{names[index]}.png", what="frame name"),
                              compose(masks, first.shape[:2]))
            frames[names[index]] = {"index": index, "direction": "correction" if index == frame else
                                    ("backward" if reverse else "forward"), "s": round(time.perf_counter() - t0, 4),
                                    "objects": sorted(int(i) for i, m in masks.items() if m.any()),
                                    "corrected_from": frame}
            computed += 1
            done.append(names[index])
            write_json(path, record)
            if progress is not None:
                progress(len(done), len(order))
        tracker.close()
    seconds = time.perf_counter() - t_start
    if not cancelled:
        record.pop("correcting", None)
        record.setdefault("corrections", []).append(
            {"frame": names[frame], "objects": key["objects"], "recomputed": computed,
             "resumed_after": first_todo, "seconds": round(seconds, 3)})
        record.setdefault("prompts", {})[names[frame]] = key["objects"]
    write_json(path, record)
    return TrackSummary(out_dir, n, computed, n - computed, seconds, cancelled)
