"""The engine worker: one QObject living on its own QThread. It owns the SculptSession, the
segmenter and the critic; the UI sends it Jobs through a queued signal and gets plain-data
Snapshots back. Nothing here is touched from the UI thread except the CancelToken."""

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
from gui.autosave import AutosaveStore

UNDO_LIMIT = 100  # commands kept by the UI's QUndoStack; the worker keeps the states they need


@dataclass
class PackedMask:
    """A bool mask stored at one bit per pixel (undo history and autosave stay small)."""

    bits: np.ndarray
    shape: tuple[int, int]


def pack(mask: np.ndarray) -> PackedMask:
    return PackedMask(np.packbits(mask.astype(bool), axis=None), tuple(mask.shape))


def unpack(m: PackedMask | np.ndarray) -> np.ndarray:
    if isinstance(m, np.ndarray):
        return m.astype(bool).copy()
    n = int(np.prod(m.shape))
    return np.unpackbits(m.bits, count=n).astype(bool).reshape(m.shape)


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
    op: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class PointView:
    id: str
    x: float
    y: float
    positive: bool
    source: str
    status: str
    reason: str
    anchor_id: int | None
    round_index: int | None
    moved: bool
    flipped: bool


@dataclass
class SquareView:
    anchor_id: int
    x0: int
    y0: int
    side: int
    inner: np.ndarray


@dataclass
class RoundView:
    index: int
    proposals: int
    applied: bool
    iou: float | None
    area_before: int
    area_after: int | None


@dataclass
class Snapshot:
    """Everything the UI draws for one image, copied out of the session."""

    name: str
    state_id: int
    parent_id: int | None  # the state before the change (None: not an undoable change)
    label: str  # what changed, for the undo stack
    box: tuple[float, float, float, float] | None
    mask: np.ndarray | None
    points: list[PointView]
    anchors: list[tuple[int, float, float]]
    squares: list[SquareView]
    rounds: list[RoundView]
    instance: str
    segmenter: str
    critic: str


@dataclass
class LoadedImage:
    name: str
    image: np.ndarray
    resumed: bool


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


class EngineWorker(QObject):
    snapshot = Signal(object)  # Snapshot
    image_loaded = Signal(object)  # LoadedImage
    item_failed = Signal(str, str)  # name, one-line error
    saved = Signal(str, str)  # name, output folder
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
        self.instance = InstanceInfo()
        self.session: SculptSession | None = None
        self.segmenter = None
        self.critic = None
        self.states: dict[int, dict[str, Any]] = {}
        self.current_id = 0
        self._next_id = 1
        self.edit = None  # engine.edit.session.EditSession of the open image, made on first use
        self._prefetcher: Prefetcher | None = None  # engine.prefetch: next image + its embedding, in the background

    # ---- dispatch ---------------------------------------------------------------------------
    @Slot(object)
    def handle(self, job: Job) -> None:
        fn = getattr(self, f"op_{job.op}", None)
        if fn is None:
            self.log.emit(f"unknown job {job.op}")
            return
        self.cancel_token.clear()
        self.busy.emit(True)
        t = time.perf_counter()
        try:
            fn(**job.args)
        except Cancelled:
            self._restore(self.current_id)
            self.log.emit(f"{job.op}: cancelled")
        except SculptError as exc:
            self.log.emit(f"{job.op}: {exc}")
        except Exception as exc:  # noqa: BLE001 - the worker must survive any backend failure
            self.log.emit(f"{job.op} failed: {exc!r}")
            self.log.emit(traceback.format_exc(limit=3))
        finally:
            dt = time.perf_counter() - t
            if dt > 0.2:
                self.log.emit(f"{job.op} took {dt:.2f}s")
            self.progress.emit(1, 1, "")
            self.busy.emit(False)
            self.models.emit(self._models_text())

    def _check_cancel(self) -> None:
        if self.cancel_token.cancelled:
            raise Cancelled()

    # ---- configuration ----------------------------------------------------------------------
    def op_configure(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.segmenter = None
        self.critic = None
        self._stop_prefetch()
        if self.session is not None:  # the same work, re-created on the new backends
            state = self._state()
            self.session = None
            self._apply_state(state)
        self.log.emit(f"settings applied: segmenter {self.settings['segmenter']['name']}, "
                      f"critic {self.settings['critic']['name']}")

    def _params(self) -> SculptParams:
        return SculptParams.from_dict(self.settings["sculpt"])

    def _segmenter(self):
        if self.segmenter is None:
            self.progress.emit(0, 0, f"loading segmenter {self.settings['segmenter']['name']}")
            self.segmenter = build_segmenter(with_ui_core(self.settings))
        return self.segmenter

    def _critic(self):
        if self.critic is None:
            try:
                self.critic = build_critic(self.settings)
            except SculptError as exc:
                self.log.emit(f"critic unavailable: {exc}")
                return None
        return self.critic

    # ---- images -----------------------------------------------------------------------------
    def op_open(self, item: DatasetItem, root: str, next_item: DatasetItem | None = None) -> None:
        self.root = root
        self.progress.emit(0, 0, f"loading {item.name}")
        done = self._prefetcher.result(item.image_path) if self._prefetcher is not None else None
        try:
            image = done.image if done is not None else load_image(item.image_path, self.settings["io"]["max_pixels"])
            box = read_boxes(item.box_path, (image.shape[1], image.shape[0]))[0] if item.has_box else None
            instance = read_instance(item.llm_path)
            gt = load_mask(item.gt_path, image.shape[:2]) if item.gt_path is not None else None
        except SculptError as exc:
            self.item_failed.emit(item.name, str(exc))
            return
        self.item, self.image, self.instance, self.session = item, image, instance, None
        self.edit = None
        self.states.clear()
        if done is not None:
            self.log.emit(f"{item.name}: prefetched ({done.source or 'image only'})")
        if self.settings["critic"]["name"] == "oracle" and gt is not None:
            self.critic = build_critic(self.settings, gt_mask=gt)
        saved = self.store.load(item.name)
        self.image_loaded.emit(LoadedImage(item.name, image, saved is not None))
        if saved is not None:
            self._resume(saved)
            self.log.emit(f"{item.name}: resumed the autosaved work")
        elif box is not None and self.settings.get("gui", {}).get("auto_start", True):
            self._new_session(box)
            self._start()
        self.current_id = self._store_state()
        self._emit(None, "open")
        if next_item is not None and self.settings.get("gui", {}).get("prefetch", True):
            self._prefetch(next_item)

    def _new_session(self, box: Box) -> None:
        assert self.image is not None and self.item is not None
        seg = self._segmenter()
        self.session = SculptSession(self.image, box, seg, self._critic(), self.instance, self._params(), name=self.item.name)

    def _start(self) -> None:
        assert self.session is not None
        self.progress.emit(0, 0, "segmenting (embedding on first use)")
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
            self.log.emit(f"prefetch of {item.name} not started: {exc!r}")

    def _stop_prefetch(self) -> None:
        if self._prefetcher is not None:
            self._prefetcher.shutdown(wait=False)
            self._prefetcher = None

    # ---- edits (each one is an undoable state) ----------------------------------------------------
    def op_set_box(self, box: tuple[float, float, float, float]) -> None:
        b = Box(*box)
        if self.session is None:
            self._new_session(b)
            self._start()
        else:
            self.session.set_box(b)
            self._refine()
        self._commit("ROI box")

    def op_run(self) -> None:
        if self.session is None:
            self.log.emit("draw an ROI box first")
            return
        if self.session.started:
            self._refine()
        else:
            self._start()
        self._commit("run segmenter")

    def op_add_point(self, x: float, y: float, positive: bool) -> None:
        if self.session is None:
            self.log.emit("draw an ROI box first")
            return
        self.session.add_point(x, y, PointLabel.POS if positive else PointLabel.NEG)
        self._refine()
        self._commit("add point")

    def op_move_point(self, id: str, x: float, y: float) -> None:
        p = self._point(id)
        if p is None:
            return
        self.session.move(id, x, y)
        if p.status is PointStatus.ACCEPTED:
            self._refine()
        self._commit("move point")

    def op_flip_point(self, id: str) -> None:
        p = self._point(id)
        if p is None:
            return
        self.session.flip(id)
        if p.status is PointStatus.ACCEPTED and p.source is PointSource.HUMAN:
            self._refine()
        self._commit("flip point")

    def op_remove_points(self, ids: list[str]) -> None:
        points = [p for p in (self._point(i) for i in ids) if p is not None]
        if not points:
            return
        for p in points:
            self.session.remove_point(p.id)
        if any(p.status is PointStatus.ACCEPTED for p in points):
            self._refine()
        self._commit("delete point" if len(points) == 1 else f"delete {len(points)} points")

    def op_decide(self, ids: list[str], decision: str) -> None:
        if self.session is None:
            return
        for i in ids:
            if self._point(i) is not None:
                (self.session.accept if decision == "accept" else self.session.reject)(i)
        self._commit(f"{decision} proposal" if len(ids) == 1 else f"{decision} {len(ids)} proposals")

    def op_set_mask(self, mask: np.ndarray, label: str = "brush stroke") -> None:
        if self.session is None:
            return
        self.session.set_mask(mask)
        self._commit(label)

    def op_set_instance(self, name: str) -> None:
        if self.session is None or not name or name == self.session.instance.name:
            return
        self.session.instance.name = name
        self._commit("instance name")

    def op_propose(self) -> None:
        if self.session is None:
            self.log.emit("draw an ROI box first")
            return
        if self.session.critic is None:
            self.session.critic = self._critic()
            if self.session.critic is None:
                return
        self.progress.emit(0, 0, "critic round")
        rnd = self.session.propose()
        self._check_cancel()
        self.log.emit(f"round {rnd.index}: {len(rnd.proposals)} proposals "
                      f"(anchors {[c.anchor_id for c in rnd.selected]})")
        self._commit(f"propose round {rnd.index}")

    def op_apply(self) -> None:
        if self.session is None or not self.session.rounds:
            self.log.emit("propose first")
            return
        self.progress.emit(0, 0, "refining")
        rnd = self.session.apply()
        self._check_cancel()
        self.log.emit(f"round {rnd.index} applied: IoU with previous {rnd.iou_with_previous:.4f}")
        self._commit(f"apply round {rnd.index}")

    def op_auto(self, rounds: int) -> None:
        if self.session is None:
            self.log.emit("draw an ROI box first")
            return
        if self.session.critic is None and self._critic() is None:
            return
        self.session.critic = self.session.critic or self.critic
        s = self.session
        for i in range(rounds):
            self.progress.emit(i, rounds, f"auto round {i + 1}/{rounds}")
            rnd = s.propose()
            self._check_cancel()
            if not rnd.proposals:
                self.log.emit(f"auto: nothing proposed in round {rnd.index}")
                break
            s.accept_all()
            s.apply()
            self._check_cancel()
            self.log.emit(f"auto round {rnd.index}: {len(rnd.proposals)} points, IoU {rnd.iou_with_previous:.4f}")
            if rnd.iou_with_previous is not None and rnd.iou_with_previous >= s.params.early_stop_iou:
                self.log.emit(f"auto: converged in round {rnd.index}")
                break
        self._commit(f"auto ({rounds} rounds)")

    def op_restore(self, state_id: int) -> None:
        if state_id in self.states:
            self._restore(state_id)
            self.current_id = state_id
            self._autosave()
            self._emit(None, "restore")

    def op_save(self, out_dir: str) -> None:
        if self.session is None or not self.session.started:
            self.log.emit("nothing to save yet")
            return
        self.progress.emit(0, 0, "saving")
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
        extra = {"image_path": str(self.item.image_path) if self.item else None, "annotator_review": review,
                 "tool": "sam-sculpt gui"}
        out = write_outputs(Path(out_dir) / s.name, s, extra=extra)
        self.store.mark_clean()
        self.log.emit(f"saved {s.name} to {out}")
        self.saved.emit(s.name, str(out))

    def op_discard_autosave(self, name: str) -> None:
        self.store.discard(name)
        self.store.mark_clean()

    # ---- text-guided editing (engine.edit.session; the Edit panel drives it) -------------------
    def _edit_session(self):
        if self.image is None:
            raise SculptError("open an image first")
        if self.edit is None:
            from engine.edit.session import EditSession

            self.edit = EditSession(self.image, self.settings, segmenter=self._segmenter())
        return self.edit

    def _edit_guard(self, fn) -> None:
        try:
            fn()
        except SculptError as exc:
            self.edit_error.emit(str(exc))
            raise

    def op_edit_localise(self, target: str) -> None:
        def run() -> None:
            es = self._edit_session()
            self.progress.emit(0, 0, f"localising '{target}'")
            loc = es.localise(target)
            self.edit_heatmap.emit(loc.heatmap, loc.best)
            self._check_cancel()
            mask = es.mask_from_localisation()
            if self.session is None:
                box = Box.from_mask(mask)
                if box is None:
                    return
                self._new_session(box)
                self.session.prepare()
                self.session.initial_mask = mask.copy()
            self.session.set_mask(mask)
            self._commit(f"mask from '{target}'")

        self._edit_guard(run)

    def op_edit_inpaint(self, prompt: str, options: dict[str, Any]) -> None:
        def run() -> None:
            if self.session is None or not self.session.started or not self.session.mask.any():
                raise SculptError("make a mask first (ROI, Localise or the brush): inpainting repaints the mask")
            es = self._edit_session()
            self.progress.emit(0, 0, f"inpainting with {options.get('inpainter') or 'the default inpainter'}")
            result = es.inpaint(self.session.mask, prompt, options, progress=lambda a, b: self.edit_progress.emit(a, b))
            self._check_cancel()
            self.edit_preview.emit(result.original, result.edited)

        self._edit_guard(run)

    def op_edit_accept(self, out_dir: str) -> None:
        def run() -> None:
            es = self._edit_session()
            name = self.item.name if self.item else "image"
            paths = es.accept(Path(out_dir) / "edit" / name,
                              extra={"image_path": str(self.item.image_path) if self.item else None})
            folder = str(next(iter(paths.values())).parent)
            self.log.emit(f"edit saved to {folder}")
            self.edit_done.emit(f"saved to {folder}")

        self._edit_guard(run)

    def op_edit_discard(self) -> None:
        if self.edit is not None:
            self.edit.discard()
        self.edit_done.emit("discarded")

    def op_slow(self, seconds: float) -> None:
        """A deliberately slow job in small steps (for responsiveness checks): single-threaded
        numpy that releases the GIL, progress after every step, cancellable between steps."""
        t0 = time.perf_counter()
        a = np.random.default_rng(0).standard_normal(100_000)
        while time.perf_counter() - t0 < seconds:
            for _ in range(10):
                a = np.tanh(np.sin(a) * 1.5)
            self.progress.emit(int(100 * (time.perf_counter() - t0) / seconds), 100, "slow job")
            self._check_cancel()

    def op_call(self, fn: Any) -> None:
        """Run an arbitrary callable on the worker thread (benchmarks: a real model call)."""
        fn()

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
        self.progress.emit(0, 0, "segmenting")
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
        s = self.session
        if s is None:
            return {"session": None}
        # points and rounds share Point objects: one deepcopy call keeps them shared
        points, rounds = copy.deepcopy((s.points, s.rounds))
        return {
            "session": True,
            "box": s.box,
            "initial_box": s.initial_box,
            "points": points,
            "rounds": rounds,
            "views": dict(s.views),
            "mask": pack(s.mask),
            "initial_mask": None if s.initial_mask is None else pack(s.initial_mask),
            "logits": None if s.logits is None else s.logits.copy(),
            "instance": copy.deepcopy(s.instance),
        }

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
        if st is None:
            return
        self._apply_state(st)

    def _apply_state(self, st: dict[str, Any]) -> None:
        if st.get("session") is None:
            self.session = None
            return
        if self.session is None:
            self._new_session(st["box"])
        s = self.session
        assert s is not None
        s.box, s.initial_box = st["box"], st["initial_box"]
        s.points, s.rounds = copy.deepcopy((st["points"], st["rounds"]))
        s.views = dict(st.get("views", {}))
        s.mask = unpack(st["mask"])
        s.initial_mask = None if st["initial_mask"] is None else unpack(st["initial_mask"])
        s.logits = None if st.get("logits") is None else st["logits"].copy()
        s.instance = copy.deepcopy(st["instance"])

    def _resume(self, saved: dict[str, Any]) -> None:
        self._apply_state(saved)
        if self.session is not None:
            self.progress.emit(0, 0, "preparing the segmenter")
            self.session.prepare()

    def _autosave(self) -> None:
        if self.item is None or not self.settings.get("gui", {}).get("autosave", True):
            return
        st = dict(self.states[self.current_id])
        st.pop("views", None)  # round visualisations hold the image; they are re-made on the next round
        st.pop("logits", None)
        try:
            self.store.save(self.item.name, self.root, st, unpack(st["mask"]) if st.get("mask") is not None else None)
        except OSError as exc:
            self.log.emit(f"autosave failed: {exc}")

    def _emit(self, parent: int | None, label: str) -> None:
        self.snapshot.emit(self._snapshot(parent, label))

    def _snapshot(self, parent: int | None, label: str) -> Snapshot:
        s = self.session
        name = self.item.name if self.item else ""
        seg_name = self.settings["segmenter"]["name"]
        critic_name = self.settings["critic"]["name"]
        if s is None:
            return Snapshot(name, self.current_id, parent, label, None, None, [], [], [], [], self.instance.name,
                            seg_name, critic_name)
        points = [PointView(p.id, p.x, p.y, p.is_positive, p.source.value, p.status.value, p.reason, p.anchor_id,
                            p.round_index, p.moved_from is not None, p.flipped) for p in s.points]
        anchors = [(a.id, a.x, a.y) for a in s.anchors()] if s.started and s.mask.any() else []
        squares: list[SquareView] = []
        if s.rounds and not s.rounds[-1].applied:
            squares = [SquareView(q.anchor_id, q.x0, q.y0, q.side, q.inner.copy()) for q in s.rounds[-1].squares]
        rounds = [RoundView(r.index, len(r.proposals), r.applied, r.iou_with_previous, r.mask_area_before,
                            r.mask_area_after) for r in s.rounds]
        return Snapshot(name, self.current_id, parent, label, tuple(s.box.as_list()),
                        s.mask.copy() if s.started else None, points, anchors, squares, rounds, s.instance.name,
                        seg_name, critic_name)

    def _models_text(self) -> str:
        loaded = [r for r in get_manager().report() if r.get("loaded")]
        if not loaded:
            return "no large models loaded"
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

    def submit(self, op: str, **args: Any) -> None:
        self._submit.emit(Job(op, args))

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def stop(self) -> None:
        self.cancel_token.cancel()
        self.thread.quit()
        self.thread.wait(30000)
        self.worker._stop_prefetch()
