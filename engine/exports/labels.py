"""Label lists (labels.txt): one class per line, an optional colour after the name as `#rrggbb` or
`r,g,b`. Blank lines and `# comments` are skipped, and so are labelme's `__ignore__` and
`_background_` lines. The order of the list is the class order of every export (COCO category id =
position + 1, YOLO class = position, VOC class index = position + 1 after background)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import InputError

LABELS_FILE = "labels.txt"
_SKIP = {"__ignore__", "_background_", "background"}
_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")
_RGB = re.compile(r"^(\d{1,3}),(\d{1,3}),(\d{1,3})$")

Colour = tuple[int, int, int]


@dataclass
class LabelList:
    names: list[str] = field(default_factory=list)
    colours: dict[str, Colour] = field(default_factory=dict)

    def with_extra(self, used: list[str]) -> LabelList:
        """This list, then every used label it lacks in first-seen order."""
        names = list(self.names)
        names += [n for n in dict.fromkeys(used) if n not in names]
        return LabelList(names, dict(self.colours))


def _parse_colour(token: str) -> Colour | None:
    if m := _HEX.match(token):
        v = m.group(1)
        return int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)
    if (m := _RGB.match(token)) and all(int(g) <= 255 for g in m.groups()):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return None


def parse_labels(text: str, source: str = LABELS_FILE) -> LabelList:
    out = LabelList()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("# ") or line == "#":
            continue
        parts = line.split()
        colour = _parse_colour(parts[-1]) if len(parts) > 1 else None
        name = " ".join(parts[:-1]) if colour else line
        if name in _SKIP:
            continue
        if name in out.names:
            raise InputError(f"{source}: label {name!r} is listed twice")
        out.names.append(name)
        if colour:
            out.colours[name] = colour
    return out


def read_labels(path: str | Path) -> LabelList:
    path = Path(path)
    try:
        return parse_labels(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise InputError(f"{path}: label list not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def find_labels(*folders: Path | None) -> LabelList:
    """The first labels.txt found in these folders, else an empty list."""
    for folder in folders:
        if folder is not None and (Path(folder) / LABELS_FILE).is_file():
            return read_labels(Path(folder) / LABELS_FILE)
    return LabelList()
