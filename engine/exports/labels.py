"""Label lists for exports. The list itself (labels.txt: one class per line, an optional colour
`#rrggbb` or `r,g,b`) is engine.sculpt.labels.LabelList, shared with the session. Its order is the
class order of every export (COCO category id = position + 1, YOLO class = position, VOC class index
= position + 1 after background); labels used by objects but missing from the list follow in
first-seen order. labelme's `__ignore__` / `_background_` lines are not classes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from engine.sculpt.labels import FILE_NAME as LABELS_FILE
from engine.sculpt.labels import LabelList, parse_labels, read_labels

NOT_CLASSES = {"__ignore__", "_background_", "background"}

__all__ = ["LABELS_FILE", "LabelList", "extend_labels", "find_labels", "parse_labels", "read_labels"]


def extend_labels(base: LabelList | None, used: Iterable[str]) -> LabelList:
    """base's classes (minus background/ignore), then every used label it lacks, first seen first."""
    out = LabelList(source=base.source if base else "")
    for name in base.names if base else []:
        if name not in NOT_CLASSES:
            out.add(name, base.colours.get(name))
    for name in used:
        out.add(name)
    return out


def find_labels(*folders: Path | None) -> LabelList:
    """The first labels.txt found in these folders, else an empty list."""
    for folder in folders:
        if folder is not None and (Path(folder) / LABELS_FILE).is_file():
            return read_labels(Path(folder) / LABELS_FILE)
    return LabelList()
