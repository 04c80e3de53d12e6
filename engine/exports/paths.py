"""Every file an export writes lies under the export folder the user chose: names taken from data
(image names, labels) may not climb out of it."""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError

try:  # the shared helper, when present
    from engine.io.safe_paths import safe_join as _shared_safe_join  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the checkout
    _shared_safe_join = None


def safe_name(name: str, what: str = "name") -> str:
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise InputError(f"{what} {name!r} cannot be a file name (it contains a path separator or is empty)")
    return name


def under(root: str | Path, *parts: str) -> Path:
    """root/parts..., refused unless it resolves inside root."""
    root = Path(root)
    if _shared_safe_join is not None:
        try:
            return Path(_shared_safe_join(root, *parts))
        except TypeError:  # a different signature: fall back to the local check
            pass
    path = root.joinpath(*parts)
    base = root.resolve()
    resolved = path.resolve()
    if resolved != base and base not in resolved.parents:
        raise InputError(f"{path}: outside the export folder {root}")
    return path


def copy_image(src: Path | None, root: Path, folder: str, name: str) -> Path | None:
    """The original image copied byte for byte to root/folder/NAME.<suffix>; None when it is gone."""
    import shutil

    from engine.io.atomic import atomic_open
    from engine.io.safe_paths import listed_image

    if listed_image(src) is None:  # a regular image file only, never whatever sculpt.json names
        return None
    dst = under(root, folder, f"{safe_name(name, 'image name')}{Path(src).suffix.lower()}")
    with open(src, "rb") as fin, atomic_open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    return dst
