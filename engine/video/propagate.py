"""Propagate prompts from frame K through a sequence: K, K+1 ... N-1, then K-1 ... 0. Each frame's palette PNG
(`<out>/<seq>/<frame>.png`) and then track.json are written atomically as the frame completes, so a killed run
resumes: finished frames are not redone; the tracker is re-prompted on K and anchored on the last finished frame
of the interrupted direction (its saved mask as a mask prompt), then continues from the first missing frame."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.io.atomic import write_json
from engine.io.safe_paths import safe_join
from engine.video.frames import FrameSource
from engine.video.prompts import ObjectPrompt, anchor_prompts, compose, write_palette_png
from engine.video.tracker import VideoTracker

TRACK_JSON = "track.json"
Progress = Callable[[int, int], None]  # (frames done, frames total)


@dataclass
class TrackSummary:
    out_dir: Path
    total: int
    computed: int  # frames run this time
    reused: int  # frames already finished by an earlier run
    seconds: float
    cancelled: bool = False

    @property
    def fps(self) -> float:
        return self.computed / self.seconds if self.seconds > 0 else 0.0


def _run_key(source: FrameSource, tracker: VideoTracker, objects: list[ObjectPrompt], k: int) -> dict:
    return {"sequence": source.name, "frames": len(source), "prompt_frame": k,
            "objects": [o.to_json() for o in objects], "tracker": tracker.info().get("tracker"),
            "model_dir": tracker.info().get("model_dir")}


def _load_record(path: Path, key: dict, restart: bool) -> dict:
    import json

    if restart or not path.is_file():
        return {}
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}  # a track.json is always written atomically; an unreadable one is not ours: start over
    if old.get("run") != key:
        raise InputError(f"{path}: the output folder holds a different track (other frames, prompts or model); "
                         "use another --out or --restart")
    return old


def track_sequence(source: FrameSource, tracker: VideoTracker, objects: list[ObjectPrompt], prompt_frame: int,
                   out_root: Path, *, restart: bool = False, progress: Progress | None = None,
                   cancel: Callable[[], bool] | None = None) -> TrackSummary:
    n = len(source)
    if not 0 <= prompt_frame < n:
        raise InputError(f"--frame {prompt_frame}: the sequence has frames 0..{n - 1}")
    if not objects:
        raise InputError("nothing to track: give a box, points or an init mask")
    out_dir = safe_join(out_root, source.name, what="sequence name")
    record_path = out_dir / TRACK_JSON
    key = _run_key(source, tracker, objects, prompt_frame)
    old = _load_record(record_path, key, restart)
    frames: dict[str, Any] = {name: v for name, v in (old.get("frames") or {}).items()
                              if (out_dir / f"{name}.png").is_file()}
    record: dict[str, Any] = {
        "version": 1, "run": key, "model": tracker.info(), "sequence": source.describe(),
        "prompts": {source.frame_name(prompt_frame): [o.to_json() for o in objects]},
        "objects": {str(o.obj_id): o.label for o in objects}, "frames": frames, "complete": False,
        "resumed": bool(frames), "timings": dict(old.get("timings") or {})}
    names = [source.frame_name(i) for i in range(n)]
    reused = sum(1 for nm in names if nm in frames)
    forward = list(range(prompt_frame, n))
    backward = list(range(prompt_frame - 1, -1, -1))
    t_start = time.perf_counter()
    computed = 0
    opened = False
    cancelled = False

    def tick() -> None:
        if progress is not None:
            progress(sum(1 for nm in names if nm in frames), n)

    def save(index: int, masks: dict[int, Any], shape: tuple[int, ...], seconds: float, direction: str) -> None:
        nonlocal computed
        write_palette_png(safe_join(out_dir, f"{names[index]}.png", what="frame name"), compose(masks, shape[:2]))
        frames[names[index]] = {"index": index, "direction": direction, "s": round(seconds, 4),
                                "objects": sorted(int(k) for k, m in masks.items() if m.any())}
        computed += 1
        write_json(record_path, record)
        tick()

    tick()
    for order, direction in ((forward, "forward"), (backward, "backward")):
        todo = [i for i in order if names[i] not in frames]
        if not todo:
            continue
        first = order.index(todo[0])
        if not opened:
            frame = source.read(prompt_frame)
            tracker.open(frame.shape[0], frame.shape[1])
            t0 = time.perf_counter()
            masks = tracker.prompt(prompt_frame, frame, objects)
            if names[prompt_frame] not in frames:
                save(prompt_frame, masks, frame.shape, time.perf_counter() - t0, "prompt")
            opened = True
        else:
            tracker.new_direction()
        reverse = direction == "backward"
        if first > 0 and order[first - 1] != prompt_frame:  # resume: anchor on the last finished frame
            at = order[first - 1]
            frame = source.read(at)
            tracker.prompt(at, frame, anchor_prompts(out_dir / f"{names[at]}.png", frame.shape, objects), anchor=True)
        for index in order[first:]:
            if index == prompt_frame:
                continue
            if cancel is not None and cancel():
                cancelled = True
                break
            frame = source.read(index)
            t0 = time.perf_counter()
            masks = tracker.step(index, frame, reverse=reverse)
            save(index, masks, frame.shape, time.perf_counter() - t0, direction)
        if cancelled:
            break
    seconds = time.perf_counter() - t_start
    record["complete"] = not cancelled and all(nm in frames for nm in names)
    runs = record["timings"].setdefault("runs", [])
    runs.append({"computed": computed, "seconds": round(seconds, 3), "load_s": tracker.info().get("load_s")})
    record["timings"]["fps_last_run"] = round(computed / seconds, 3) if seconds > 0 else 0.0
    if computed or not record_path.is_file() or record["complete"]:
        write_json(record_path, record)
    tracker.close()
    return TrackSummary(out_dir, n, computed, reused, seconds, cancelled)
