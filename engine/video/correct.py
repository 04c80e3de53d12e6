"""Correct one frame of an earlier track and re-propagate from it: the corrected prompt on frame J (an init mask,
box or points) becomes the conditioning frame, the first run's prompt frame K is kept as a second one (its saved
mask), and the frames from J away from K (J..N-1 when J > K, J..0 when J < K) are recomputed and rewritten
atomically; the frames between K and J are kept. track.json records the correction.

Resume: while a correction runs, track.json holds `correcting` (its frame, its objects' prompts and the frames
finished so far), written after every frame. A correction that was cancelled (`cancel=`) or killed resumes when
the same correction (same frame J, same prompts) is asked again: the finished frames are not redone; the tracker is
prompted on J, anchored on K and on the last finished frame (its saved mask), and continues from the first missing
frame. `restart=True` (or another correction) starts over. A finished correction moves to `corrections`.

track.json keeps only a digest of a mask prompt, so the masks themselves wait in correcting.npz beside it until the
correction finishes: `pending_objects` gives them back to a caller that lost them (the video window reopened), so
it can ask for the same correction again and resume it."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InputError
from engine.io.atomic import write_bytes, write_json
from engine.io.safe_paths import safe_join
from engine.video.frames import FrameSource
from engine.video.prompts import ObjectPrompt, anchor_prompts, compose, write_palette_png
from engine.video.propagate import TRACK_JSON, Progress, TrackSummary
from engine.video.tracker import VideoTracker

MASKS_NPZ = "correcting.npz"  # the mask prompts of the correction in progress (object id -> bool HxW)


def _save_masks(path: Path, objects: list[ObjectPrompt]) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, **{str(o.obj_id): o.mask.astype(bool) for o in objects if o.mask is not None})
    write_bytes(path, buf.getvalue())


def pending_objects(out_dir: Path, frame_name: str, own: list[ObjectPrompt]) -> list[ObjectPrompt] | None:
    """The objects of the unfinished correction on `frame_name` in `out_dir` when the prompts given there now (`own`)
    are the ones it was started with; the other objects (kept masks) come back from correcting.npz. None when there
    is no such correction (another frame, other prompts, nothing pending, or its files unreadable)."""
    try:
        key = json.loads((out_dir / TRACK_JSON).read_text(encoding="utf-8"))["correcting"]["key"]
        if key["frame"] != frame_name:
            return None
        started = {int(o["id"]): o for o in key["objects"]}
        if any(started.get(o.obj_id) != o.to_json() for o in own):
            return None
        mine = {o.obj_id for o in own}
        rest = [o for i, o in started.items() if i not in mine]
        masks: dict[str, np.ndarray] = {}
        if rest:
            with np.load(out_dir / MASKS_NPZ, allow_pickle=False) as npz:
                masks = {k: npz[k] for k in npz.files}
        out = list(own)
        for o in rest:
            kept = ObjectPrompt(int(o["id"]), str(o["label"]), mask=masks[str(o["id"])].astype(bool))
            if kept.to_json() != o:  # not the mask it was started with
                return None
            out.append(kept)
    except (OSError, ValueError, KeyError, TypeError, InputError):
        return None
    return sorted(out, key=lambda o: o.obj_id)


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
    masks_path = out_dir / MASKS_NPZ
    if todo and (first_todo == 0 or not masks_path.is_file()):
        _save_masks(masks_path, objects)
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
    if not cancelled:
        masks_path.unlink(missing_ok=True)
    return TrackSummary(out_dir, n, computed, n - computed, seconds, cancelled)


def earlier_track(out_dir: Path, n: int) -> tuple[int, dict[int, str]] | None:
    """The prompt frame and the object labels of the track of an `n`-frame sequence in `out_dir`, or None when there
    is none (or it is of another length, or unreadable): a reopened window shows it and can correct it."""
    try:
        record = json.loads((out_dir / TRACK_JSON).read_text(encoding="utf-8"))
        k = int(record["run"]["prompt_frame"])
        labels = {int(i): str(label) for i, label in record.get("objects", {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return (k, labels) if record["run"].get("frames") == n and 0 <= k < n else None
