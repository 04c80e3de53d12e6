"""Propagation on its own QThread: builds the tracker (the model load is heavy too) and runs track_sequence (or,
for a correction, engine.video.correct.repropagate), reporting progress after every frame; Cancel is honoured
between frames, and a cancelled correction resumes when it is asked again."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal


class PropagateJob(QObject):
    progress = Signal(int, int)  # frames done, total
    finished = Signal(str)  # the output folder of the sequence
    failed = Signal(str)  # one line
    cancelled = Signal(str)

    def __init__(self, frames_dir: Path, objects: list[Any], prompt_frame: int, out_root: Path, tracker: str,
                 tracker_options: dict[str, Any], correct: bool = False) -> None:
        super().__init__()
        self.correct = correct  # re-propagate an earlier track from prompt_frame (engine.video.correct)
        self.frames_dir, self.objects, self.prompt_frame = frames_dir, objects, prompt_frame
        self.out_root, self.tracker, self.tracker_options = out_root, tracker, tracker_options
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        from engine.errors import SculptError
        from engine.video.frames import open_frames
        from engine.video.propagate import track_sequence
        from engine.video.tracker import build_tracker

        try:
            source = open_frames(self.frames_dir)
            tracker = build_tracker(self.tracker, **self.tracker_options)
            if self.correct:
                from engine.video.correct import repropagate

                summary = repropagate(source, tracker, self.objects, self.prompt_frame, self.out_root,
                                      progress=lambda d, t: self.progress.emit(d, t), cancel=self._cancel.is_set)
            else:
                summary = track_sequence(source, tracker, self.objects, self.prompt_frame, self.out_root, restart=True,
                                         progress=lambda d, t: self.progress.emit(d, t), cancel=self._cancel.is_set)
        except (SculptError, OSError) as exc:
            self.failed.emit(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return
        except Exception as exc:  # noqa: BLE001 - e.g. out of memory: the panel must hear the job ended
            self.failed.emit(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "))
            return
        if summary.cancelled:
            self.cancelled.emit(str(summary.out_dir))
        else:
            self.finished.emit(str(summary.out_dir))


def start(job: QObject) -> QThread:
    """Run `job` (a PropagateJob or CritiqueJob: run() plus finished/failed[/cancelled] signals) on a new thread at
    the normal priority (a lowered one would pass to Qt's paint helpers it starts: gui/warmup.py); the thread quits
    when the job ends."""
    thread = QThread()
    job.moveToThread(thread)
    thread.started.connect(job.run)
    for name in ("finished", "failed", "cancelled"):
        if hasattr(job, name):
            getattr(job, name).connect(thread.quit, Qt.ConnectionType.DirectConnection)  # not queued behind the UI
    thread.start()
    return thread
