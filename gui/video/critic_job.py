"""Critique one frame on its own QThread: builds the configured critic (an API or local VLM critic may load or
call for seconds) and runs engine.video.critique.critique_frame; the result (a FrameCritique) comes back by
signal. No model math here."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal


class CritiqueJob(QObject):
    finished = Signal(object)  # engine.video.critique.FrameCritique
    failed = Signal(str)  # one line

    def __init__(self, frame_index: int, obj_id: int, frame: np.ndarray, mask: np.ndarray,
                 box: tuple[float, float, float, float] | None, label: str, settings: dict[str, Any]) -> None:
        super().__init__()
        self.frame_index, self.obj_id = frame_index, obj_id
        self.frame, self.mask, self.box, self.label, self.settings = frame, mask, box, label, settings

    def run(self) -> None:
        from engine.errors import SculptError
        from engine.types import Box
        from engine.video.critique import critique_frame

        try:
            box = Box(*self.box) if self.box is not None else None
            result = critique_frame(self.frame, self.mask, box, label=self.label, settings=self.settings)
        except (SculptError, OSError, RuntimeError) as exc:
            self.failed.emit(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return
        except Exception as exc:  # noqa: BLE001 - a bad setting, etc.: the panel must hear the job ended
            self.failed.emit(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "))
            return
        self.finished.emit(result)
