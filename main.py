"""SAM Sculpt. `python main.py` opens the annotation GUI; `python main.py <command>` runs the CLI."""

from __future__ import annotations

import sys


def main() -> int:
    argv = sys.argv[1:]
    if not argv or argv[0] in ("--open", "gui"):
        from gui.app import run_gui  # PySide6 is imported only for the GUI

        if argv and argv[0] == "gui":
            argv = argv[1:]
        return run_gui(argv)
    from engine.cli.app import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
