"""`python main.py [--open DIR] [--lang zh_CN|en] [--theme auto|light|dark] [--gt-instances DIR]`: start the annotation window.
The language and theme are applied before the window is built (language: --lang, else the stored
setting, else the system locale; theme: --theme, else the stored setting, else the system's)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QApplication, QSplashScreen

from engine.errors import SculptError
from engine.resources import samples_dir
from engine.settings import deep_merge, load_settings
from gui.i18n import LANGUAGES, choose_language, install_language
from gui.log_bridge import LogBridge, console_logging
from gui.settings_dialog import apply_overrides, open_qsettings, resolve_dir
from gui.theme import THEMES, apply_theme

RECOVER_ENV = "SAM_SCULPT_RECOVER"  # yes | no | ask: answer the recovery question without a dialog


def settle_startup_objects() -> None:
    """What start-up made (Qt wrappers, torch modules, the loaded model's objects) lives as long as the
    window: moved out of the collector's way, so its full passes (which hold the GIL, stalling the UI
    thread) stay short."""
    gc.collect()
    gc.freeze()


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="sam-sculpt gui", description="The SAM Sculpt annotation window.")
    p.add_argument("--open", dest="folder", type=Path, help="dataset folder (plain, aux or COD layout); default: the samples")
    p.add_argument("--layout", default="auto", choices=["auto", "aux", "cod", "folder"])
    p.add_argument("--out", type=Path, help="outputs folder (default: settings gui.out_dir, 'outputs')")
    p.add_argument("--work", type=Path, help="work folder for autosave (default: <out>/.work)")
    p.add_argument("--settings", type=Path, help="a settings JSON file (default: the user's settings.json)")
    p.add_argument("--gt-instances", type=Path, metavar="DIR",
                   help="folder of NAME.png GT instance maps: the oracle critics judge each object against its own "
                        "instance (default: settings gui.gt_instances; none: the union GT)")
    p.add_argument("--lang", choices=[*LANGUAGES, "auto"], help="window language (default: settings, else the system locale)")
    p.add_argument("--theme", choices=list(THEMES), help="light, dark or auto (follow the system; default: settings)")
    rec = p.add_mutually_exclusive_group()
    rec.add_argument("--recover", dest="recover", action="store_const", const="yes", help="recover unsaved work without asking")
    rec.add_argument("--no-recover", dest="recover", action="store_const", const="no", help="drop unsaved work without asking")
    return p.parse_args(argv)


def build_window(argv: list[str], preload=None):
    """`preload`: a callable(str) told which model is loading; given, the model is loaded first."""
    from gui.main_window import MainWindow

    args = parse_args(argv)
    base = load_settings(args.settings)
    settings = apply_overrides(base, open_qsettings())
    if args.gt_instances is not None:  # this session's folder, like --out: wins over the stored one, is not stored
        cli = {"gui": {"gt_instances": str(args.gt_instances)}}
        base, settings = deep_merge(base, cli), deep_merge(settings, cli)
    gui = settings.setdefault("gui", {})
    out = args.out or resolve_dir(gui.get("out_dir") or "outputs", Path.cwd())
    work = args.work or (resolve_dir(gui["work_dir"], Path.cwd()) if gui.get("work_dir") else out / ".work")
    segmenter = None
    if preload:  # the model loads before the window is interactive (gui/warmup.py: why)
        from gui.warmup import preload_segmenter

        segmenter = preload_segmenter(settings, preload)
    window = MainWindow(settings, Path(out), Path(work), base_settings=base, segmenter=segmenter)
    recover = args.recover or os.environ.get(RECOVER_ENV, "ask")
    return window, args, recover


def apply_look(app: QApplication, argv: list[str]) -> tuple[str, str]:
    """Installs the language and the theme chosen by argv / QSettings / the system; returns both."""
    args = parse_args(argv)
    qs = open_qsettings()
    lang = choose_language(args.lang, qs.value("gui/language"))
    install_language(app, lang)
    theme = apply_theme(app, args.theme or qs.value("gui/theme") or "auto")
    return lang, theme


def run_gui(argv: list[str]) -> int:
    parse_args(argv)  # --help and bad options answer before Qt starts (no display needed for them)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("SAM Sculpt")
    app.setOrganizationName("sam-sculpt")
    apply_look(app, argv)
    splash = QSplashScreen(_splash_pixmap())
    splash.show()

    def say(name: str) -> None:
        splash.showMessage(QCoreApplication.translate("App", "SAM Sculpt: loading the segmenter {0}...").format(name),
                           Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter)
        app.processEvents()

    console_logging()
    early: list[str] = []  # what the engine logs while the model preloads, before the window's log panel exists
    startup_log = LogBridge(until_another=True)
    startup_log.line.connect(early.append, Qt.ConnectionType.DirectConnection)
    startup_log.install()
    try:
        window, args, recover = build_window(argv, preload=say)
    except SculptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        startup_log.remove()
    for line in early:
        window.log_panel.append(line)
    settle_startup_objects()
    window.show()
    splash.finish(window)

    def start() -> None:
        if window.offer_recovery(recover):
            return
        last = window.last_image() if args.folder is None else None
        if last is not None:
            window.open_folder(last[0], args.layout, select=last[1])
        else:
            window.open_folder(args.folder or samples_dir(), args.layout)

    QTimer.singleShot(0, start)
    return app.exec()


def _splash_pixmap() -> QPixmap:
    pix = QPixmap(460, 120)
    pix.fill(QColor(48, 50, 56))
    return pix
