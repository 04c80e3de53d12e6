"""The VideoTracker protocol and its registry (catalogue kind "trackers": module, extra, weights).

A tracker keeps one streaming session: prompt(K, frame, objects) conditions it on frame K, then step(i, frame,
reverse) returns each object's mask on frame i, in order away from K; new_direction() drops the memory of the
other direction (the prompts stay; `anchor` prompts, the
saved masks a resumed run restarts from, are dropped too). Masks are bool HxW at the frame's size, keyed by object id."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from engine.registry import Registry
from engine.video.prompts import ObjectPrompt

TRACKERS: Registry[Any] = Registry("trackers")

# `track --segmenter NAME`: the image segmenter family -> its video tracker
SEGMENTER_TRACKERS = {"sam2": "sam2-video", "edgetam": "edgetam-video"}


class VideoTracker(Protocol):
    name: str

    def open(self, height: int, width: int) -> None: ...

    def prompt(self, index: int, frame: np.ndarray, objects: list[ObjectPrompt],
               anchor: bool = False) -> dict[int, np.ndarray]: ...

    def step(self, index: int, frame: np.ndarray, reverse: bool = False) -> dict[int, np.ndarray]: ...

    def new_direction(self) -> None: ...

    def close(self) -> None: ...

    def info(self) -> dict: ...


def tracker_name(segmenter_or_tracker: str) -> str:
    return SEGMENTER_TRACKERS.get(segmenter_or_tracker, segmenter_or_tracker)


def build_tracker(name: str, **options: Any) -> VideoTracker:
    return TRACKERS.create(tracker_name(name), **options)


def tracker_options(settings: dict, segmenter_or_tracker: str) -> dict:
    """The tracker's options from the `track` settings section (the CLI and the video window alike), falling back
    to the image segmenter's folder when that folder holds a video model, and to its models folder."""
    from engine.segmenters import discovery

    segmenter = next((k for k, v in SEGMENTER_TRACKERS.items() if v == segmenter_or_tracker), segmenter_or_tracker)
    opts = dict(settings.get("track") or {})
    opts.pop("max_frames", None)
    seg_opts = (settings.get("segmenter", {}).get("options") or {}).get(segmenter) or {}
    if not opts.get("model_dir") and seg_opts.get("model_dir"):  # the image segmenter's folder, if it is a video one
        folder = Path(str(seg_opts["model_dir"])).expanduser()
        if (discovery.read_model_type(folder) or "").endswith("_video"):
            opts["model_dir"] = str(folder)
    if not opts.get("models_dir") and seg_opts.get("models_dir"):
        opts["models_dir"] = seg_opts["models_dir"]
    return opts
