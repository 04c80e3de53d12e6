"""SAM Sculpt's entry point: `sam-sculpt` (console script), `python -m sam_sculpt` and `python main.py`
all run `sam_sculpt.launcher.main`, which opens the window or runs a CLI command."""
