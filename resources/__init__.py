"""resources/ is installed as the package `sam_sculpt_resources` (data only; see engine/resources.py)."""
