"""The video engine with a tiny random-weights Sam2VideoModel loaded from its folder (the user's path): frame
sources (folder, DAVIS layout, video file), propagation forward and backward from frame K, several objects, an
init mask, DAVIS palette outputs + track.json, bounded session memory. Random weights: masks are not meaningful,
so the tests check structure, ids, order and provenance, not quality."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.errors import BackendError, InputError
from engine.types import Box
from engine.video.frames import FolderFrames, VideoFileFrames, open_frames
from engine.video.prompts import ObjectPrompt, read_id_map
from engine.video.propagate import track_sequence
from engine.video.tracker import TRACKERS, build_tracker
from tests.video import tiny_video as tv


def test_frame_sources(tmp_path, blob):
    frames, _ = blob
    tv.write_frames(tmp_path / "root" / "JPEGImages" / "480p" / "seqA", frames)
    src = open_frames(tmp_path / "root")  # DAVIS root, one sequence
    assert isinstance(src, FolderFrames) and src.name == "seqA" and len(src) == 6
    assert src.frame_name(2) == "00002" and src.read(0).shape == (72, 96, 3)
    tv.write_frames(tmp_path / "root" / "JPEGImages" / "480p" / "seqB", frames[:2])
    with pytest.raises(InputError, match="--seq"):
        open_frames(tmp_path / "root")
    assert len(open_frames(tmp_path / "root", "seqB")) == 2
    assert len(open_frames(tmp_path / "root" / "JPEGImages" / "480p" / "seqA", max_frames=4)) == 4
    video = tv.write_video(tmp_path / "clip.avi", frames)
    vs = open_frames(video)
    assert isinstance(vs, VideoFileFrames) and len(vs) == 6 and vs.name == "clip"
    vs.chunk = 2
    order = [3, 4, 5, 2, 1, 0]  # forward, then backward: decoded in chunks, never all at once
    got = {i: vs.read(i) for i in order}
    assert all(np.abs(got[i].astype(int) - frames[i]).mean() < 12 for i in order)  # MJPG is lossy
    assert len(vs._cache) <= 2
    with pytest.raises(InputError, match="no such"):
        open_frames(tmp_path / "nope")


def test_unknown_tracker_and_missing_folder(tmp_path):
    assert {"sam2-video", "edgetam-video"} <= set(TRACKERS.names())
    with pytest.raises(BackendError, match="unknown tracker"):
        build_tracker("nope")
    with pytest.raises(BackendError, match="no SAM 2 video folder"):
        build_tracker("sam2", models_dir=str(tmp_path))
    with pytest.raises(BackendError, match="not a SAM 2 video folder"):
        build_tracker("sam2", model_dir=str(tmp_path))


def test_propagate_both_ways_two_objects(tmp_path, blob, video_model):
    frames, gts = blob
    src = open_frames(tv.write_frames(tmp_path / "seq", frames))
    tracker = build_tracker("sam2", model_dir=str(video_model), device="cpu")
    objs = [ObjectPrompt(1, "moth", box=Box(10, 10, 50, 40)), ObjectPrompt(2, "leaf", points=[(70, 50, 1), (5, 5, 0)])]
    seen = []
    summary = track_sequence(src, tracker, objs, 2, tmp_path / "out", progress=lambda d, t: seen.append((d, t)))
    out = tmp_path / "out" / "seq"
    assert summary.computed == 6 and summary.reused == 0 and not summary.cancelled
    assert sorted(p.name for p in out.glob("*.png")) == [f"{i:05d}.png" for i in range(6)]
    ids = read_id_map(out / "00000.png")
    assert ids.shape == (72, 96) and set(np.unique(ids)) <= {0, 1, 2}
    rec = json.loads((out / "track.json").read_text())
    assert rec["complete"] and rec["objects"] == {"1": "moth", "2": "leaf"}
    assert rec["prompts"]["00002"][0]["box"] == [10.0, 10.0, 50.0, 40.0]
    assert [rec["frames"][f"{i:05d}"]["direction"] for i in range(6)] == ["backward"] * 2 + ["prompt"] + ["forward"] * 3
    assert rec["model"]["model_class"] == "Sam2VideoModel" and rec["timings"]["runs"][0]["computed"] == 6
    assert seen[-1] == (6, 6)
    # bounded memory: one frame's pixels, a window of memories
    assert tracker._session is None  # closed


def test_session_memory_stays_bounded(tmp_path, video_model):
    frames, _ = tv.moving_blob(14, size=(48, 40), step=1)
    tracker = build_tracker("sam2-video", model_dir=str(video_model))
    tracker.open(40, 48)
    tracker.prompt(0, frames[0], [ObjectPrompt(1, box=Box(5, 5, 30, 30))])
    for i in range(1, 14):
        tracker.step(i, frames[i])
    s = tracker._session
    assert len(s.processed_frames) == 1
    assert len(s.output_dict_per_obj[0]["non_cond_frame_outputs"]) <= tracker._window() + 1
    assert list(s.output_dict_per_obj[0]["cond_frame_outputs"]) == [0]


def test_init_mask_prompt_and_cancel(tmp_path, blob, video_model):
    frames, gts = blob
    src = open_frames(tv.write_frames(tmp_path / "seq", frames))
    tracker = build_tracker("sam2", model_dir=str(video_model))
    calls = []
    summary = track_sequence(src, tracker, [ObjectPrompt(3, "blob", mask=gts[0])], 0, tmp_path / "out",
                             cancel=lambda: calls.append(1) or len(calls) > 2)
    assert summary.cancelled and summary.computed == 3  # the prompt frame + 2
    rec = json.loads((tmp_path / "out" / "seq" / "track.json").read_text())
    assert not rec["complete"] and rec["prompts"]["00000"][0]["mask_pixels"] == int(gts[0].sum())
    with pytest.raises(InputError, match="different track"):
        track_sequence(src, tracker, [ObjectPrompt(3, "blob", box=Box(1, 1, 9, 9))], 0, tmp_path / "out")
    again = track_sequence(src, tracker, [ObjectPrompt(3, "blob", mask=gts[0])], 0, tmp_path / "out")
    assert again.reused == 3 and again.computed == 3
    with pytest.raises(InputError, match="init mask"):
        ObjectPrompt(1, mask=gts[0], box=Box(0, 0, 2, 2))


def test_edgetam_video_found_in_models_dir(tmp_path, blob):
    pytest.importorskip("timm")
    frames, _ = blob
    tv.build_edgetam_video(tmp_path / "models" / "EdgeTAM-hf")
    src = open_frames(tv.write_frames(tmp_path / "seq", frames[:4]))
    tracker = build_tracker("edgetam", models_dir=str(tmp_path / "models"))  # discovery: a child folder
    assert tracker.model_dir.name == "EdgeTAM-hf"
    summary = track_sequence(src, tracker, [ObjectPrompt(1, box=Box(5, 5, 40, 40))], 1, tmp_path / "out")
    assert summary.computed == 4 and len(list((tmp_path / "out" / "seq").glob("*.png"))) == 4
    assert json.loads((tmp_path / "out" / "seq" / "track.json").read_text())["model"]["model_class"] == "EdgeTamVideoModel"
