"""The main window's editing gestures: new/select objects, proposals (accept/reject/flip/delete,
threshold, verdict), brush strokes and view toggles. A mixin of gui.main_window.MainWindow: each
one turns into a typed worker command (gui.commands)."""

from __future__ import annotations

from gui import commands as c
from gui.settings_dialog import open_qsettings, store
from gui.views import Snapshot


class EditGestures:
    def _auto_reject(self, snap: Snapshot) -> None:
        """Threshold mode 'auto-reject': new pending proposals below the threshold are rejected (once
        each, so undoing the rejection is respected)."""
        if self.session_panel.threshold_mode() != "reject":
            return
        t = self.session_panel.threshold.value()
        ids = tuple(p.id for p in snap.points if p.source == "critic" and p.status == "pending" and p.confidence < t
                    and p.id not in self._auto_rejected)
        if ids:
            self._auto_rejected.update(ids)
            self.submit(c.Decide(ids, "reject"))

    def new_object(self) -> None:
        """B: the next box drawn (ROI mode) becomes a new object with the label in the Objects dock."""
        self._new_object_pending = True
        self.scene.set_mode("roi")
        self.statusBar().showMessage(self.tr("draw a box for the new object"), 8000)

    def _on_box(self, box) -> None:
        snap = self.snapshot
        if self._new_object_pending or snap is None or snap.selected is None:
            if self._new_object_pending:  # the box is drawn; still ROI mode, where a click selects an object
                self.statusBar().showMessage(self.tr("new object: press 1 (Points) to refine it with clicks; in ROI "
                                                     "mode a click selects an object"), 8000)
            self._new_object_pending = False
            self.submit(c.AddObject(tuple(box), self.objects_panel.current_label() or None))
        else:
            self.submit(c.SetBox(tuple(box)))

    def _pick_object(self, x: float, y: float) -> None:
        """A click in ROI mode selects the topmost visible object under it."""
        snap = self.snapshot
        if snap is None:
            return
        xi, yi = int(x), int(y)
        for o in sorted(snap.objects, key=lambda o: -o.z):
            if o.visible and o.mask is not None and 0 <= yi < o.mask.shape[0] and 0 <= xi < o.mask.shape[1] \
                    and o.mask[yi, xi]:
                if o.id != snap.selected:
                    self.submit(c.SelectObject(o.id))
                return

    def _toggle_outline(self) -> None:
        on = not self.scene.mask_item.show_outline
        self.scene.mask_item.show_outline = on
        self.submit(c.SetStyle(on))

    def _selected_ids(self) -> list[str]:
        return list(dict.fromkeys(self.scene.selected_point_ids() + self.session_panel.selected_ids()))

    def _decide_selected(self, decision: str) -> None:
        if self.snapshot is None:
            return
        pending = {p.id for p in self.snapshot.points if p.source == "critic"}
        ids = tuple(i for i in self._selected_ids() if i in pending)
        if ids:
            self.submit(c.Decide(ids, decision))

    def _decide_all(self, decision: str) -> None:
        if self.snapshot is None:
            return
        ids = tuple(p.id for p in self.snapshot.points if p.status == "pending" and self.session_panel.visible_proposal(p))
        if ids:
            self.submit(c.Decide(ids, decision))

    def _follow_verdict(self) -> None:
        keep = self.session_panel.suggest_keep
        if keep is not None:
            self.submit(c.KeepRound(keep))

    def _on_threshold(self, value: float, mode: str) -> None:
        store(open_qsettings(), {"gui/confidence_threshold": round(value, 3), "gui/below_threshold": mode})
        if self.snapshot is not None:
            self.scene.set_snapshot(self.snapshot)
            self.session_panel.show_snapshot(self.snapshot)
            self._auto_reject(self.snapshot)

    def _flip_selected(self) -> None:
        for pid in self._selected_ids():
            self.submit(c.FlipPoint(pid))

    def _delete_selected(self) -> None:
        ids = self._selected_ids()
        if ids:
            self.submit(c.RemovePoints(tuple(ids)))

    def _on_stroke(self, points, radius: float, erase: bool) -> None:
        if self.snapshot is None or self.snapshot.mask is None:
            self.log_panel.append(self.tr("draw an ROI first: the brush edits an existing mask"))
            return
        self.submit(c.Paint(tuple(points), radius, erase))  # painted by the engine onto the mask it holds then

    def _brush_size(self, factor: float) -> None:
        self.scene.brush_size = int(max(1, min(400, round(self.scene.brush_size * factor + (1 if factor > 1 else 0)))))
        self._on_mode(self.scene.mode)

    def _toggle_anchors(self) -> None:
        on = not self.scene.show_anchors
        self.scene.set_overlay_visible(anchors=on, squares=on)

    def _on_scene_selection(self) -> None:
        try:
            ids = self.scene.selected_point_ids()
        except RuntimeError:  # the scene is being torn down
            return
        if len(ids) == 1:
            self.session_panel.select_point(ids[0])
