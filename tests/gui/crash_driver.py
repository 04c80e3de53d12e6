"""Run by test_recovery.py in a subprocess: start the app through gui.app.build_window (the real
start-up path), make edits until the autosave is written, print READY, then wait to be killed."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gui.app import build_window  # noqa: E402


def main() -> None:
    app = QApplication(sys.argv[:1])
    window, args, _ = build_window(sys.argv[1:])
    window.show()
    window.open_folder(args.folder, select="demo")
    steps = iter([
        lambda: window.scene.point_requested.emit(200.0, 200.0, True),
        lambda: window.scene.point_requested.emit(120.0, 290.0, False),
    ])
    seen = {"state": 0}

    def poll() -> None:
        snap = window.snapshot
        if snap is None or snap.mask is None or window.busy or snap.state_id == seen["state"]:
            return
        seen["state"] = snap.state_id
        step = next(steps, None)
        if step is not None:
            step()
        elif window.store.pending_recovery() is not None:
            print("READY", len(snap.points), int(snap.mask.sum()), flush=True)
            timer.stop()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(20)
    app.exec()


if __name__ == "__main__":
    main()
