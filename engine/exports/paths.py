"""Every file an export writes lies under the export folder the user chose (engine.io.safe_paths):
names taken from data (image names, labels) may not climb out of it, and only a regular image file
that a dataset layout would list is copied (an image path recorded in sculpt.json is data too)."""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.io.atomic import atomic_open
from engine.io.safe_paths import listed_image, safe_join, safe_name

__all__ = ["copy_image", "safe_name", "under"]


def under(root: str | Path, *parts: str) -> Path:
    """root/parts..., each part a plain file name, refused unless it resolves inside root."""
    return safe_join(root, *parts, what="export file name")


def copy_image(src: Path | None, root: Path, folder: str, name: str) -> Path | None:
    """The original image copied byte for byte to root/folder/NAME.<suffix>; None when it is gone
    or is not an image file."""
    image = listed_image(src)
    if image is None:
        return None
    dst = under(root, folder, f"{safe_name(name, 'image name')}{image.suffix.lower()}")
    with open(image, "rb") as fin, atomic_open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    return dst
