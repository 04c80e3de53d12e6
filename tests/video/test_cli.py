"""`sam-sculpt track` end to end with the tiny sam2_video folder: folder and video-file input, --gt scoring,
one-line errors (exit 2), and a run killed with SIGKILL that a rerun completes without redoing finished frames."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.cli.app import main
from tests.video import tiny_video as tv

ROOT = Path(__file__).resolve().parents[2]


def test_track_folder_with_gt(tmp_path, blob, video_model, capsys):
    frames, gts = blob
    seq = tv.write_frames(tmp_path / "MoCA" / "JPEGImages" / "moth", frames)
    gt = tv.write_gt(tmp_path / "MoCA" / "Annotations" / "moth", gts)
    rc = main(["track", "--frames", str(tmp_path / "MoCA"), "--box", "10,10,60,50", "--frame", "1", "--label", "moth",
               "--set", f"track.model_dir={video_model}", "--out", str(tmp_path / "out"), "--gt", str(gt),
               "--max-frames", "4", "--no-progress"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "sam2-video: 4 frames" in out and "J=" in out and "J&F=" in out
    assert sorted(p.name for p in (tmp_path / "out" / "moth").glob("*.png")) == [f"{i:05d}.png" for i in range(4)]
    ev = json.loads((tmp_path / "out" / "moth" / "eval.json").read_text())
    assert ev["missing_predictions"] == ["00004", "00005"] and 0 <= ev["J&F"] <= 1
    assert seq.is_dir()
    # --score-only: the GT scored against itself (copied in as the predictions) is perfect, without a model
    import shutil

    shutil.rmtree(tmp_path / "out" / "moth")
    shutil.copytree(gt, tmp_path / "out" / "moth")
    assert main(["track", "--frames", str(tmp_path / "MoCA"), "--score-only", "--gt", str(gt),
                 "--out", str(tmp_path / "out"), "--segmenter", "nope"]) == 0
    assert "J=1.0000 F=1.0000 J&F=1.0000" in capsys.readouterr().out


def test_track_video_file(tmp_path, blob, video_model, capsys):
    frames, gts = blob
    video = tv.write_video(tmp_path / "clip.avi", frames[:4])
    tv.write_gt(tmp_path / "m", gts[:1])
    rc = main(["track", "--frames", str(video), "--init-mask", str(tmp_path / "m" / "00000.png"), "--frame", "0",
               "--set", f"track.model_dir={video_model}", "--out", str(tmp_path / "out"), "--no-progress"])
    assert rc == 0, capsys.readouterr()
    rec = json.loads((tmp_path / "out" / "clip" / "track.json").read_text())
    assert rec["complete"] and len(rec["frames"]) == 4 and rec["prompts"]["00000"][0]["mask_pixels"] > 0


@pytest.mark.parametrize("extra, message", [
    ([], "needs a prompt"),
    (["--box", "1,2,3"], "four numbers"),
    (["--box", "500,500,600,600"], "outside"),
    (["--box", "1,1,9,9", "--frame", "99"], "--frame 99"),
    (["--box", "1,1,9,9", "--segmenter", "nope"], "unknown tracker"),
])
def test_one_line_errors(tmp_path, blob, video_model, capsys, extra, message):
    frames, _ = blob
    seq = tv.write_frames(tmp_path / "seq", frames[:2])
    rc = main(["track", "--frames", str(seq), "--set", f"track.model_dir={video_model}", "--out", str(tmp_path / "o"),
               "--no-progress", *extra])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1, err


CHILD = """
import sys, time
import engine.video.hf_tracker as h
step = h.HFVideoTracker.step
def slow(self, *a, **k):
    time.sleep(0.4)
    return step(self, *a, **k)
h.HFVideoTracker.step = slow
from engine.cli.app import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_resume_after_sigkill(tmp_path, video_model):
    frames, _ = tv.moving_blob(16, size=(64, 48), step=2)
    seq = tv.write_frames(tmp_path / "seq", frames)
    out = tmp_path / "out"
    args = ["track", "--frames", str(seq), "--box", "8,8,40,36", "--frame", "5", "--no-progress",
            "--set", f"track.model_dir={video_model}", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, *args], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while len(list((out / "seq").glob("*.png"))) < 4 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    listed = json.loads((out / "seq" / "track.json").read_text())["frames"]  # written after each frame's PNG
    done = {f"{n}.png": (out / "seq" / f"{n}.png").stat().st_mtime_ns for n in listed}
    assert 3 <= len(done) < 16
    rc = main(args)
    assert rc == 0
    rec = json.loads((out / "seq" / "track.json").read_text())
    assert rec["complete"] and rec["resumed"] and len(rec["frames"]) == 16
    assert rec["timings"]["runs"][-1]["computed"] == 16 - len(done)
    unchanged = {n: p.stat().st_mtime_ns for n, p in ((p.name, p) for p in (out / "seq").glob("*.png")) if n in done}
    assert unchanged == done  # finished frames were not rewritten


def test_correct_a_frame_and_repropagate(tmp_path, blob, video_model, capsys):
    import numpy as np

    from engine.metrics.video import j_measure
    from engine.video.prompts import read_id_map

    frames, gts = blob
    seq = tv.write_frames(tmp_path / "seq", frames)
    base = ["track", "--frames", str(seq), "--set", f"track.model_dir={video_model}", "--out", str(tmp_path / "out"),
            "--no-progress"]
    assert main([*base, "--box", "10,10,60,50", "--frame", "1"]) == 0
    out = tmp_path / "out" / "seq"
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}
    tv.write_gt(tmp_path / "fix", gts)
    assert main([*base, "--init-mask", str(tmp_path / "fix" / "00003.png"), "--frame", "3", "--correct"]) == 0
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}
    assert [n for n in sorted(after) if after[n] != before[n]] == ["00003.png", "00004.png", "00005.png"]
    assert j_measure(read_id_map(out / "00003.png") > 0, gts[3]) > 0.8  # the corrected mask is frame 3's output
    rec = json.loads((out / "track.json").read_text())
    assert rec["corrections"][0]["frame"] == "00003" and rec["corrections"][0]["recomputed"] == 3
    assert rec["frames"]["00003"]["direction"] == "correction" and rec["frames"]["00005"]["corrected_from"] == 3
    assert np.array_equal(sorted(rec["prompts"]), ["00001", "00003"])
    capsys.readouterr()
    assert main([*base, "--box", "1,1,9,9", "--correct", "--out", str(tmp_path / "none")]) == 2
    assert "no earlier track" in capsys.readouterr().err
