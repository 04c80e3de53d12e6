"""The editing handlers of the engine worker: each GUI command becomes one engine command
(engine.sculpt.commands) on the open ImageSession, for the selected object unless it names one.
A mixin of gui.worker.EngineWorker; it runs on the worker thread."""

from __future__ import annotations

from engine.errors import InputError
from engine.sculpt import commands as C
from engine.types import Box
from gui import commands as c
from gui.log_words import stop_words
from gui.worker_state import digest


class ObjectHandlers:
    # ---- helpers ------------------------------------------------------------------------------
    def _oid(self, cmd) -> int | None:
        oid = getattr(cmd, "object_id", None)
        oid = self.selected if oid is None else oid
        if oid is None or self.session is None:
            return None
        try:
            self.session.object(oid)
        except InputError:
            return None
        return oid

    def _need_object(self, cmd) -> int | None:
        oid = self._oid(cmd)
        if oid is None:
            self.log.emit(self.tr("draw an ROI box first"))
        return oid

    def _run(self, engine_cmd, label: str | None = None, progress: str | None = None, after=None):
        """Executes one engine command (one undo step) and tells the UI (`after()` runs in between)."""
        if progress:
            self.progress.emit(0, 0, progress)
        parent = self.session.state_id
        change = self.session.execute(engine_cmd)
        if change.created is not None:
            self.selected = change.created
        if after is not None:
            after()
        self._after_change(parent, label or self._label(engine_cmd))
        return change

    # ---- objects ------------------------------------------------------------------------------
    def on_add_object(self, cmd: c.AddObject) -> None:
        if self.session is None:
            return
        label = cmd.label or None
        self._run(C.AddObject(Box(*cmd.box), label), self.tr("add object"),
                  self.tr("segmenting (embedding on first use)"))

    def on_select_object(self, cmd: c.SelectObject) -> None:
        if self.session is None:
            return
        self.selected = cmd.object_id if cmd.object_id is None or self._oid(cmd) is not None else self.selected
        self._emit(None, "select")

    def on_delete_object(self, cmd: c.DeleteObject) -> None:
        oid = self._need_object(cmd)
        if oid is None:
            return
        self._run(C.DeleteObject(oid), self.tr("delete object"))
        if self.selected == oid:
            rest = [o.id for o in self.session.objects]
            self.selected = rest[-1] if rest else None
            self._emit(None, "select")

    def on_relabel_object(self, cmd: c.RelabelObject) -> None:
        oid = self._need_object(cmd)
        if oid is None or not cmd.label.strip() or self.session.object(oid).label == cmd.label.strip():
            return
        self._run(C.RelabelObject(oid, cmd.label.strip()), self.tr("relabel object"))

    def on_set_instance(self, cmd: c.SetInstance) -> None:
        self.on_relabel_object(c.RelabelObject(cmd.name))

    def on_set_visible(self, cmd: c.SetVisible) -> None:
        oid = self._need_object(cmd)
        if oid is not None:
            self._run(C.SetVisible(oid, cmd.visible), self.tr("show object") if cmd.visible else self.tr("hide object"))

    def on_set_locked(self, cmd: c.SetLocked) -> None:
        oid = self._need_object(cmd)
        if oid is not None:
            self._run(C.SetLocked(oid, cmd.locked), self.tr("lock object") if cmd.locked else self.tr("unlock object"))

    def on_move_object(self, cmd: c.MoveObject) -> None:
        oid = self._need_object(cmd)
        if oid is None:
            return
        order = sorted(self.session.objects, key=lambda o: o.z)
        i = [o.id for o in order].index(oid)
        j = i + (1 if cmd.step > 0 else -1)
        if not 0 <= j < len(order):
            return
        z = order[j].z + (1 if cmd.step > 0 else -1)
        self._run(C.SetZOrder(oid, z), self.tr("reorder objects"))

    # ---- box, points, mask ------------------------------------------------------------------------
    def on_set_box(self, cmd: c.SetBox) -> None:
        if self.session is None:
            return
        oid = self._oid(cmd)
        if oid is None:  # no object yet: the box makes the first one
            self.on_add_object(c.AddObject(cmd.box))
            return
        self._run(C.SetBox(oid, Box(*cmd.box)), self.tr("ROI box"), self.tr("segmenting"))

    def on_run(self, cmd: c.Run) -> None:
        oid = self._need_object(cmd)
        if oid is not None:
            label = self.tr("re-run from the box") if cmd.from_box else self.tr("run segmenter")
            self._run(C.Refine(oid, from_box=cmd.from_box), label, self.tr("segmenting"))

    def on_add_point(self, cmd: c.AddPoint) -> None:
        oid = self._need_object(cmd)
        if oid is not None:
            self._run(C.AddPoint(oid, cmd.x, cmd.y, cmd.positive), self.tr("add point"), self.tr("segmenting"))

    def on_move_point(self, cmd: c.MovePoint) -> None:
        oid = self._oid(cmd)
        if oid is not None and self._has_point(oid, cmd.id):
            self._run(C.MovePoint(oid, cmd.id, cmd.x, cmd.y), self.tr("move point"))

    def on_flip_point(self, cmd: c.FlipPoint) -> None:
        oid = self._oid(cmd)
        if oid is not None and self._has_point(oid, cmd.id):
            self._run(C.FlipPoint(oid, cmd.id), self.tr("flip point"))

    def on_remove_points(self, cmd: c.RemovePoints) -> None:
        oid = self._oid(cmd)
        ids = tuple(i for i in cmd.ids if oid is not None and self._has_point(oid, i))
        if ids:
            label = self.tr("delete point") if len(ids) == 1 else self.tr("delete {0} points").format(len(ids))
            self._run(C.DeletePoint(oid, ids), label)

    def on_decide(self, cmd: c.Decide) -> None:
        oid = self._oid(cmd)
        ids = tuple(i for i in cmd.ids if oid is not None and self._has_point(oid, i))
        if not ids:
            return
        n = len(ids)
        if cmd.decision == "accept":
            label = self.tr("accept proposal") if n == 1 else self.tr("accept {0} proposals").format(n)
            self._run(C.AcceptProposal(oid, ids), label)
        else:
            label = self.tr("reject proposal") if n == 1 else self.tr("reject {0} proposals").format(n)
            self._run(C.RejectProposal(oid, ids), label)

    def _has_point(self, oid: int, point_id: str) -> bool:
        try:
            self.session.object(oid).core.point(point_id)
            return True
        except KeyError:
            return False

    def on_paint(self, cmd: c.Paint) -> None:
        """A stroke painted by the engine onto the mask the object has now (behind any queued refine)."""
        oid = self._oid(cmd)
        if oid is None or not self.session.object(oid).core.started:
            self.log.emit(self.tr("draw an ROI first: the brush edits an existing mask"))
            return
        self._run(C.PaintStroke(oid, tuple(cmd.points), float(cmd.radius), cmd.erase),
                  self.tr("eraser stroke") if cmd.erase else self.tr("brush stroke"))

    def on_set_mask(self, cmd: c.SetMask) -> None:
        if self.session is None:
            return
        oid = self._oid(cmd)
        self._run(C.ImportMask(cmd.mask, oid), cmd.label)

    # ---- critic rounds ----------------------------------------------------------------------------
    def _ensure_critic(self) -> bool:
        if self.session.critic is None:
            self.session.critic = self._critic()
            for o in self.session.objects:
                o.core.critic = o.core.critic or self.session.critic
        return self.session.critic is not None

    def on_propose(self, cmd: c.Propose) -> None:
        oid = self._need_object(cmd)
        if oid is None or not self._ensure_critic():
            return
        o = self.session.object(oid)
        key = digest(o.core.mask, o.core.box)

        def note() -> None:
            r = o.core.rounds[-1]
            self._extra["digests"][(oid, r.index)] = key
            if not r.proposals:
                self._extra["abstains"][(oid, r.index)] = self._abstain_reason(r)

        self._run(C.ProposeRound(oid), self.tr("propose round {0}").format(len(o.core.rounds) + 1),
                  self.tr("critic round"), after=note)
        rnd = o.core.rounds[-1]
        self.log.emit(self.tr("round {0}: {1} proposals (anchors {2})").format(
            rnd.index, len(rnd.proposals), [ch.anchor_id for ch in rnd.selected]))
        if not rnd.proposals:
            self.log.emit(self.tr("round {0}: the critic proposed nothing: {1}").format(
                rnd.index, self._extra["abstains"].get((oid, rnd.index), "")))

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
        oid = self._oid(cmd)
        if oid is None or not self.session.object(oid).core.rounds:
            self.log.emit(self.tr("propose first"))
            return
        self._ensure_critic()
        index = self.session.object(oid).core.rounds[-1].index
        self._run(C.ApplyRound(oid), self.tr("apply round {0}").format(index), self.tr("refining"))
        rnd = self.session.object(oid).core.rounds[-1]
        self.log.emit(self.tr("round {0} applied: IoU with previous {1:.4f}").format(rnd.index, rnd.iou_with_previous or 0.0))

    def on_keep_round(self, cmd: c.KeepRound) -> None:
        """Keep (no change) or revert (engine RevertRound) the latest applied round after its verdict."""
        oid = self._oid(cmd)
        if oid is None:
            return
        core = self.session.object(oid).core
        applied = [r for r in core.rounds if r.applied]
        if not applied:
            return
        key = (oid, applied[-1].index)
        self._extra["decided"].add(key)
        if cmd.keep:
            self.log.emit(self.tr("round {0} kept").format(applied[-1].index))
            self._emit(None, "keep")
            return
        self._run(C.RevertRound(oid), self.tr("revert round {0}").format(applied[-1].index))
        self.log.emit(self.tr("round {0} reverted: the next round starts from the mask before it").format(applied[-1].index))

    def on_auto(self, cmd: c.Auto) -> None:
        oid = self._need_object(cmd)
        if oid is None or not self._ensure_critic():
            return
        ids = None if cmd.all_objects else [oid]
        parent = self.session.state_id
        gen = self.session.iter_rounds(cmd.rounds, ids, verdict="on")  # auto follows the verdict's suggestion
        done = 0
        try:
            for ev in gen:
                kind = getattr(ev.kind, "value", str(ev.kind))
                if kind == "proposed":
                    done += 1
                    self.progress.emit(done - 1, cmd.rounds, self.tr("auto round {0}/{1}").format(done, cmd.rounds))
                elif kind == "reverted":
                    self.log.emit(self.tr("auto: round {0} made the mask worse ({1}): reverted").format(
                        ev.round_index, getattr(ev.verdict, "reason", "")))
                elif kind == "applied":
                    self.log.emit(self.tr("auto round {0}: {1} points, IoU {2:.4f}").format(
                        ev.round_index, ev.proposals, ev.iou_with_previous or 0.0))
                elif ev.message:
                    self.log.emit(self.tr("auto: {0}").format(stop_words(ev.message)))
                if self.cancel_token.cancelled:
                    self.log.emit(self.tr("auto: cancelled after round {0}").format(ev.round_index))
                    break
        finally:
            gen.close()
        for o in self.session.objects:
            if o.core.rounds:
                self._extra["decided"].add((o.id, o.core.rounds[-1].index))
        if self.session.state_id != parent:
            self._after_change(parent, self.tr("auto ({0} rounds)").format(cmd.rounds))
        else:
            self._emit(None, "auto")

    def on_restore(self, cmd: c.Restore) -> None:
        if self.session is not None and self.session.goto(cmd.state_id) is not None:
            if self.selected is not None and self.selected not in {o.id for o in self.session.objects}:
                self.selected = self.session.objects[-1].id if self.session.objects else None
            elif self.selected is None and self.session.objects:
                self.selected = self.session.objects[-1].id
            self._autosave()
            self._emit(None, "restore")

    @staticmethod
    def _label(engine_cmd) -> str:
        return engine_cmd.label
