"""The main window: canvas in the centre, image list left, session right, log bottom. It turns
gestures and buttons into typed worker commands (gui.commands) and draws the frozen views the
worker sends back (gui.views). Window size, dock layout, brush size and the last image are kept
in QSettings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QWidget

from engine.errors import SculptError
from engine.io.dataset import DatasetItem, list_dataset
from gui import commands as c
from gui.actions import build_actions
from gui.autosave import AutosaveStore
from gui.canvas.scene import CanvasScene
from gui.canvas.view import CanvasView
from gui.compat import guard_none_refcount
from gui.docks.image_list import ImageListPanel, empty_folder_words
from gui.docks.log_panel import LogPanel
from gui.docks.objects_panel import ObjectsPanel
from gui.docks.session_panel import SessionPanel
from gui.log_bridge import LogBridge
from gui.settings_dialog import open_qsettings
from gui.shortcuts import HelpDialog, KeepTypingKeys
from gui.undo import StateCommand
from gui.views import LoadedImage, Snapshot
from gui.window_edits import EditGestures
from gui.window_state import WindowState, auto_rounds
from gui.worker import UNDO_LIMIT, WorkerThread

AREAS = {
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
}


class MainWindow(EditGestures, WindowState, QMainWindow):
    def __init__(self, settings: dict[str, Any], out_dir: Path, work_dir: Path, base_settings: dict[str, Any] | None = None,
                 segmenter: Any = None) -> None:
        super().__init__()
        guarded = guard_none_refcount()
        self.setWindowTitle("SAM Sculpt")
        self.settings = settings
        self.base_settings = base_settings or settings
        self.out_dir = Path(out_dir)
        self.store = AutosaveStore(work_dir)
        self.root: Path | None = None
        self.items: dict[str, DatasetItem] = {}
        self.current_name: str | None = None
        self.snapshot: Snapshot | None = None
        self.busy = False
        self._nav_step = 1
        self._auto_rejected: set[str] = set()
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        gui = settings.get("gui", {})
        qs = open_qsettings()

        self.scene = CanvasScene()
        self.scene.brush_size = int(qs.value("gui/brush_size", gui.get("brush_size", 12)))
        self.scene.mask_item.set_style(QColor(gui.get("overlay_colour", "#00c8ff")), float(gui.get("overlay_alpha", 0.45)),
                                       bool(gui.get("outline", True)))
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)

        self.image_list = ImageListPanel()
        self.session_panel = SessionPanel()
        self.session_panel.set_threshold(float(gui.get("confidence_threshold", 0.0) or 0.0),
                                         str(gui.get("below_threshold", "hide") or "hide"))
        self.session_panel.auto_rounds.setValue(auto_rounds(settings))
        self.log_panel = LogPanel()
        self.objects_panel = ObjectsPanel()
        self._new_object_pending = False
        left = self.add_dock(self.image_list, self.tr("Images"), "left", "Images")
        self.add_dock(self.objects_panel, self.tr("Objects"), "left", "Objects")
        right = self.add_dock(self.session_panel, self.tr("Session"), "right", "Session")
        bottom = self.add_dock(self.log_panel, self.tr("Log"), "bottom", "Log")
        self.resizeDocks([left, right], [230, 460], Qt.Orientation.Horizontal)
        self.resizeDocks([bottom], [150], Qt.Orientation.Vertical)
        self._keep_keys = KeepTypingKeys(self)
        for f in (self.session_panel.instance_edit, self.session_panel.auto_rounds, self.image_list.filter_edit,
                  self.objects_panel.label_combo.lineEdit()):
            f.installEventFilter(self._keep_keys)
        self.mode_label = QLabel()
        self.statusBar().addPermanentWidget(self.mode_label)

        self.worker = WorkerThread(settings, self.store, segmenter)
        w = self.worker.worker
        w.snapshot.connect(self._on_snapshot)
        w.image_loaded.connect(self._on_image_loaded)
        w.item_failed.connect(self._on_item_failed)
        w.saved.connect(self._on_saved)
        w.exported.connect(self._on_exported)
        w.log.connect(self.log_panel.append)
        w.progress.connect(self.log_panel.set_progress)
        w.busy.connect(self._on_busy)
        w.models.connect(self.session_panel.set_models)
        self.log_bridge = LogBridge(self)  # the engine's log records, off whichever thread made them
        self.log_bridge.line.connect(self.log_panel.append)
        self.log_bridge.install()

        self.edit_panel = self._add_edit_panel()
        self._connect_canvas()
        self._connect_panels()
        self.actions_by_name = build_actions(self, self._handlers())
        self._on_mode(self.scene.mode)
        self.resize(1500, 920)
        self._restore_layout(qs)
        if guarded:
            self.log_panel.append(self.tr("PySide6 void calls leak references to None on this Python: work-around active"))

    # ---- public --------------------------------------------------------------------------------
    def add_dock(self, widget: QWidget, title: str, area: str = "right", key: str | None = None) -> QDockWidget:
        """Adds a panel as a dock (e.g. the text-guided EditPanel); `key` names it for the saved layout."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{key or title}")
        dock.setWidget(widget)
        self.addDockWidget(AREAS[area], dock)
        return dock

    def _add_edit_panel(self):
        """The text-guided edit panel (gui/edit_panel.py), docked with the session panel when it is
        installed; its buttons become worker commands, the worker's results go to its slots."""
        try:
            from gui.edit_panel import EditPanel
        except ImportError:
            return None
        panel = EditPanel(self.settings)
        dock = self.add_dock(panel, self.tr("Edit"), "right", "Edit")
        session = self.findChild(QDockWidget, "dock-Session")
        self.tabifyDockWidget(session, dock)
        session.raise_()
        w = self.worker.worker
        panel.localise_requested.connect(lambda target: self.submit(c.EditLocalise(target)))
        panel.inpaint_requested.connect(lambda prompt, opts: self.submit(c.EditInpaint(prompt, dict(opts))))
        panel.accept_requested.connect(lambda: self.submit(c.EditAccept(str(self.out_dir))))
        panel.discard_requested.connect(lambda: self.submit(c.EditDiscard()))
        w.edit_heatmap.connect(self._edit_heatmap)
        w.edit_preview.connect(panel.show_preview)
        w.edit_progress.connect(panel.set_progress)
        w.edit_error.connect(panel.show_error)
        w.edit_done.connect(self._edit_done)
        w.busy.connect(self._edit_busy)
        self._edit_working = False
        return panel

    def _edit_heatmap(self, heatmap, point) -> None:
        self.edit_panel.show_heatmap(heatmap, tuple(point) if point is not None else None)

    def _edit_done(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)
        self.edit_panel.status.setText(text)

    def _edit_busy(self, busy: bool) -> None:
        panel = self.edit_panel
        if panel is None:
            return
        working = self.tr("working...")
        if busy:
            panel.set_busy(True, working)
        else:  # idle again: keep a real message (an error, the CLIP point, saved to...), never "working..."
            text = panel.status.text()
            panel.set_busy(False, "" if text == working else text)

    def open_folder(self, root: Path, layout: str = "auto", select: str | None = None) -> bool:
        try:
            items = list_dataset(root, layout)
        except SculptError as exc:
            self.log_panel.append(str(exc))
            return False
        self.root = Path(root)
        self.items = {it.name: it for it in items}
        flags = self.store.flags()
        states = {}
        for name in self.items:
            if name in flags:
                states[name] = "flagged"
            elif (self.out_dir / name / "final_mask.png").exists():
                states[name] = "done"
            elif self.store.has(name):
                states[name] = "in progress"
        self.image_list.set_items(list(self.items), states)
        self.log_panel.append(self.tr("opened {0} ({1} images)").format(root, len(items)))
        if not items:
            empty = empty_folder_words(root)
            self.log_panel.append(empty)
            self.statusBar().showMessage(empty, 15000)
        first = select if select in self.items else self.image_list.neighbour(None, 1)
        if first:
            self.open_item(first)
        return True

    def open_item(self, name: str) -> None:
        item = self.items.get(name)
        if item is None:
            return
        self.save_before_leaving(name)
        self.current_name = name
        self.snapshot = None
        self.undo_stack.clear()
        self._auto_rejected.clear()
        self.image_list.select(name)
        nxt = self.image_list.neighbour(name, 1)
        self.submit(c.Open(item, str(self.root), self.items.get(nxt) if nxt else None))

    def submit(self, cmd: c.Command | str, **args: Any) -> None:
        self.worker.submit(cmd, **args)

    # ---- wiring ------------------------------------------------------------------------------
    def _connect_canvas(self) -> None:
        s = self.scene
        s.box_requested.connect(self._on_box)
        s.object_clicked.connect(self._pick_object)
        s.point_requested.connect(lambda x, y, pos: self.submit(c.AddPoint(x, y, pos)))
        s.move_requested.connect(lambda pid, x, y: self.submit(c.MovePoint(pid, x, y)))
        s.flip_requested.connect(lambda pid: self.submit(c.FlipPoint(pid)))
        s.remove_requested.connect(lambda ids: self.submit(c.RemovePoints(tuple(ids))))
        s.stroke_finished.connect(self._on_stroke)
        s.mode_changed.connect(self._on_mode)
        s.selectionChanged.connect(self._on_scene_selection)

    def _connect_panels(self) -> None:
        p = self.session_panel
        p.run_clicked.connect(lambda: self.submit(c.Run()))
        p.propose_clicked.connect(lambda: self.submit(c.Propose()))
        p.apply_clicked.connect(lambda: self.submit(c.Apply()))
        p.auto_clicked.connect(lambda n: self.submit(c.Auto(n)))
        p.accept_requested.connect(lambda ids: self.submit(c.Decide(tuple(ids), "accept")))
        p.reject_requested.connect(lambda ids: self.submit(c.Decide(tuple(ids), "reject")))
        p.flip_requested.connect(lambda pid: self.submit(c.FlipPoint(pid)))
        p.accept_all_clicked.connect(lambda: self._decide_all("accept"))
        p.reject_all_clicked.connect(lambda: self._decide_all("reject"))
        p.instance_changed.connect(lambda name: self.submit(c.RelabelObject(name)))
        o = self.objects_panel
        o.new_requested.connect(self.new_object)
        o.selected.connect(lambda oid: self.submit(c.SelectObject(oid)))
        o.delete_requested.connect(lambda oid: self.submit(c.DeleteObject(oid)))
        o.relabel_requested.connect(lambda oid, label: self.submit(c.RelabelObject(label, oid)))
        o.visible_changed.connect(lambda oid, on: self.submit(c.SetVisible(on, oid)))
        o.locked_changed.connect(lambda oid, on: self.submit(c.SetLocked(on, oid)))
        o.move_requested.connect(lambda oid, step: self.submit(c.MoveObject(step, oid)))
        p.proposal_selected.connect(self.scene.select_point)
        p.keep_round.connect(lambda keep: self.submit(c.KeepRound(keep)))
        p.threshold_changed.connect(self._on_threshold)
        self.image_list.activated.connect(self._on_list_activated)
        self.log_panel.cancel_requested.connect(self.worker.cancel)

    def _handlers(self) -> dict[str, Any]:
        return {
            "open": self._choose_folder,
            "save": self.save,
            "save_automatically": self.set_save_automatically,
            "export": self.export,
            "discard_autosave": self.discard_autosave,
            "next": lambda: self.navigate(1),
            "previous": lambda: self.navigate(-1),
            "flag": self.toggle_flag,
            "run": lambda: self.submit(c.Run()),
            "run_from_box": lambda: self.submit(c.Run(from_box=True)),
            "new_object": self.new_object,
            "delete_object": lambda: self.submit(c.DeleteObject()),
            "propose": lambda: self.submit(c.Propose()),
            "apply": lambda: self.submit(c.Apply()),
            "auto": lambda: self.submit(c.Auto(self.session_panel.auto_rounds.value())),
            "accept": lambda: self._decide_selected("accept"),
            "reject": lambda: self._decide_selected("reject"),
            "flip": self._flip_selected,
            "accept_all": lambda: self._decide_all("accept"),
            "reject_all": lambda: self._decide_all("reject"),
            "verdict": self._follow_verdict,
            "delete": self._delete_selected,
            "mode_points": lambda: self.scene.set_mode("points"),
            "mode_roi": lambda: self.scene.set_mode("roi"),
            "mode_brush": lambda: self.scene.set_mode("brush"),
            "mode_eraser": lambda: self.scene.set_mode("eraser"),
            "brush_bigger": lambda: self._brush_size(1.25),
            "brush_smaller": lambda: self._brush_size(0.8),
            "undo": self.undo_stack.undo,
            "redo": self.undo_stack.redo,
            "toggle_mask": lambda: self.scene.mask_item.setVisible(not self.scene.mask_item.isVisible()),
            "toggle_outline": self._toggle_outline,
            "toggle_anchors": self._toggle_anchors,
            "fit": self.view.fit_to_window,
            "zoom_in": lambda: self.view.zoom_by(1.25),
            "zoom_out": lambda: self.view.zoom_by(0.8),
            "cancel": self.worker.cancel,
            "settings": self.edit_settings,
            "models": self.open_models,
            "open_video": self.open_video,
            "help": lambda: HelpDialog(self).exec(),
            "quit": self.close,
        }

    # ---- worker results ----------------------------------------------------------------------------
    def _on_image_loaded(self, loaded: LoadedImage) -> None:
        if loaded.name != self.current_name:
            return
        self.scene.set_image(loaded.image, loaded.qimage)
        if self.edit_panel is not None:
            self.edit_panel.set_image(loaded.image)
        self.view.fit_to_window()
        self.setWindowTitle(f"SAM Sculpt - {loaded.name}")
        if loaded.resumed and self.image_list.state(loaded.name) == "new":
            self.image_list.set_state(loaded.name, "in progress")

    def _on_snapshot(self, snap: Snapshot) -> None:
        if snap.name != self.current_name:
            return
        if snap.notice and (self.snapshot is None or self.snapshot.notice != snap.notice):
            self.log_panel.append(snap.notice)
            self.statusBar().showMessage(snap.notice, 8000)
        if snap.history and len(snap.history) > 1:  # a recovered image: mirror the engine's undo history
            self.undo_stack.clear()
            for (before, _), (after, label) in zip(snap.history, snap.history[1:], strict=False):
                # the engine's own step names; the common ones have the window's translation
                shown = QCoreApplication.translate("ObjectHandlers", label)
                self.undo_stack.push(StateCommand(shown, before, after, self._restore))
            ids = [sid for sid, _ in snap.history]
            if snap.state_id in ids:
                self._mirroring = True
                self.undo_stack.setIndex(ids.index(snap.state_id))
                self._mirroring = False
        self.snapshot = snap
        self.objects_panel.show_snapshot(snap)
        self.scene.confidence_filter = self.session_panel.visible_proposal
        self.scene.set_snapshot(snap)
        self.session_panel.show_snapshot(snap)
        if snap.parent_id is not None:
            self.undo_stack.push(StateCommand(snap.label, snap.parent_id, snap.state_id, self._restore))
            if self.image_list.state(snap.name) in ("new", "done"):
                self.image_list.set_state(snap.name, "in progress")
        self._auto_reject(snap)

    def _restore(self, state_id: int) -> None:
        if not getattr(self, "_mirroring", False):
            self.submit(c.Restore(state_id))

    # ---- objects ------------------------------------------------------------------------------
    def _on_item_failed(self, name: str, error: str) -> None:
        self.image_list.set_state(name, "error", error)
        self.log_panel.append(self.tr("skipped {0}: {1}").format(name, error))
        if name == self.current_name:
            nxt = self.image_list.neighbour(name, self._nav_step) or self.image_list.neighbour(name, -self._nav_step)
            if nxt:
                self.open_item(nxt)

    def _on_saved(self, name: str, out: str) -> None:
        if self.image_list.state(name) != "flagged":
            self.image_list.set_state(name, "done")
        self.statusBar().showMessage(self.tr("saved to {0}").format(out), 5000)

    def _on_exported(self, fmt: str, out: str) -> None:
        self.statusBar().showMessage(self.tr("exported ({0}) to {1}").format(fmt, out), 8000)

    def _on_busy(self, busy: bool) -> None:
        self.busy = busy
        self.session_panel.set_busy(busy)
        self.log_panel.set_busy(busy)

    # ---- commands ---------------------------------------------------------------------------
    def save(self) -> None:
        self.submit(c.Save(str(self.out_dir)))

    def export(self) -> None:
        from gui.export_dialog import ExportDialog

        name = self.current_name
        unsaved = name if name and self.image_list.state(name) not in ("done", "error") else None
        others = sum(1 for n, st in self.image_list.states.items() if st == "in progress" and n != name)
        dlg = ExportDialog(self.out_dir, self, unsaved=unsaved, unsaved_others=others)
        if dlg.exec() == ExportDialog.DialogCode.Accepted:
            for cmd in dlg.commands():
                self.submit(cmd)

    def navigate(self, step: int) -> None:
        self._nav_step = step
        nxt = self.image_list.neighbour(self.current_name, step)
        if nxt:
            self.open_item(nxt)

    def toggle_flag(self) -> None:
        name = self.current_name
        if not name:
            return
        flagged = self.image_list.state(name) != "flagged"
        self.store.set_flag(name, flagged)
        if flagged:
            self.image_list.set_state(name, "flagged")
        else:
            done = (self.out_dir / name / "final_mask.png").exists()
            self.image_list.set_state(name, "done" if done else ("in progress" if self.store.has(name) else "new"))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a dataset folder"), str(self.root or Path.cwd()))
        if folder:
            self.open_folder(Path(folder))

    def _on_list_activated(self, name: str) -> None:
        if name != self.current_name:
            self.open_item(name)

    def _on_mode(self, mode: str) -> None:
        names = {"points": self.tr("points"), "roi": self.tr("ROI"), "brush": self.tr("brush"), "eraser": self.tr("eraser")}
        text = self.tr("mode: {0}").format(names.get(mode, mode))
        if mode in ("brush", "eraser"):
            text += " " + self.tr("(size {0}px)").format(self.scene.brush_size)
        self.mode_label.setText(text)
        act = self.actions_by_name.get(f"mode_{mode}") if hasattr(self, "actions_by_name") else None
        if act is not None:
            act.setChecked(True)

    # ---- remembered layout ------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.save_layout()
        self.scene.selectionChanged.disconnect(self._on_scene_selection)
        self.worker.stop()
        self.store.mark_clean()  # a clean exit: the autosaves stay as "in progress", nothing to recover
        self.log_bridge.remove()
        super().closeEvent(event)
