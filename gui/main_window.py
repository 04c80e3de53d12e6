"""The main window: canvas in the centre, image list left, session right, log bottom. It wires
gestures and buttons to worker jobs and draws the snapshots the worker sends back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence, QUndoStack
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

from engine.errors import SculptError
from engine.io.dataset import DatasetItem, list_dataset
from gui.autosave import AutosaveStore
from gui.brush import apply_stroke
from gui.canvas.scene import CanvasScene
from gui.canvas.view import CanvasView
from gui.compat import guard_none_refcount
from gui.docks.image_list import ImageListPanel
from gui.docks.log_panel import LogPanel
from gui.docks.session_panel import SessionPanel
from gui.settings_dialog import SettingsDialog, apply_overrides, open_qsettings, resolve_dir
from gui.shortcuts import SHORTCUTS, HelpDialog, KeepTypingKeys
from gui.undo import StateCommand
from gui.worker import UNDO_LIMIT, LoadedImage, Snapshot, WorkerThread

AREAS = {
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
}


class MainWindow(QMainWindow):
    def __init__(self, settings: dict[str, Any], out_dir: Path, work_dir: Path, base_settings: dict[str, Any] | None = None) -> None:
        super().__init__()
        guarded = guard_none_refcount()
        self.setWindowTitle("SAM Sculpt")
        self.settings = settings
        self.base_settings = base_settings or settings
        self.out_dir = out_dir
        self.store = AutosaveStore(work_dir)
        self.root: Path | None = None
        self.items: dict[str, DatasetItem] = {}
        self.current_name: str | None = None
        self.snapshot: Snapshot | None = None
        self.busy = False
        self._nav_step = 1
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        gui = settings.get("gui", {})

        self.scene = CanvasScene()
        self.scene.brush_size = int(gui.get("brush_size", 12))
        self.scene.mask_item.set_style(QColor(gui.get("overlay_colour", "#00c8ff")), float(gui.get("overlay_alpha", 0.45)),
                                       bool(gui.get("outline", True)))
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)

        self.image_list = ImageListPanel()
        self.session_panel = SessionPanel()
        self.log_panel = LogPanel()
        left = self.add_dock(self.image_list, "Images", "left")
        right = self.add_dock(self.session_panel, "Session", "right")
        bottom = self.add_dock(self.log_panel, "Log", "bottom")
        self.resizeDocks([left, right], [230, 430], Qt.Orientation.Horizontal)
        self.resizeDocks([bottom], [150], Qt.Orientation.Vertical)
        self._keep_keys = KeepTypingKeys(self)
        for field in (self.session_panel.instance_edit, self.session_panel.auto_rounds, self.image_list.filter_edit):
            field.installEventFilter(self._keep_keys)
        self.mode_label = QLabel()
        self.statusBar().addPermanentWidget(self.mode_label)

        self.worker = WorkerThread(settings, self.store)
        w = self.worker.worker
        w.snapshot.connect(self._on_snapshot)
        w.image_loaded.connect(self._on_image_loaded)
        w.item_failed.connect(self._on_item_failed)
        w.saved.connect(self._on_saved)
        w.log.connect(self.log_panel.append)
        w.progress.connect(self.log_panel.set_progress)
        w.busy.connect(self._on_busy)
        w.models.connect(self.session_panel.set_models)

        self.edit_panel = self._add_edit_panel()
        self._connect_canvas()
        self._connect_panels()
        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()
        self._on_mode(self.scene.mode)
        self.resize(1500, 920)
        if guarded:
            self.log_panel.append("PySide6 void calls leak references to None on this Python: work-around active")

    # ---- public --------------------------------------------------------------------------------
    def add_dock(self, widget: QWidget, title: str, area: str = "right") -> QDockWidget:
        """Adds a panel as a dock (e.g. the text-guided EditPanel)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title}")
        dock.setWidget(widget)
        self.addDockWidget(AREAS[area], dock)
        return dock

    def _add_edit_panel(self):
        """The text-guided edit panel (gui/edit_panel.py), docked with the session panel when it is
        installed; its buttons become worker jobs, the worker's results go to its slots."""
        try:
            from gui.edit_panel import EditPanel
        except ImportError:
            return None
        panel = EditPanel(self.settings)
        dock = self.add_dock(panel, "Edit", "right")
        self.tabifyDockWidget(self.findChild(QDockWidget, "dock-Session"), dock)
        self.findChild(QDockWidget, "dock-Session").raise_()
        w = self.worker.worker
        panel.localise_requested.connect(lambda target: self.submit("edit_localise", target=target))
        panel.inpaint_requested.connect(lambda prompt, opts: self.submit("edit_inpaint", prompt=prompt, options=dict(opts)))
        panel.accept_requested.connect(lambda: self.submit("edit_accept", out_dir=str(self.out_dir)))
        panel.discard_requested.connect(lambda: self.submit("edit_discard"))
        w.edit_heatmap.connect(self._edit_heatmap)
        w.edit_preview.connect(panel.show_preview)
        w.edit_progress.connect(panel.set_progress)
        w.edit_error.connect(panel.show_error)
        w.edit_done.connect(self.statusBar().showMessage)
        w.busy.connect(self._edit_busy)
        return panel

    def _edit_heatmap(self, heatmap, point) -> None:
        self.edit_panel.show_heatmap(heatmap, tuple(point) if point is not None else None)

    def _edit_busy(self, busy: bool) -> None:
        if self.edit_panel is not None:  # idle again: keep the last message (an error, the CLIP point)
            self.edit_panel.set_busy(busy, "working..." if busy else self.edit_panel.status.text())

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
        self.log_panel.append(f"opened {root} ({len(items)} images)")
        first = select if select in self.items else self.image_list.neighbour(None, 1)
        if first:
            self.open_item(first)
        return True

    def open_item(self, name: str) -> None:
        item = self.items.get(name)
        if item is None:
            return
        self.current_name = name
        self.snapshot = None
        self.undo_stack.clear()
        self.image_list.select(name)
        nxt = self.image_list.neighbour(name, 1)
        self.worker.submit("open", item=item, root=str(self.root), next_item=self.items.get(nxt) if nxt else None)

    def offer_recovery(self, mode: str = "ask") -> bool:
        """After a crash: recover the unsaved work (mode 'yes'), drop it ('no') or ask."""
        rec = self.store.pending_recovery()
        if rec is None:
            return False
        if mode == "ask":
            answer = QMessageBox.question(self, "Recover unsaved work?",
                                          f"SAM Sculpt did not close cleanly. Recover the unsaved work on '{rec.name}'?")
            mode = "yes" if answer == QMessageBox.StandardButton.Yes else "no"
        if mode != "yes":
            self.store.discard(rec.name)
            self.store.mark_clean()
            self.log_panel.append(f"dropped the unsaved work on {rec.name}")
            return False
        root = Path(rec.root)
        if self.root is None or root.resolve() != self.root.resolve():
            self.open_folder(root, select=rec.name)
        else:
            self.open_item(rec.name)
        self.log_panel.append(f"recovering the unsaved work on {rec.name}")
        return True

    def submit(self, op: str, **args: Any) -> None:
        self.worker.submit(op, **args)

    # ---- wiring ------------------------------------------------------------------------------
    def _connect_canvas(self) -> None:
        s = self.scene
        s.box_requested.connect(lambda box: self.submit("set_box", box=box))
        s.point_requested.connect(lambda x, y, pos: self.submit("add_point", x=x, y=y, positive=pos))
        s.move_requested.connect(lambda pid, x, y: self.submit("move_point", id=pid, x=x, y=y))
        s.flip_requested.connect(lambda pid: self.submit("flip_point", id=pid))
        s.remove_requested.connect(lambda ids: self.submit("remove_points", ids=ids))
        s.stroke_finished.connect(self._on_stroke)
        s.mode_changed.connect(self._on_mode)
        s.selectionChanged.connect(self._on_scene_selection)

    def _connect_panels(self) -> None:
        p = self.session_panel
        p.run_clicked.connect(lambda: self.submit("run"))
        p.propose_clicked.connect(lambda: self.submit("propose"))
        p.apply_clicked.connect(lambda: self.submit("apply"))
        p.auto_clicked.connect(lambda n: self.submit("auto", rounds=n))
        p.accept_requested.connect(lambda ids: self.submit("decide", ids=ids, decision="accept"))
        p.reject_requested.connect(lambda ids: self.submit("decide", ids=ids, decision="reject"))
        p.flip_requested.connect(lambda pid: self.submit("flip_point", id=pid))
        p.accept_all_clicked.connect(lambda: self._decide_all("accept"))
        p.reject_all_clicked.connect(lambda: self._decide_all("reject"))
        p.instance_changed.connect(lambda name: self.submit("set_instance", name=name))
        p.proposal_selected.connect(self.scene.select_point)
        self.image_list.activated.connect(self._on_list_activated)
        self.log_panel.cancel_requested.connect(self.worker.cancel)

    def _build_actions(self) -> None:
        handlers = {
            "open": self._choose_folder,
            "save": self.save,
            "next": lambda: self.navigate(1),
            "previous": lambda: self.navigate(-1),
            "flag": self.toggle_flag,
            "run": lambda: self.submit("run"),
            "propose": lambda: self.submit("propose"),
            "apply": lambda: self.submit("apply"),
            "auto": lambda: self.submit("auto", rounds=self.session_panel.auto_rounds.value()),
            "accept": lambda: self._decide_selected("accept"),
            "reject": lambda: self._decide_selected("reject"),
            "flip": self._flip_selected,
            "accept_all": lambda: self._decide_all("accept"),
            "reject_all": lambda: self._decide_all("reject"),
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
            "toggle_outline": lambda: self.scene.mask_item.set_style(show_outline=not self.scene.mask_item.show_outline),
            "toggle_anchors": self._toggle_anchors,
            "fit": self.view.fit_to_window,
            "zoom_in": lambda: self.view.zoom_by(1.25),
            "zoom_out": lambda: self.view.zoom_by(0.8),
            "cancel": self.worker.cancel,
            "settings": self.edit_settings,
            "help": lambda: HelpDialog(self).exec(),
            "quit": self.close,
        }
        for sc in SHORTCUTS:
            act = QAction(sc.text, self)
            act.setShortcuts([QKeySequence(k) for k in sc.keys])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(handlers[sc.action])
            self.addAction(act)
            self.actions_by_name[sc.action] = act
        group = QActionGroup(self)
        for name in ("mode_points", "mode_roi", "mode_brush", "mode_eraser"):
            a = self.actions_by_name[name]
            a.setCheckable(True)
            group.addAction(a)
        self.actions_by_name["mode_points"].setChecked(True)
        menus = {
            "&File": ["open", "save", "settings", "quit"],
            "&Edit": ["undo", "redo", "delete"],
            "&Session": ["run", "propose", "apply", "auto", "accept", "reject", "flip", "accept_all", "reject_all", "cancel"],
            "&Tools": ["mode_points", "mode_roi", "mode_brush", "mode_eraser", "brush_bigger", "brush_smaller"],
            "&View": ["toggle_mask", "toggle_outline", "toggle_anchors", "fit", "zoom_in", "zoom_out"],
            "&Navigate": ["next", "previous", "flag"],
            "&Help": ["help"],
        }
        for title, names in menus.items():
            menu = self.menuBar().addMenu(title)
            for n in names:
                menu.addAction(self.actions_by_name[n])
        tb = self.addToolBar("Tools")
        tb.setObjectName("toolbar")
        for n, label in (("open", "Open"), ("save", "Save"), ("undo", "Undo"), ("redo", "Redo"), ("mode_points", "Points"),
                         ("mode_roi", "ROI"), ("mode_brush", "Brush"), ("mode_eraser", "Eraser"), ("fit", "Fit"),
                         ("settings", "Settings"), ("help", "Help")):
            a = self.actions_by_name[n]
            a.setIconText(label)
            tb.addAction(a)

    # ---- worker results ----------------------------------------------------------------------------
    def _on_image_loaded(self, loaded: LoadedImage) -> None:
        if loaded.name != self.current_name:
            return
        self.scene.set_image(loaded.image)
        if self.edit_panel is not None:
            self.edit_panel.set_image(loaded.image)
        self.view.fit_to_window()
        self.setWindowTitle(f"SAM Sculpt - {loaded.name}")
        if loaded.resumed and self.image_list.state(loaded.name) == "new":
            self.image_list.set_state(loaded.name, "in progress")

    def _on_snapshot(self, snap: Snapshot) -> None:
        if snap.name != self.current_name:
            return
        self.snapshot = snap
        self.scene.set_snapshot(snap)
        self.session_panel.show_snapshot(snap)
        if snap.parent_id is not None:
            self.undo_stack.push(StateCommand(snap.label, snap.parent_id, snap.state_id, self._restore))
            if self.image_list.state(snap.name) in ("new", "done"):
                self.image_list.set_state(snap.name, "in progress")

    def _restore(self, state_id: int) -> None:
        self.submit("restore", state_id=state_id)

    def _on_item_failed(self, name: str, error: str) -> None:
        self.image_list.set_state(name, "error", error)
        self.log_panel.append(f"skipped {name}: {error}")
        if name == self.current_name:
            nxt = self.image_list.neighbour(name, self._nav_step) or self.image_list.neighbour(name, -self._nav_step)
            if nxt:
                self.open_item(nxt)

    def _on_saved(self, name: str, out: str) -> None:
        if self.image_list.state(name) != "flagged":
            self.image_list.set_state(name, "done")
        self.statusBar().showMessage(f"saved to {out}", 5000)

    def _on_busy(self, busy: bool) -> None:
        self.busy = busy
        self.session_panel.set_busy(busy)
        self.log_panel.set_busy(busy)

    # ---- commands ---------------------------------------------------------------------------
    def save(self) -> None:
        self.submit("save", out_dir=str(self.out_dir))

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

    def edit_settings(self) -> None:
        dlg = SettingsDialog(self.settings, self)
        if dlg.exec() != SettingsDialog.DialogCode.Accepted:
            return
        qs = open_qsettings()
        dlg.save(qs)
        self.apply_settings(apply_overrides(self.base_settings, qs))

    def apply_settings(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        out = settings.get("gui", {}).get("out_dir")
        if out:
            self.out_dir = resolve_dir(out, Path.cwd())
        self.submit("configure", settings=settings)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a dataset folder", str(self.root or Path.cwd()))
        if folder:
            self.open_folder(Path(folder))

    def _on_list_activated(self, name: str) -> None:
        if name != self.current_name:
            self.open_item(name)

    def _selected_ids(self) -> list[str]:
        ids = list(dict.fromkeys(self.scene.selected_point_ids() + self.session_panel.selected_ids()))
        return ids

    def _decide_selected(self, decision: str) -> None:
        if self.snapshot is None:
            return
        pending = {p.id for p in self.snapshot.points if p.source == "critic"}
        ids = [i for i in self._selected_ids() if i in pending]
        if ids:
            self.submit("decide", ids=ids, decision=decision)

    def _decide_all(self, decision: str) -> None:
        if self.snapshot is None:
            return
        ids = [p.id for p in self.snapshot.points if p.status == "pending"]
        if ids:
            self.submit("decide", ids=ids, decision=decision)

    def _flip_selected(self) -> None:
        for pid in self._selected_ids():
            self.submit("flip_point", id=pid)

    def _delete_selected(self) -> None:
        ids = self._selected_ids()
        if ids:
            self.submit("remove_points", ids=ids)

    def _on_stroke(self, stroke, erase: bool) -> None:
        if self.snapshot is None or self.snapshot.mask is None:
            self.log_panel.append("draw an ROI first: the brush edits an existing mask")
            return
        mask = apply_stroke(self.snapshot.mask, stroke, erase)
        self.submit("set_mask", mask=mask, label="eraser stroke" if erase else "brush stroke")

    def _brush_size(self, factor: float) -> None:
        self.scene.brush_size = int(max(1, min(400, round(self.scene.brush_size * factor + (1 if factor > 1 else 0)))))
        self._on_mode(self.scene.mode)

    def _toggle_anchors(self) -> None:
        on = not self.scene.show_anchors
        self.scene.set_overlay_visible(anchors=on, squares=on)

    def _on_mode(self, mode: str) -> None:
        extra = f" (size {self.scene.brush_size}px)" if mode in ("brush", "eraser") else ""
        self.mode_label.setText(f"mode: {mode}{extra}")
        act = self.actions_by_name.get(f"mode_{mode}") if hasattr(self, "actions_by_name") else None
        if act is not None:
            act.setChecked(True)

    def _on_scene_selection(self) -> None:
        try:
            ids = self.scene.selected_point_ids()
        except RuntimeError:  # the scene is being torn down
            return
        if len(ids) == 1:
            self.session_panel.select_point(ids[0])

    def closeEvent(self, event) -> None:
        self.scene.selectionChanged.disconnect(self._on_scene_selection)
        self.worker.stop()
        self.store.mark_clean()  # a clean exit: the autosaves stay as "in progress", nothing to recover
        super().closeEvent(event)
