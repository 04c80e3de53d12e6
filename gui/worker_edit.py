"""The text-guided editing handlers of the engine worker (engine.edit.session; the Edit panel
drives them). A mixin of gui.worker.EngineWorker: it runs on the worker thread."""

from __future__ import annotations

from pathlib import Path

from engine.errors import SculptError
from gui import commands as c


class EditHandlers:
    def _edit_session(self):
        if self.image is None:
            raise SculptError(self.tr("open an image first"))
        if self.edit is None:
            from engine.edit.session import EditSession

            self.edit = EditSession(self.image, self.settings, segmenter=self._segmenter())
        return self.edit

    def _edit_mask(self):
        """The selected object's mask (the union of all objects when none is selected)."""
        if self.session is None:
            return None
        o = next((o for o in self.session.objects if o.id == self.selected), None)
        if o is not None:
            return o.core.mask if o.core.started else None
        return self.session.union_mask() if self.session.objects else None

    def _edit_guard(self, fn) -> None:
        try:
            fn()
        except SculptError as exc:
            self.edit_error.emit(str(exc))
            raise

    def on_edit_localise(self, cmd: c.EditLocalise) -> None:
        def run() -> None:
            es = self._edit_session()
            self.progress.emit(0, 0, self.tr("localising '{0}'").format(cmd.target))
            loc = es.localise(cmd.target)
            self.edit_heatmap.emit(loc.heatmap, loc.best)
            self._check_cancel()
            mask = es.mask_from_localisation()
            if not mask.any():
                return
            from engine.sculpt import commands as C

            self._run(C.ImportMask(mask, None, None, f"localise '{cmd.target}'"),
                      self.tr("mask from '{0}'").format(cmd.target))

        self._edit_guard(run)

    def on_edit_inpaint(self, cmd: c.EditInpaint) -> None:
        def run() -> None:
            mask = self._edit_mask()
            if mask is None or not mask.any():
                raise SculptError(self.tr("make a mask first (ROI, Localise or the brush): inpainting repaints the mask"))
            es = self._edit_session()
            name = cmd.options.get("inpainter") or self.tr("the default inpainter")
            self.progress.emit(0, 0, self.tr("inpainting with {0}").format(name))
            result = es.inpaint(mask, cmd.prompt, dict(cmd.options),
                                progress=lambda a, b: self.edit_progress.emit(a, b))
            self._check_cancel()
            self.edit_preview.emit(result.original, result.edited)

        self._edit_guard(run)

    def on_edit_accept(self, cmd: c.EditAccept) -> None:
        def run() -> None:
            es = self._edit_session()
            name = self.item.name if self.item else "image"
            paths = es.accept(Path(cmd.out_dir) / "edit" / name,
                              extra={"image_path": str(self.item.image_path) if self.item else None})
            folder = str(next(iter(paths.values())).parent)
            self.log.emit(self.tr("edit saved to {0}").format(folder))
            self.edit_done.emit(self.tr("saved to {0}").format(folder))

        self._edit_guard(run)

    def on_edit_discard(self, cmd: c.EditDiscard) -> None:
        if self.edit is not None:
            self.edit.discard()
        self.edit_done.emit(self.tr("discarded"))
