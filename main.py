"""SAM Sculpt. `python main.py` opens the annotation GUI; `python main.py <command>` runs the CLI.
The same as the installed `sam-sculpt` command (both run sam_sculpt.launcher.main)."""

from __future__ import annotations

from sam_sculpt.launcher import main

if __name__ == "__main__":
    raise SystemExit(main())
