"""Render the real window on a bundled sample mid-session (ROI, anchors, squares, pending proposals)
and save docs/screenshot.png.

    xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb .venv/bin/python scripts/screenshot.py
    ... scripts/screenshot.py --lang zh_CN --theme light --out docs/screenshot-zh-light.png
(Chinese needs a CJK font on the machine, e.g. fonts-noto-cjk or fonts-wqy-microhei.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.settings import deep_merge, load_settings  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sample", default="moth")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    p.add_argument("--size", default="1600x1000")
    p.add_argument("--lang", default="en", help="en | zh_CN")
    p.add_argument("--theme", default="dark", help="dark | light")
    p.add_argument("--scene", default="review", choices=["review", "objects"],
                   help="review: proposals pending on moth; objects: two labelled objects on demo and the verdict "
                        "after an applied round")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sculpt-shot-"))
    os.environ.setdefault("SAM_SCULPT_QSETTINGS", str(tmp / "qsettings.ini"))  # never the user's settings

    app = QApplication(sys.argv[:1])
    from gui.i18n import install_language
    from gui.main_window import MainWindow
    from gui.theme import apply_theme

    install_language(app, args.lang)
    apply_theme(app, args.theme)

    settings = deep_merge(load_settings(tmp / "none.json"), {
        "gui": {"prefetch": False},
        # a more talkative heuristic critic so the picture has proposals to review
        "critic": {"name": "heuristic", "options": {"heuristic": {"min_evidence": 0.1}}},
    })
    w = MainWindow(settings, tmp / "out", tmp / "work")
    width, height = (int(v) for v in args.size.split("x"))
    w.resize(width, height)
    w.move(0, 0)
    w.show()
    def erase_lower_part() -> None:
        # an eraser touch-up that cuts the lower part of the object away, so the critic has misses to point at
        m = w.snapshot.mask.copy()
        y0, y1 = w.snapshot.box[1], w.snapshot.box[3]
        m[int(y0 + 0.7 * (y1 - y0)):, :] = False
        w.submit("set_mask", mask=m, label="eraser stroke")

    def accept_first() -> None:
        pending = [p.id for p in w.snapshot.points if p.status == "pending"]
        if pending:
            w.submit("decide", ids=pending[:1], decision="accept")
        else:  # nothing to accept: go straight to the picture
            state["step"] = len(steps) - 1
            state["seen"] = -1

    steps = [
        lambda: w.scene.point_requested.emit(300.0, 215.0, True),
        erase_lower_part,
        lambda: w.submit("propose"),
        accept_first,
        None,
    ]
    if args.scene == "objects":
        from gui import commands as c

        args.sample = "demo"

        def accept_all() -> None:
            pending = tuple(p.id for p in w.snapshot.points if p.status == "pending")
            w.submit(c.Decide(pending, "accept") if pending else c.SelectObject(first["id"]))

        first = {}
        steps = [
            lambda: (first.setdefault("id", w.snapshot.selected), w.submit(c.AddObject((48.0, 222.0, 104.0, 296.0), "shell"))),
            lambda: w.submit(c.SelectObject(first["id"])),
            erase_lower_part,
            lambda: w.submit(c.Propose()),
            accept_all,
            lambda: w.submit(c.Apply()),
            None,
        ]
    state = {"seen": 0, "step": 0, "grabbed": False}

    def poll() -> None:
        snap = w.snapshot
        if snap is None or snap.mask is None or w.busy or id(snap) == state["seen"]:
            return
        state["seen"] = id(snap)  # every snapshot the worker sends (a selection changes no state id)
        step = steps[state["step"]]
        state["step"] += 1
        if step is not None:
            step()
            return
        timer.stop()
        w.view.fit_to_window()
        for n, pv in enumerate(p for p in snap.points if p.status == "pending"):
            if n == 0:
                w.scene.point_items[pv.id].setSelected(True)
        QTimer.singleShot(600, grab)

    def grab() -> None:
        screen = app.primaryScreen()
        pix = screen.grabWindow(0, 0, 0, width, height)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pix.save(str(args.out))
        print(f"wrote {args.out} ({pix.width()}x{pix.height()})")
        w.close()
        app.quit()

    w.open_folder(ROOT / "auxiliary", select=args.sample)
    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(30)
    QTimer.singleShot(60000, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
