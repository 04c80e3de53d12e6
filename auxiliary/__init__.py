"""auxiliary/ (the bundled samples) is installed as the package `sam_sculpt_samples` (data only; see engine/resources.py)."""
