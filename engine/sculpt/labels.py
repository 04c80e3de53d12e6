"""The label list: classes an annotator picks from. labels.txt holds one class per line with an optional
colour: `crab`, `crab #ff8800` or `crab 255,136,0`; blank lines and lines starting with # are skipped.
Found in the dataset folder (labels.txt beside images/ or Imgs/), or named by settings `labels.file`,
or given as settings `labels.names`. Objects with a label not in the list get a stable colour too."""

from __future__ import annotations

import colorsys
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import InputError

RGB = tuple[int, int, int]
FILE_NAME = "labels.txt"


@dataclass
class LabelList:
    names: list[str] = field(default_factory=list)
    colours: dict[str, RGB] = field(default_factory=dict)
    source: str = ""

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def add(self, name: str, colour: RGB | None = None) -> None:
        if name not in self.names:
            self.names.append(name)
        if colour is not None:
            self.colours[name] = colour

    def colour(self, name: str) -> RGB:
        if name in self.colours:
            return self.colours[name]
        if name in self.names:
            return palette_colour(self.names.index(name))
        h = int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:8], 16)
        return palette_colour(h % 997 + len(self.names))

    def class_id(self, name: str) -> int:
        """0-based index in the list (unknown names are appended)."""
        self.add(name)
        return self.names.index(name)

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "colours": {k: list(v) for k, v in self.colours.items()}, "source": self.source}


def palette_colour(i: int) -> RGB:
    """Well separated colours: golden-ratio hue steps."""
    h = (i * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(h, 0.75, 0.95)
    return int(r * 255), int(g * 255), int(b * 255)


_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def _colour(text: str, source: str, lineno: int) -> RGB:
    m = _HEX.match(text)
    if m:
        v = m.group(1)
        return int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)
    parts = text.split(",")
    try:
        if len(parts) == 3:
            vals = tuple(int(p) for p in parts)
            if all(0 <= v <= 255 for v in vals):
                return vals  # type: ignore[return-value]
    except ValueError:
        pass
    raise InputError(f"{source}: line {lineno}: colour {text!r} is not #rrggbb or r,g,b (0-255)")


def parse_labels(text: str, source: str = FILE_NAME) -> LabelList:
    out = LabelList(source=source)
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.rsplit(None, 1)
        colour = None
        if len(parts) == 2 and (_HEX.match(parts[1]) or parts[1].count(",") == 2):
            colour = _colour(parts[1], source, lineno)
            line = parts[0].strip()
        out.add(line, colour)
    return out


def read_labels(path: str | Path) -> LabelList:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: label file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return parse_labels(text, str(path))


def find_labels(dataset_root: str | Path | None, settings: dict[str, Any] | None = None) -> LabelList:
    """settings labels.file, else <dataset>/labels.txt, else settings labels.names, else empty."""
    cfg = (settings or {}).get("labels") or {}
    if cfg.get("file"):
        return read_labels(cfg["file"])
    if dataset_root is not None:
        for folder in (Path(dataset_root), Path(dataset_root).parent):
            if (folder / FILE_NAME).is_file():
                return read_labels(folder / FILE_NAME)
    out = LabelList(source="settings" if cfg.get("names") else "")
    for name in cfg.get("names") or []:
        out.add(str(name))
    return out
