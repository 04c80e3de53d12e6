"""The main window's settings, crash recovery and remembered layout (QSettings: window size, dock
layout, brush size, last image). A mixin of gui.main_window.MainWindow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMessageBox

from gui import commands as c
from gui.autosave import AutosaveStore
from gui.settings_dialog import SettingsDialog, apply_overrides, open_qsettings, resolve_dir

UI_STATE_VERSION = 3  # bump when the docks change, so an old saved layout is not applied


def auto_rounds(settings: dict[str, Any]) -> int:
    """Auto's round count as Settings > Rounds (Auto) says (the CLI's sculpt.rounds), at least one."""
    try:
        return max(1, int(settings.get("sculpt", {}).get("rounds", 1)))
    except (TypeError, ValueError):
        return 1  # defaults.json's sculpt.rounds


class WindowState:
    def last_image(self) -> tuple[Path, str] | None:
        """The folder and image open when the window last closed (QSettings), if it still exists."""
        qs = open_qsettings()
        root, name = qs.value("session/last_root"), qs.value("session/last_image")
        if root and Path(str(root)).is_dir():
            return Path(str(root)), str(name or "")
        return None

    def offer_recovery(self, mode: str = "ask") -> bool:
        """After a crash: recover the unsaved work (mode 'yes') or not ('no'), or ask. Declining keeps
        the autosave (the image stays "in progress") until the annotator saves or discards it."""
        rec = self.store.pending_recovery()
        if rec is None:
            return False
        if mode == "ask":
            answer = QMessageBox.question(
                self, self.tr("Recover unsaved work?"),
                self.tr("SAM Sculpt did not close cleanly. Recover the unsaved work on '{0}'?\n\n"
                        "If you answer No, the autosave is kept: the image stays 'in progress' and its work comes "
                        "back when you open it. File > Discard autosave drops it.").format(rec.name))
            mode = "yes" if answer == QMessageBox.StandardButton.Yes else "no"
        if mode != "yes":
            self.store.mark_clean()
            self.log_panel.append(self.tr("not recovered now: the autosave of {0} is kept until you save or discard it "
                                          "(File > Discard autosave)").format(rec.name))
            return False
        root = Path(rec.root)
        if self.root is None or root.resolve() != self.root.resolve():
            self.open_folder(root, select=rec.name)
        else:
            self.open_item(rec.name)
        self.log_panel.append(self.tr("recovering the unsaved work on {0}").format(rec.name))
        return True

    def set_save_automatically(self, on: bool | None = None) -> None:
        """File > Save automatically (like labelme's File > Save Automatically): remembered in QSettings."""
        act = self.actions_by_name["save_automatically"]
        if on is not None:
            act.setChecked(bool(on))
        qs = open_qsettings()
        qs.setValue("gui/save_automatically", "true" if act.isChecked() else "false")
        qs.sync()

    def save_before_leaving(self, next_name: str) -> None:
        """With Save automatically on, the image being left is saved first when it has unsaved work."""
        name = self.current_name
        act = getattr(self, "actions_by_name", {}).get("save_automatically")
        if act is None or not act.isChecked() or not name or name == next_name or self.snapshot is None:
            return
        if self.image_list.state(name) == "in progress":
            self.submit(c.Save(str(self.out_dir)))

    def discard_autosave(self) -> None:
        name = self.current_name
        if not name or not self.store.has(name):
            self.statusBar().showMessage(self.tr("no autosave to discard"), 4000)
            return
        self.submit(c.DiscardAutosave(name))
        if self.image_list.state(name) == "in progress":
            self.image_list.set_state(name, "new")

    def open_models(self) -> None:
        from gui.models_dialog import open_models_dialog

        self._models_dialog = open_models_dialog(self, self.settings)  # modeless: keep a reference

    def open_video(self) -> None:
        from gui.video.window import show_video_window

        panel = show_video_window(self, self.settings)  # asks for a frame folder; None when cancelled
        if panel is not None:
            self._video_panels = [*getattr(self, "_video_panels", []), panel]  # keep it alive

    def edit_settings(self) -> None:
        dlg = SettingsDialog(self.settings, self, out_dir=self.out_dir, work_dir=self.store.work_dir)
        if dlg.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.accept_settings(dlg)

    def accept_settings(self, dlg: SettingsDialog) -> None:
        """What OK does: store the choices, keep the session's folders unless they were edited."""
        qs = open_qsettings()
        dlg.save(qs)
        changed = dlg.changed_folders()
        if changed.get("gui/out_dir"):
            self.out_dir = resolve_dir(changed["gui/out_dir"], Path.cwd())
        if changed.get("gui/work_dir"):
            self.store = AutosaveStore(resolve_dir(changed["gui/work_dir"], Path.cwd()))
            self.worker.worker.store = self.store
        theme = dlg.values()["gui/theme"]
        from PySide6.QtWidgets import QApplication

        from gui.theme import apply_theme

        apply_theme(QApplication.instance(), theme)
        self.apply_settings(apply_overrides(self.base_settings, qs))

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """New engine settings for the worker (the output folder stays the session's)."""
        self.settings = settings
        self.session_panel.auto_rounds.setValue(auto_rounds(settings))
        self.submit(c.Configure(settings))

    def _restore_layout(self, qs) -> None:
        act = getattr(self, "actions_by_name", {}).get("save_automatically")
        if act is not None:
            act.setChecked(str(qs.value("gui/save_automatically", "false")) == "true")
        geometry = qs.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = qs.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state, UI_STATE_VERSION)

    def save_layout(self) -> None:
        qs = open_qsettings()
        qs.setValue("window/geometry", self.saveGeometry())
        qs.setValue("window/state", self.saveState(UI_STATE_VERSION))
        qs.setValue("gui/brush_size", int(self.scene.brush_size))
        if self.root is not None:
            qs.setValue("session/last_root", str(self.root))
        if self.current_name:
            qs.setValue("session/last_image", self.current_name)
        qs.sync()
