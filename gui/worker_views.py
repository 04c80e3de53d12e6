"""How the worker copies what the UI draws out of the ImageSession: frozen views (gui.views) of the
selected object, every object's row, and the overlay rendered here, off the UI thread. A mixin of
gui.worker.EngineWorker."""

from __future__ import annotations

from dataclasses import replace

from gui.canvas.render import render_objects
from gui.critic_words import OWN_WORDS_CRITICS, localise
from gui.views import ObjectRow, RoundView, Snapshot, VerdictView
from gui.worker_state import digest, point_views, square_views


class SnapshotBuilder:
    def _snapshot(self, parent: int | None, label: str, with_history: bool = False) -> Snapshot:
        name = self.item.name if self.item else ""
        seg_name = self.settings["segmenter"]["name"]
        critic_name = self.settings["critic"]["name"]
        s = self.session
        if s is None:
            return Snapshot(name, 0, parent, label, None, None, (), (), (), (), "", seg_name, critic_name)
        view = s.view()
        rows = tuple(ObjectRow(o.id, o.label, tuple(o.colour), o.visible, o.locked, o.z, o.status,
                               int(o.mask.sum()) if o.mask is not None else 0, tuple(o.box), o.mask, o.painted)
                     for o in view.objects)
        history = tuple(s.history.labels()) if with_history else ()
        overlay = render_objects(rows, self.selected, self.overlay_style, (s.height, s.width)) if rows else None
        sel = next((o for o in s.objects if o.id == self.selected), None)
        common = dict(overlay=overlay, overlay_style=self.overlay_style, objects=rows, selected=self.selected,
                      labels=view.labels, history=history)
        if sel is None:
            return Snapshot(name, s.state_id, parent, label, None, None, (), (), (), (), s.default_label(), seg_name,
                            critic_name, **common)
        core = sel.core
        notice = ""
        if core.started and not core.mask.any():
            notice = self.tr("the segmenter returned an empty mask: the anchors are placed on the ROI box; "
                             "add a positive point or redraw the box")
        anchors = tuple((a.id, a.x, a.y) for a in core.anchors()) if core.started else ()
        squares: tuple = ()
        if core.rounds and not core.rounds[-1].applied and \
                self._extra["digests"].get((sel.id, core.rounds[-1].index)) == digest(core.mask, core.box):
            squares = square_views(core.rounds[-1])  # only while the mask and box the round saw still hold
        own = critic_name in OWN_WORDS_CRITICS  # the heuristic's reasons are ours: shown in the window's language
        points = point_views(core.points)
        rounds = self._round_views(sel)
        if own:
            points = tuple(replace(p, reason=localise(p.reason, critic_name)) for p in points)
            squares = tuple(replace(q, reason=localise(q.reason, critic_name)) for q in squares)
            rounds = tuple(replace(r, verdict=replace(r.verdict, reason=localise(r.verdict.reason, critic_name)))
                           if r.verdict is not None else r for r in rounds)
        return Snapshot(name, s.state_id, parent, label, tuple(core.box.as_list()),
                        core.mask.copy() if core.started else None, points, anchors, squares,
                        rounds, sel.label, seg_name, critic_name, notice,
                        painted=bool(core.paint.active), **common)

    def _round_views(self, o) -> tuple[RoundView, ...]:
        core = o.core
        last_applied = max((r.index for r in core.rounds if r.applied), default=None)
        out = []
        for r in core.rounds:
            meta = core.round_meta.get(r.index, {})
            v = meta.get("verdict")
            verdict = None
            if v:
                can_revert = r.index == last_applied and not meta.get("reverted") and r.index in core.pre_round
                decided = (o.id, r.index) in self._extra["decided"] or not can_revert
                verdict = VerdictView(str(v.get("outcome", "same")), str(v.get("reason", "")),
                                      float(v.get("confidence", 0.0)), str(v.get("backend", "")), v.get("error"),
                                      suggest_keep=v.get("outcome") != "worse", decided=decided)
            out.append(RoundView(r.index, len(r.proposals), r.applied, r.iou_with_previous, r.mask_area_before,
                                 r.mask_area_after, self._extra["abstains"].get((o.id, r.index), ""), verdict,
                                 bool(meta.get("reverted"))))
        return tuple(out)
