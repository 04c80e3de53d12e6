"""The engine worker: one QObject living on its own QThread. It owns the open image's
ImageSession (engine.sculpt.image_session: objects, undo history, painting), the segmenter and the
critic; the UI sends it typed commands (gui.commands, one handler each, see HANDLERS) through a
queued signal and gets frozen views (gui.views) back. The QUndoStack of the window only mirrors
the engine's history (undo/redo = goto a state id). Nothing here is touched from the UI thread
except the CancelToken."""

from __future__ import annotations

import copy
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine.errors import InputError, SculptError
from engine.io.atomic import write_json
from engine.io.dataset import DatasetItem
from engine.models.manager import get_manager
from engine.prefetch import Prefetcher
from engine.sculpt.params import SculptParams
from engine.sculpt.runner import build_image_session, build_segmenter, load_item
from engine.settings import deep_merge
from engine.types import Box
from gui import commands as c
from gui.autosave import MARKER, AutosaveStore
from gui.canvas.qimage import rgb_to_qimage
from gui.canvas.render import OverlayStyle
from gui.loaded_models import describe_loaded
from gui.log_words import job_name
from gui.views import LoadedImage, PointView, RoundView, Snapshot, SquareView
from gui.worker_edit import EditHandlers
from gui.worker_objects import ObjectHandlers
from gui.worker_oracle import OracleGtHandlers
from gui.worker_state import UNDO_LIMIT, PackedMask, pack, unpack
from gui.worker_views import SnapshotBuilder

__all__ = ["UNDO_LIMIT", "CancelToken", "Cancelled", "EngineWorker", "Job", "LoadedImage", "PackedMask", "PointView",
           "RoundView", "Snapshot", "SquareView", "WorkerThread", "pack", "unpack", "with_ui_core"]


class CancelToken:
    """Shared with the UI on purpose: setting it is the only thing the UI does across threads."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class Cancelled(Exception):
    pass


@dataclass
class Job:
    """The old string form of a command (kept for callers that still build one)."""

    op: str
    args: dict[str, Any] = field(default_factory=dict)


def with_ui_core(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings whose segmenter leaves one CPU core to the UI thread (gui.leave_core_for_ui): with
    every core busy in an embedding, the event loop waits for the scheduler and the window stutters.
    Only for backends with a `threads` option the user left unset."""
    cores = os.cpu_count() or 1
    name = settings["segmenter"]["name"]
    opts = settings["segmenter"].get("options", {}).get(name, {})
    if not settings.get("gui", {}).get("leave_core_for_ui", True) or cores < 2 or "threads" not in opts or opts["threads"]:
        return settings
    out = copy.deepcopy(settings)
    out["segmenter"]["options"][name]["threads"] = cores - 1
    return out


# each command type -> the one method that handles it
HANDLERS: dict[type[c.Command], str] = {
    c.Configure: "on_configure", c.Open: "on_open", c.AddObject: "on_add_object", c.SelectObject: "on_select_object",
    c.DeleteObject: "on_delete_object", c.RelabelObject: "on_relabel_object", c.SetVisible: "on_set_visible",
    c.SetLocked: "on_set_locked", c.MoveObject: "on_move_object", c.SetStyle: "on_set_style",
    c.SetBox: "on_set_box", c.Run: "on_run", c.AddPoint: "on_add_point", c.MovePoint: "on_move_point",
    c.FlipPoint: "on_flip_point", c.RemovePoints: "on_remove_points", c.Decide: "on_decide", c.Paint: "on_paint",
    c.SetMask: "on_set_mask", c.SetInstance: "on_set_instance", c.Propose: "on_propose", c.Apply: "on_apply",
    c.Auto: "on_auto", c.KeepRound: "on_keep_round", c.Restore: "on_restore", c.Save: "on_save",
    c.DiscardAutosave: "on_discard_autosave", c.Export: "on_export", c.EditLocalise: "on_edit_localise",
    c.EditInpaint: "on_edit_inpaint", c.EditAccept: "on_edit_accept", c.EditDiscard: "on_edit_discard",
    c.Slow: "on_slow", c.Call: "on_call",
}


class EngineWorker(ObjectHandlers, EditHandlers, OracleGtHandlers, SnapshotBuilder, QObject):
    snapshot = Signal(object)  # Snapshot
    image_loaded = Signal(object)  # LoadedImage
    item_failed = Signal(str, str)  # name, one-line error
    saved = Signal(str, str)  # name, output folder
    exported = Signal(str, str)  # format, output folder
    log = Signal(str)
    progress = Signal(int, int, str)  # done, total (0 = indeterminate), what
    busy = Signal(bool)
    models = Signal(object)  # list[gui.loaded_models.LoadedModel]: what the model manager has loaded
    edit_heatmap = Signal(object, object)  # float (H, W) in [0, 1], (x, y) best point
    edit_preview = Signal(object, object)  # original, edited RGB
    edit_progress = Signal(int, int)  # step, total
    edit_error = Signal(str)
    edit_done = Signal(str)  # what happened (accepted to <dir> / discarded)

    def __init__(self, settings: dict[str, Any], store: AutosaveStore, cancel: CancelToken) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.cancel_token = cancel
        self.root = ""
        self.item: DatasetItem | None = None
        self.loaded = None  # engine.sculpt.runner.LoadedItem of the open image
        self.image: np.ndarray | None = None
        self.gt: np.ndarray | None = None
        self.session = None  # engine.sculpt.image_session.ImageSession
        self.selected: int | None = None
        self.segmenter = None
        self.critic = None
        self.edit = None  # engine.edit.session.EditSession of the open image, made on first use
        self._prefetcher: Prefetcher | None = None  # engine.prefetch: next image + its embedding, in the background
        self.overlay_style = OverlayStyle.from_settings(settings)
        self._extra: dict[str, Any] = self._empty_extra()

    @staticmethod
    def _empty_extra() -> dict[str, Any]:
        # what the UI shows beyond the engine's state: (object, round) -> the mask digest a round's squares
        # belong to, why a critic proposed nothing; the verdicts the annotator has answered
        return {"digests": {}, "abstains": {}, "decided": set()}

    @property
    def current_id(self) -> int:
        return self.session.state_id if self.session is not None else 0

    # ---- dispatch ---------------------------------------------------------------------------
    @Slot(object)
    def handle(self, cmd: c.Command | Job) -> None:
        if isinstance(cmd, Job):
            cmd = c.command_from_name(cmd.op, **cmd.args)
        fn = getattr(self, HANDLERS.get(type(cmd), ""), None)
        op = c.name_of(cmd)
        if fn is None:
            self.log.emit(self.tr("unknown command {0}").format(op))
            return
        self.cancel_token.clear()
        self.busy.emit(True)
        t = time.perf_counter()
        try:
            fn(cmd)
        except Cancelled:
            self.log.emit(self.tr("{0}: cancelled").format(op))
        except SculptError as exc:
            self.log.emit(f"{op}: {exc}")
            if self.session is not None:
                self._emit(None, "error")  # the engine left the state as it was: redraw it
        except Exception as exc:  # noqa: BLE001 - the worker must survive any backend failure
            self.log.emit(self.tr("{0} failed: {1}").format(op, repr(exc)))
            self.log.emit(traceback.format_exc(limit=3))
        finally:
            dt = time.perf_counter() - t
            if dt > 0.2:
                self.log.emit(self.tr("{0} took {1:.2f}s").format(job_name(op), dt))
            self.progress.emit(1, 1, "")
            self.busy.emit(False)
            self.models.emit(describe_loaded(get_manager().report(), self.segmenter))

    @Slot()
    def lower_priority(self) -> None:
        """On the worker thread: let the scheduler prefer the UI thread on a busy machine."""
        from gui.warmup import lower_this_thread_priority, same_torch_threads_here

        lower_this_thread_priority()
        same_torch_threads_here()

    def _check_cancel(self) -> None:
        if self.cancel_token.cancelled:
            raise Cancelled()

    # ---- configuration ----------------------------------------------------------------------
    def on_configure(self, cmd: c.Configure) -> None:
        previous, self.segmenter = self.segmenter, None
        old_settings = self.settings
        try:  # build (not load) the new segmenter first: one that cannot be built must not leave no segmenter
            self.segmenter = build_segmenter(with_ui_core(cmd.settings))
        except SculptError as exc:
            self.segmenter = previous
            self.log.emit(self.tr("{0} cannot be used ({1}); still using {2}").format(
                cmd.settings["segmenter"]["name"], exc, old_settings["segmenter"]["name"]))
            cmd = c.Configure(deep_merge(cmd.settings, {"segmenter": old_settings["segmenter"]}))
            previous = None  # kept: nothing to unload
        if previous is not None and cmd.settings.get("segmenter") != self.settings.get("segmenter"):
            unload = getattr(previous, "unload", None)  # free its weights now, not when the GC gets to them
            if callable(unload):
                unload("segmenter changed in settings")
        self.settings = cmd.settings
        self.critic = None
        self.overlay_style = OverlayStyle.from_settings(self.settings)
        self._stop_prefetch()
        if self.session is not None:  # the same work on the new backends (the oracle with this image's GT)
            seg, critic, params = self._segmenter(), self._critic(), self._params()
            self.session.segmenter, self.session.critic, self.session.params = seg, critic, params
            for o in self.session.objects:  # an oracle with GT instances is bound to each object again
                o.core.segmenter, o.core.params = seg, params
                o.core.critic = self.session._object_critic(o.core.initial_box, o.core._imported_mask)
            self.session.prepare(force=True)
        self.log.emit(self.tr("settings applied: segmenter {0}, critic {1}").format(
            self.settings["segmenter"]["name"], self.settings["critic"]["name"]))
        self._emit(None, "configure")  # the Session panel shows the new backends at once

    def on_set_style(self, cmd: c.SetStyle) -> None:
        s = self.overlay_style
        self.overlay_style = OverlayStyle(s.rgb, s.alpha, cmd.outline)
        if self.session is not None:
            self._emit(None, "style")

    def _params(self) -> SculptParams:
        params = SculptParams.from_dict(self.settings["sculpt"])
        if str(params.verdict).lower() not in ("off", "false", "0"):
            params.verdict = "record"  # the annotator keeps or reverts (Auto follows the verdict itself)
        return params

    def _segmenter(self):
        if self.segmenter is None:
            self.progress.emit(0, 0, self.tr("loading segmenter {0}").format(self.settings["segmenter"]["name"]))
            try:
                self.segmenter = build_segmenter(with_ui_core(self.settings))
            except SculptError as exc:  # e.g. sam2 stored in the settings, its weights gone: open with the baseline
                from engine.models.listing_choices import baseline_of

                name, fallback = self.settings["segmenter"]["name"], baseline_of("segmenters")
                if fallback is None or name == fallback:
                    raise
                self.log.emit(self.tr("{0} cannot be used ({1}); using the baseline {2} until it can (File > Models)")
                              .format(name, exc, fallback))
                self.settings = deep_merge(self.settings, {"segmenter": {"name": fallback}})
                self.segmenter = build_segmenter(with_ui_core(self.settings))
        return self.segmenter

    def _critic(self):
        """The configured critic for the open image (the oracle gets this image's GT: gui/worker_oracle.py)."""
        if self.critic is None:
            try:
                self.critic = self._build_critic()
            except SculptError as exc:
                self.log.emit(self.tr("critic unavailable: {0}").format(exc))
                return None
        return self.critic

    # ---- images -----------------------------------------------------------------------------
    def on_open(self, cmd: c.Open) -> None:
        from engine.sculpt.labels import find_labels

        item = cmd.item
        self.root = cmd.root
        self.progress.emit(0, 0, self.tr("loading {0}").format(item.name))
        done = self._prefetcher.result(item.image_path) if self._prefetcher is not None else None
        try:  # the CLI's loader (runner.load_item); a plain folder has no box yet: the annotator draws one
            loaded = load_item(item, self.settings) if item.has_box else load_item(item, self.settings, box=Box(0, 0, 4, 4))
            labels = find_labels(self.root or None, self.settings)
        except SculptError as exc:
            self.item_failed.emit(item.name, str(exc))
            return
        self.item, self.loaded, self.image, self.gt = item, loaded, loaded.image, loaded.gt
        self.edit = None
        self.critic = None  # built for this image: the oracle gets its ground truth
        self._extra = self._empty_extra()
        if done is not None:
            self.log.emit(self.tr("{0}: prefetched ({1})").format(item.name, done.source or self.tr("image only")))
        # the QImage is made here, off the UI thread (a 4k image takes tens of ms to convert)
        resumed = self._has_autosave(item.name)
        self.image_loaded.emit(LoadedImage(item.name, loaded.image, resumed, rgb_to_qimage(loaded.image)))
        self.progress.emit(0, 0, self.tr("segmenting (embedding on first use)"))
        session = build_image_session(loaded, self.settings, self._segmenter(), self._critic(), labels, boxes=False)
        session.params = self._params()
        session.history.limit = UNDO_LIMIT  # the UI's QUndoStack keeps as many
        self.session = session
        self.selected = None
        if resumed and self._resume(item.name):
            self.log.emit(self.tr("{0}: resumed the autosaved work").format(item.name))
        elif item.has_box and self.settings.get("gui", {}).get("auto_start", True):
            from engine.sculpt import commands as C

            session.prepare()
            for box, label in loaded.boxes:
                session.execute(C.AddObject(box, label))
            session.history.reset(session._capture(), "open")  # the image's boxes are where undo starts
        if self.selected is None and session.objects:
            self.selected = session.objects[0].id
        self._emit(None, "open", with_history=True)
        if cmd.next_item is not None and self.settings.get("gui", {}).get("prefetch", True):
            self._prefetch(cmd.next_item)

    def _prefetch(self, item: DatasetItem) -> None:
        """Load the next image and compute its embedding on the prefetcher's own thread; the
        session's prepare() of that image is then a cache hit."""
        try:
            if self._prefetcher is None:
                self._prefetcher = Prefetcher(self._segmenter(), max_pixels=self.settings["io"]["max_pixels"])
            self._prefetcher.cancel_pending()
            self._prefetcher.submit(item.image_path)
        except Exception as exc:  # noqa: BLE001 - prefetch is an optimisation, never an error
            self.log.emit(self.tr("prefetch of {0} not started: {1}").format(item.name, repr(exc)))

    def _stop_prefetch(self) -> None:
        if self._prefetcher is not None:
            self._prefetcher.shutdown(wait=False)
            self._prefetcher = None

    def on_save(self, cmd: c.Save) -> None:
        s = self.session
        if s is None or not any(o.active and o.core.started for o in s.objects):
            self.log.emit(self.tr("nothing to save yet"))
            return
        from engine.sculpt.image_outputs import write_image_outputs

        self.progress.emit(0, 0, self.tr("saving"))
        extra = {"image_path": str(self.item.image_path) if self.item else None, "tool": "sam-sculpt gui"}
        out = write_image_outputs(Path(cmd.out_dir) / s.name, s, extra=extra)
        self.store.mark_clean()
        self.log.emit(self.tr("saved {0} to {1}").format(s.name, out))
        self.saved.emit(s.name, str(out))

    def on_discard_autosave(self, cmd: c.DiscardAutosave) -> None:
        self.store.discard(cmd.name)
        self.store.mark_clean()
        self.log.emit(self.tr("discarded the autosave of {0}").format(cmd.name))

    def on_export(self, cmd: c.Export) -> None:
        from gui.export_job import run_export

        out = run_export(self, cmd)
        if out:
            self.exported.emit(cmd.format, out)

    def on_slow(self, cmd: c.Slow) -> None:
        """A deliberately slow job in small steps (for responsiveness checks): single-threaded
        numpy that releases the GIL, progress after every step, cancellable between steps."""
        t0 = time.perf_counter()
        a = np.random.default_rng(0).standard_normal(100_000)
        while time.perf_counter() - t0 < cmd.seconds:
            for _ in range(10):
                a = np.tanh(np.sin(a) * 1.5)
            self.progress.emit(int(100 * (time.perf_counter() - t0) / cmd.seconds), 100, self.tr("slow job"))
            self._check_cancel()

    def on_call(self, cmd: c.Call) -> None:
        cmd.fn()

    # ---- internals --------------------------------------------------------------------------
    def _after_change(self, parent: int, label: str) -> None:
        """An engine command ran: autosave, and send the UI the new state as one undoable step."""
        self._check_cancel()
        self._autosave()
        self._emit(parent if self.session.state_id != parent else None, label)

    def _has_autosave(self, name: str) -> bool:
        from engine.sculpt.autosave import has_session

        try:
            return has_session(self.store.item_dir(name))
        except InputError:
            return False

    def _resume(self, name: str) -> bool:
        """The autosaved undo history of this image (engine snapshot, no pickle); False if unusable."""
        from engine.sculpt.autosave import load_session

        try:
            ok = load_session(self.store.item_dir(name), self.session)
        except (InputError, OSError, ValueError, KeyError) as exc:
            self.log.emit(self.tr("autosave of {0} not usable: {1}").format(name, exc))
            return False
        if ok and self.session.objects:
            self.selected = self.session.objects[-1].id
        if ok:
            self.progress.emit(0, 0, self.tr("preparing the segmenter"))
            self.session.prepare(force=True)
        return ok

    def _autosave(self) -> None:
        if self.item is None or self.session is None or not self.settings.get("gui", {}).get("autosave", True):
            return
        from engine.sculpt.autosave import save_session

        try:
            folder = self.store.item_dir(self.item.name)
            save_session(folder, self.session)
            write_json(self.store.work_dir / MARKER, {"root": str(self.root), "name": self.item.name, "dirty": True,
                                                      "pid": os.getpid()})
        except (OSError, InputError) as exc:
            self.log.emit(self.tr("autosave failed: {0}").format(exc))

    def _emit(self, parent: int | None, label: str, with_history: bool = False) -> None:
        self.snapshot.emit(self._snapshot(parent, label, with_history))


class WorkerThread(QObject):
    """Owns the QThread and the worker; submit() is the UI's only way in."""

    _submit = Signal(object)

    def __init__(self, settings: dict[str, Any], store: AutosaveStore, segmenter: Any = None) -> None:
        super().__init__()
        # a worker running pure-Python code holds the GIL for up to the switch interval (5 ms by
        # default) each time the UI thread asks for it; a shorter interval keeps the UI snappy
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
        self.cancel_token = CancelToken()
        self.thread = QThread()
        self.thread.setObjectName("engine-worker")
        self.worker = EngineWorker(settings, store, self.cancel_token)
        self.worker.segmenter = segmenter  # preloaded before the window showed (gui.warmup), or None
        self.worker.moveToThread(self.thread)
        self._submit.connect(self.worker.handle)
        self.thread.started.connect(self.worker.lower_priority)
        self.thread.start()

    def submit(self, cmd: c.Command | str, **args: Any) -> None:
        """submit(Command) or the old form submit("op_name", **fields)."""
        if isinstance(cmd, str):
            cmd = c.command_from_name(cmd, **args)
        self._submit.emit(cmd)

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def stop(self) -> None:
        self.cancel_token.cancel()
        self.thread.quit()
        self.thread.wait(30000)
        self.worker._stop_prefetch()
