"""The engine worker: one QObject living on its own QThread. It owns the SculptSession, the
segmenter and the critic; the UI sends it typed commands (gui.commands, one handler each, see
HANDLERS) through a queued signal and gets frozen views (gui.views) back. Nothing here is touched
from the UI thread except the CancelToken."""

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

from engine.errors import SculptError
from engine.io.annotations import read_boxes, read_instance
from engine.io.dataset import DatasetItem
from engine.io.images import load_image, load_mask
from engine.models.manager import get_manager
from engine.prefetch import Prefetcher
from engine.sculpt.outputs import write_outputs
from engine.sculpt.params import SculptParams
from engine.sculpt.runner import build_critic, build_segmenter
from engine.sculpt.session import SculptSession
from engine.types import Box, InstanceInfo, PointLabel, PointSource, PointStatus
from gui import commands as c
from gui.autosave import AutosaveStore
from gui.canvas.qimage import rgb_to_qimage
from gui.canvas.render import OverlayStyle, render_overlay
from gui.views import LoadedImage, PointView, RoundView, Snapshot, SquareView, VerdictView
from gui.worker_edit import EditHandlers
from gui.worker_state import (
    UNDO_LIMIT,
    PackedMask,
    digest,
    pack,
    point_views,
    restore_into,
    round_views,
    session_state,
    square_views,
    unpack,
)

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
    c.Configure: "on_configure", c.Open: "on_open", c.SetBox: "on_set_box", c.Run: "on_run",
    c.AddPoint: "on_add_point", c.MovePoint: "on_move_point", c.FlipPoint: "on_flip_point",
    c.RemovePoints: "on_remove_points", c.Decide: "on_decide", c.Paint: "on_paint", c.SetMask: "on_set_mask",
    c.SetInstance: "on_set_instance", c.Propose: "on_propose", c.Apply: "on_apply", c.Auto: "on_auto",
    c.KeepRound: "on_keep_round", c.Restore: "on_restore", c.Save: "on_save",
    c.DiscardAutosave: "on_discard_autosave", c.Export: "on_export", c.EditLocalise: "on_edit_localise",
    c.EditInpaint: "on_edit_inpaint", c.EditAccept: "on_edit_accept", c.EditDiscard: "on_edit_discard",
    c.Slow: "on_slow", c.Call: "on_call",
}


class EngineWorker(EditHandlers, QObject):
    snapshot = Signal(object)  # Snapshot
    image_loaded = Signal(object)  # LoadedImage
    item_failed = Signal(str, str)  # name, one-line error
    saved = Signal(str, str)  # name, output folder
    exported = Signal(str, str)  # format, output folder
    log = Signal(str)
    progress = Signal(int, int, str)  # done, total (0 = indeterminate), what
    busy = Signal(bool)
    models = Signal(str)  # what the model manager has loaded
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
        self.image: np.ndarray | None = None
        self.gt: np.ndarray | None = None
        self.instance = InstanceInfo()
        self.session: SculptSession | None = None
        self.segmenter = None
        self.critic = None
        self.states: dict[int, dict[str, Any]] = {}
        self.current_id = 0
        self._next_id = 1
        self.edit = None  # engine.edit.session.EditSession of the open image, made on first use
        self._prefetcher: Prefetcher | None = None  # engine.prefetch: next image + its embedding, in the background
        self.overlay_style = OverlayStyle.from_settings(settings)
        self._extra: dict[str, Any] = self._empty_extra()

    @staticmethod
    def _empty_extra() -> dict[str, Any]:
        # per-image worker state kept in every undo state: round digests, verdicts, reverted rounds, abstain reasons
        return {"digests": {}, "verdicts": {}, "reverted": set(), "abstains": {}}

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
            self._restore(self.current_id)
            self.log.emit(self.tr("{0}: cancelled").format(op))
        except SculptError as exc:
            self.log.emit(f"{op}: {exc}")
        except Exception as exc:  # noqa: BLE001 - the worker must survive any backend failure
            self.log.emit(self.tr("{0} failed: {1}").format(op, repr(exc)))
            self.log.emit(traceback.format_exc(limit=3))
        finally:
            dt = time.perf_counter() - t
            if dt > 0.2:
                self.log.emit(self.tr("{0} took {1:.2f}s").format(op, dt))
            self.progress.emit(1, 1, "")
            self.busy.emit(False)
            self.models.emit(self._models_text())

    def _check_cancel(self) -> None:
        if self.cancel_token.cancelled:
            raise Cancelled()

    # ---- configuration ----------------------------------------------------------------------
    def on_configure(self, cmd: c.Configure) -> None:
        self.settings = cmd.settings
        self.segmenter = None
        self.critic = None
        self.overlay_style = OverlayStyle.from_settings(self.settings)
        self._stop_prefetch()
        if self.session is not None:  # the same work, re-created on the new backends (and the new critic)
            state = self._state()
            self.session = None
            self._apply_state(state)
        self.log.emit(self.tr("settings applied: segmenter {0}, critic {1}").format(
            self.settings["segmenter"]["name"], self.settings["critic"]["name"]))
        self._emit(None, "configure")  # the Session panel shows the new backends at once

    def _params(self) -> SculptParams:
        return SculptParams.from_dict(self.settings["sculpt"])

    def _segmenter(self):
        if self.segmenter is None:
            self.progress.emit(0, 0, self.tr("loading segmenter {0}").format(self.settings["segmenter"]["name"]))
            self.segmenter = build_segmenter(with_ui_core(self.settings))
        return self.segmenter

    def _critic(self):
        """The configured critic for the open image (the oracle gets this image's ground truth)."""
        if self.critic is None:
            try:
                self.critic = build_critic(self.settings, gt_mask=self.gt)
            except SculptError as exc:
                self.log.emit(self.tr("critic unavailable: {0}").format(exc))
                return None
        return self.critic

    # ---- images -----------------------------------------------------------------------------
    def on_open(self, cmd: c.Open) -> None:
        item = cmd.item
        self.root = cmd.root
        self.progress.emit(0, 0, self.tr("loading {0}").format(item.name))
        done = self._prefetcher.result(item.image_path) if self._prefetcher is not None else None
        try:
            image = done.image if done is not None else load_image(item.image_path, self.settings["io"]["max_pixels"])
            box = read_boxes(item.box_path, (image.shape[1], image.shape[0]))[0] if item.has_box else None
            instance = read_instance(item.llm_path)
            gt = load_mask(item.gt_path, image.shape[:2]) if item.gt_path is not None else None
        except SculptError as exc:
            self.item_failed.emit(item.name, str(exc))
            return
        self.item, self.image, self.instance, self.session, self.gt = item, image, instance, None, gt
        self.edit = None
        self.states.clear()
        self._extra = self._empty_extra()
        if done is not None:
            self.log.emit(self.tr("{0}: prefetched ({1})").format(item.name, done.source or self.tr("image only")))
        self.critic = None  # built on first use, with this image's ground truth for the oracle
        saved = self.store.load(item.name)
        # the QImage is made here, off the UI thread (a 4k image takes tens of ms to convert)
        self.image_loaded.emit(LoadedImage(item.name, image, saved is not None, rgb_to_qimage(image)))
        if saved is not None:
            self._resume(saved)
            self.log.emit(self.tr("{0}: resumed the autosaved work").format(item.name))
        elif box is not None and self.settings.get("gui", {}).get("auto_start", True):
            self._new_session(box)
            self._start()
        self.current_id = self._store_state()
        self._emit(None, "open")
        if cmd.next_item is not None and self.settings.get("gui", {}).get("prefetch", True):
            self._prefetch(cmd.next_item)

    def _new_session(self, box: Box) -> None:
        assert self.image is not None and self.item is not None
        seg = self._segmenter()
        self.session = SculptSession(self.image, box, seg, self._critic(), self.instance, self._params(), name=self.item.name)

    def _start(self) -> None:
        assert self.session is not None
        self.progress.emit(0, 0, self.tr("segmenting (embedding on first use)"))
        self.session.start()

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

    # ---- edits (each one is an undoable state) ----------------------------------------------------
    def _need_session(self) -> bool:
        if self.session is None:
            self.log.emit(self.tr("draw an ROI box first"))
            return False
        return True

    def on_set_box(self, cmd: c.SetBox) -> None:
        b = Box(*cmd.box)
        if self.session is None:
            self._new_session(b)
            self._start()
        else:
            self.session.set_box(b)
            self._refine()
        self._commit(self.tr("ROI box"))

    def on_run(self, cmd: c.Run) -> None:
        if not self._need_session():
            return
        if self.session.started:
            self._refine()
        else:
            self._start()
        self._commit(self.tr("run segmenter"))

    def on_add_point(self, cmd: c.AddPoint) -> None:
        if not self._need_session():
            return
        self.session.add_point(cmd.x, cmd.y, PointLabel.POS if cmd.positive else PointLabel.NEG)
        self._refine()
        self._commit(self.tr("add point"))

    def on_move_point(self, cmd: c.MovePoint) -> None:
        p = self._point(cmd.id)
        if p is None:
            return
        self.session.move(cmd.id, cmd.x, cmd.y)
        if p.status is PointStatus.ACCEPTED:
            self._refine()
        self._commit(self.tr("move point"))

    def on_flip_point(self, cmd: c.FlipPoint) -> None:
        p = self._point(cmd.id)
        if p is None:
            return
        self.session.flip(cmd.id)
        if p.status is PointStatus.ACCEPTED and p.source is PointSource.HUMAN:
            self._refine()
        self._commit(self.tr("flip point"))

    def on_remove_points(self, cmd: c.RemovePoints) -> None:
        points = [p for p in (self._point(i) for i in cmd.ids) if p is not None]
        if not points:
            return
        for p in points:
            self.session.remove_point(p.id)
        if any(p.status is PointStatus.ACCEPTED for p in points):
            self._refine()
        self._commit(self.tr("delete point") if len(points) == 1 else self.tr("delete {0} points").format(len(points)))

    def on_decide(self, cmd: c.Decide) -> None:
        if self.session is None:
            return
        for i in cmd.ids:
            if self._point(i) is not None:
                (self.session.accept if cmd.decision == "accept" else self.session.reject)(i)
        n = len(cmd.ids)
        if cmd.decision == "accept":
            label = self.tr("accept proposal") if n == 1 else self.tr("accept {0} proposals").format(n)
        else:
            label = self.tr("reject proposal") if n == 1 else self.tr("reject {0} proposals").format(n)
        self._commit(label)

    def on_paint(self, cmd: c.Paint) -> None:
        """A stroke applied to the mask the worker holds now (queued behind any refine)."""
        if self.session is None or not self.session.started:
            self.log.emit(self.tr("draw an ROI first: the brush edits an existing mask"))
            return
        m = self.session.mask
        stroke = cmd.stroke.astype(bool)
        if stroke.shape != m.shape:
            return
        self.session.set_mask((m & ~stroke) if cmd.erase else (m | stroke))
        self._commit(self.tr("eraser stroke") if cmd.erase else self.tr("brush stroke"))

    def on_set_mask(self, cmd: c.SetMask) -> None:
        if self.session is None:
            return
        self.session.set_mask(cmd.mask)
        self._commit(cmd.label)

    def on_set_instance(self, cmd: c.SetInstance) -> None:
        if self.session is None or not cmd.name or cmd.name == self.session.instance.name:
            return
        self.session.instance.name = cmd.name
        self._commit(self.tr("instance name"))

    def _ensure_critic(self) -> bool:
        if self.session.critic is None:
            self.session.critic = self._critic()
        return self.session.critic is not None

    def on_propose(self, cmd: c.Propose) -> None:
        if not self._need_session() or not self._ensure_critic():
            return
        self.progress.emit(0, 0, self.tr("critic round"))
        rnd = self._propose_round()
        self._check_cancel()
        self.log.emit(self.tr("round {0}: {1} proposals (anchors {2})").format(
            rnd.index, len(rnd.proposals), [ch.anchor_id for ch in rnd.selected]))
        if not rnd.proposals:
            self.log.emit(self.tr("round {0}: the critic proposed nothing: {1}").format(
                rnd.index, self._extra["abstains"].get(rnd.index, "")))
        self._commit(self.tr("propose round {0}").format(rnd.index))

    def _propose_round(self):
        s = self.session
        rnd = s.propose()
        self._extra["digests"][rnd.index] = digest(s.mask, s.box)
        if not rnd.proposals:
            self._extra["abstains"][rnd.index] = self._abstain_reason(rnd)
        return rnd

    def _abstain_reason(self, rnd) -> str:
        """Why a round has no proposals, in the UI's words plus the critic's own (as it came)."""
        errors = [r.error for r in rnd.replies if getattr(r, "error", None)]
        if errors:
            return self.tr("the critic failed: {0}").format(errors[0])
        if self.settings["sculpt"].get("strategy") == "anchors" and not rnd.selected:
            return self.tr("no anchor where the boundary looks wrong (no region with clear evidence)")
        said = [j.reason for j in rnd.judgements if j.reason]
        if said:
            return self.tr("no region with clear evidence; the critic said: {0}").format("; ".join(said[:3]))
        return self.tr("no region with clear evidence")

    def on_apply(self, cmd: c.Apply) -> None:
        if self.session is None or not self.session.rounds:
            self.log.emit(self.tr("propose first"))
            return
        self.progress.emit(0, 0, self.tr("refining"))
        before = self.session.mask.copy()
        rnd = self.session.apply()
        self._check_cancel()
        self.log.emit(self.tr("round {0} applied: IoU with previous {1:.4f}").format(rnd.index, rnd.iou_with_previous or 0.0))
        self._verdict(rnd.index, before)
        self._commit(self.tr("apply round {0}").format(rnd.index))

    def _verdict(self, index: int, before: np.ndarray) -> VerdictView | None:
        """The critic's verdict on the round just applied (sculpt.verdict 'off' skips it)."""
        if str(self.settings["sculpt"].get("verdict", "on")).lower() in ("off", "false", "0") or self.session.critic is None:
            return None
        try:
            from engine.critics.verdict import Outcome, ask_verdict, view_of
        except ImportError:
            return None
        s = self.session
        self.progress.emit(0, 0, self.tr("verdict on round {0}").format(index))
        v = ask_verdict(s.critic, view_of(s.image, before, s.box), view_of(s.image, s.mask.copy(), s.box), s.instance)
        view = VerdictView(v.outcome.value, v.reason, float(v.confidence), v.backend, v.error,
                           suggest_keep=v.outcome is not Outcome.WORSE)
        self._extra["verdicts"][index] = view
        self._extra.setdefault("before", {})[index] = pack(before)
        return view

    def on_keep_round(self, cmd: c.KeepRound) -> None:
        """Keep or revert the last applied round after its verdict (revert: the mask before it)."""
        if self.session is None or not self.session.rounds:
            return
        rnd = self.session.rounds[-1]
        v = self._extra["verdicts"].get(rnd.index)
        if v is None or v.decided:
            return
        self._extra["verdicts"][rnd.index] = VerdictView(v.outcome, v.reason, v.confidence, v.backend, v.error,
                                                         v.suggest_keep, decided=True)
        if cmd.keep:
            self._commit(self.tr("keep round {0}").format(rnd.index))
            return
        before = self._extra.get("before", {}).get(rnd.index)
        if before is not None:
            self.session.mask = unpack(before)
            self.session.logits = None
        self._extra["reverted"].add(rnd.index)
        self.log.emit(self.tr("round {0} reverted: the next round starts from the mask before it").format(rnd.index))
        self._commit(self.tr("revert round {0}").format(rnd.index))

    def on_auto(self, cmd: c.Auto) -> None:
        if not self._need_session() or not self._ensure_critic():
            return
        s = self.session
        for i in range(cmd.rounds):
            self.progress.emit(i, cmd.rounds, self.tr("auto round {0}/{1}").format(i + 1, cmd.rounds))
            rnd = self._propose_round()
            self._check_cancel()
            if not rnd.proposals:
                self.log.emit(self.tr("auto: nothing proposed in round {0}: {1}").format(
                    rnd.index, self._extra["abstains"].get(rnd.index, "")))
                break
            s.accept_all()
            before = s.mask.copy()
            s.apply()
            self._check_cancel()
            v = self._verdict(rnd.index, before)
            self.log.emit(self.tr("auto round {0}: {1} points, IoU {2:.4f}").format(
                rnd.index, len(rnd.proposals), rnd.iou_with_previous or 0.0))
            if v is not None:  # auto mode follows the verdict's suggestion
                self._extra["verdicts"][rnd.index] = VerdictView(v.outcome, v.reason, v.confidence, v.backend, v.error,
                                                                 v.suggest_keep, decided=True)
                if not v.suggest_keep:
                    s.mask, s.logits = before, None
                    self._extra["reverted"].add(rnd.index)
                    self.log.emit(self.tr("auto: round {0} made the mask worse ({1}): reverted").format(rnd.index, v.reason))
            if rnd.iou_with_previous is not None and rnd.iou_with_previous >= s.params.early_stop_iou:
                self.log.emit(self.tr("auto: converged in round {0}").format(rnd.index))
                break
        self._commit(self.tr("auto ({0} rounds)").format(cmd.rounds))

    def on_restore(self, cmd: c.Restore) -> None:
        if cmd.state_id in self.states:
            self._restore(cmd.state_id)
            self.current_id = cmd.state_id
            self._autosave()
            self._emit(None, "restore")

    def on_save(self, cmd: c.Save) -> None:
        if self.session is None or not self.session.started:
            self.log.emit(self.tr("nothing to save yet"))
            return
        self.progress.emit(0, 0, self.tr("saving"))
        s = self.session
        critic_points = [p for p in s.points if p.source is PointSource.CRITIC]
        review = {
            "accepted": sum(p.status is PointStatus.ACCEPTED for p in critic_points),
            "rejected": sum(p.status is PointStatus.REJECTED for p in critic_points),
            "pending": sum(p.status is PointStatus.PENDING for p in critic_points),
            "moved": sum(p.moved_from is not None for p in critic_points),
            "flipped": sum(p.flipped for p in critic_points),
            "human_points": sum(p.source is PointSource.HUMAN for p in s.points),
        }
        verdicts = {str(k): {"outcome": v.outcome, "reason": v.reason, "kept": k not in self._extra["reverted"]}
                    for k, v in self._extra["verdicts"].items()}
        extra = {"image_path": str(self.item.image_path) if self.item else None, "annotator_review": review,
                 "verdicts": verdicts, "tool": "sam-sculpt gui"}
        out = write_outputs(Path(cmd.out_dir) / s.name, s, extra=extra)
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
    def _point(self, point_id: str):
        if self.session is None:
            return None
        try:
            return self.session.point(point_id)
        except KeyError:
            return None

    def _refine(self) -> None:
        assert self.session is not None
        self.progress.emit(0, 0, self.tr("segmenting"))
        if self.session.started:
            self.session.refine()
        else:
            self.session.start()
        self._check_cancel()

    def _commit(self, label: str) -> None:
        parent = self.current_id
        self.current_id = self._store_state()
        self._autosave()
        self._emit(parent, label)

    def _state(self) -> dict[str, Any]:
        return session_state(self.session, {"gui_extra": self._extra})

    def _store_state(self) -> int:
        sid = self._next_id
        self._next_id += 1
        self.states[sid] = self._state()
        # the UI's undo stack is limited to UNDO_LIMIT commands, which never reach further back
        for old in [k for k in self.states if k < sid - 2 * UNDO_LIMIT]:
            del self.states[old]
        return sid

    def _restore(self, state_id: int) -> None:
        st = self.states.get(state_id)
        if st is not None:
            self._apply_state(st)

    def _apply_state(self, st: dict[str, Any]) -> None:
        self._extra = copy.deepcopy(st.get("gui_extra") or self._empty_extra())
        if st.get("session") is None:
            self.session = None
            return
        if self.session is None:
            self._new_session(st["box"])
        restore_into(self.session, st)

    def _resume(self, saved: dict[str, Any]) -> None:
        self._apply_state(saved)
        if self.session is not None:
            self.progress.emit(0, 0, self.tr("preparing the segmenter"))
            self.session.prepare()

    def _autosave(self) -> None:
        if self.item is None or not self.settings.get("gui", {}).get("autosave", True):
            return
        st = dict(self.states[self.current_id])
        st.pop("views", None)  # round visualisations hold the image; they are re-made on the next round
        st.pop("logits", None)
        st.pop("gui_extra", None)
        try:
            self.store.save(self.item.name, self.root, st, unpack(st["mask"]) if st.get("mask") is not None else None)
        except OSError as exc:
            self.log.emit(self.tr("autosave failed: {0}").format(exc))

    def _emit(self, parent: int | None, label: str) -> None:
        self.snapshot.emit(self._snapshot(parent, label))

    def _snapshot(self, parent: int | None, label: str) -> Snapshot:
        s = self.session
        name = self.item.name if self.item else ""
        seg_name = self.settings["segmenter"]["name"]
        critic_name = self.settings["critic"]["name"]
        if s is None:
            return Snapshot(name, self.current_id, parent, label, None, None, (), (), (), (), self.instance.name,
                            seg_name, critic_name)
        notice = ""
        if s.started and not s.mask.any():
            notice = self.tr("the segmenter returned an empty mask: the anchors are placed on the ROI box; "
                             "add a positive point or redraw the box")
        anchors = tuple((a.id, a.x, a.y) for a in s.anchors()) if s.started else ()
        squares: tuple = ()
        if s.rounds and not s.rounds[-1].applied and self._extra["digests"].get(s.rounds[-1].index) == digest(s.mask, s.box):
            squares = square_views(s.rounds[-1])  # only while the mask and box the round saw still hold
        rounds = round_views(s.rounds, self._extra["verdicts"], self._extra["reverted"], self._extra["abstains"])
        mask = s.mask.copy() if s.started else None
        overlay = render_overlay(mask, self.overlay_style) if mask is not None else None
        return Snapshot(name, self.current_id, parent, label, tuple(s.box.as_list()), mask, point_views(s.points),
                        anchors, squares, rounds, s.instance.name, seg_name, critic_name, notice, overlay,
                        self.overlay_style)

    def _models_text(self) -> str:
        loaded = [r for r in get_manager().report() if r.get("loaded")]
        if not loaded:
            return self.tr("no large models loaded")
        return ", ".join(f"{r['key']} ({r['size_mb']:.0f} MB, {r['device']})" for r in loaded)


class WorkerThread(QObject):
    """Owns the QThread and the worker; submit() is the UI's only way in."""

    _submit = Signal(object)

    def __init__(self, settings: dict[str, Any], store: AutosaveStore) -> None:
        super().__init__()
        # a worker running pure-Python code holds the GIL for up to the switch interval (5 ms by
        # default) each time the UI thread asks for it; a shorter interval keeps the UI snappy
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
        self.cancel_token = CancelToken()
        self.thread = QThread()
        self.thread.setObjectName("engine-worker")
        self.worker = EngineWorker(settings, store, self.cancel_token)
        self.worker.moveToThread(self.thread)
        self._submit.connect(self.worker.handle)
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
