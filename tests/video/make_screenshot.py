"""Render the video window (gui/video) after a real propagation with the tiny random-weights sam2_video folder on
the generated moving-blob frames (two labelled objects: a box + clicks, a painted mask, on frame 1), then a
correction prompt on frame 5 (a box and a click for object 1) and the heuristic critic's pending proposals for
object 2's propagated mask there, and save docs/video_window.png. Not a test (no test_ prefix):

    xvfb-run -a -s "-screen 0 1400x1000x24" env QT_QPA_PLATFORM=xcb .venv/bin/python tests/video/make_screenshot.py

Random weights: the propagated masks show the pipeline, not a model's quality."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "video_window.png")
    p.add_argument("--lang", default="en")
    args = p.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from gui.i18n import install_language
    from gui.video.panel import VideoPanel
    from tests.video import tiny_video as tv

    install_language(app, args.lang)
    tmp = Path(tempfile.mkdtemp(prefix="video-shot-"))
    model = tv.build_sam2_video(tmp / "sam2.1-hiera-tiny")
    frames, _ = tv.moving_blob(12, size=(480, 360), step=6)
    seq = tv.write_frames(tmp / "blob", frames)
    panel = VideoPanel({"track": {"model_dir": str(model), "device": "cpu"},
                        "critic": {"name": "heuristic", "options": {"heuristic": {"min_evidence": 0.05}}},
                        "sculpt": {"strategy": "direct"}})
    panel.resize(1300, 620)
    panel.open_folder(seq, tmp / "out")
    panel.show()
    panel.label_edit.setText("moth")
    panel._on_box(150.0, 100.0, 330.0, 260.0)
    panel._on_point(240.0, 180.0, True)
    panel._on_point(170.0, 240.0, False)
    panel.label_edit.setText("leaf")
    panel.new_object()
    panel._on_stroke([(380.0, 60.0), (440.0, 90.0), (450.0, 140.0)], False)
    done = []
    panel.propagated.connect(done.append)
    panel.propagate()
    while not done and panel.job is not None:
        app.processEvents()
    app.processEvents()
    shares = []
    for i in range(len(panel.source)):
        ids = panel.result_ids(i)
        shares.append([round(float((ids == k).mean()), 2) if ids is not None else 0.0 for k in (1, 2)])
    print("object 1, 2 share of each frame (random weights):", shares)
    # a correction in progress on frame 4: object 1 gets a box and a click there, object 2 shows its result
    panel.slider.setValue(4)
    panel.select_object(1)
    panel._on_box(170.0, 110.0, 360.0, 270.0)
    panel._on_point(265.0, 190.0, True)
    panel.select_object(2)
    critiqued = []
    panel.critiqued.connect(critiqued.append)
    panel.critique()
    while not critiqued and panel.critic_job is not None:
        app.processEvents()
    app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ok = panel.grab().save(str(args.out))
    print(f"{args.out}: {'saved' if ok else 'NOT saved'} ({len(panel.proposals)} proposals, status: {panel.status.text()})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
