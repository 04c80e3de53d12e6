"""One entry for the window and the CLI.

- no arguments, `gui ...`, or only window options (`--open DIR`, `--out`, `--work`, `--layout`,
  `--recover`/`--no-recover`, `--lang`, `--settings`) -> the annotation window (gui/, PySide6);
- anything else (a command, `--help`, `--version`) -> the CLI (engine/cli/app.py), which never
  imports Qt.

This module sits outside engine/ (which must not import gui/) and imports neither side at load."""

from __future__ import annotations

import sys

GUI_HINT = "the annotation window needs PySide6; install it with: pip install 'sam-sculpt[gui]'"


def wants_window(argv: list[str]) -> bool:
    from engine.cli.app import WINDOW_OPTIONS

    if not argv:
        return True
    first = argv[0]
    if first == "gui":
        return True
    return first.split("=", 1)[0] in WINDOW_OPTIONS


def run_window(argv: list[str]) -> int:
    if argv and argv[0] == "gui":
        argv = argv[1:]
    try:
        import PySide6  # noqa: F401
    except ImportError:
        sys.stderr.write(f"error: {GUI_HINT}\n")
        return 2
    from gui.app import run_gui

    return int(run_gui(argv) or 0)


def main(argv: list[str] | None = None) -> int:
    from engine.process_env import prefer_huge_pages

    prefer_huge_pages()  # before anything imports torch
    argv = list(sys.argv[1:] if argv is None else argv)
    if wants_window(argv):
        return run_window(argv)
    from engine.cli.app import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
