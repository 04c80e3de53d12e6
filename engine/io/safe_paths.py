"""Every output path lies under the folder the user chose. Names that come from the command line or
from data (an image stem, a --name, a --samples entry, a name in sculpt.json) pass through here.

    safe_name(name, what)      the name itself, or InputError when it has a separator, is '', '.',
                               '..', absolute, a drive ('C:'), has control characters or is too long
    sanitise_stem(stem)        a usable output name made from a file's stem ('..' -> '__', 'a/b' -> 'a_b')
    safe_join(root, *parts)    root/parts..., each part a safe name, refused (InputError) unless the
                               result resolves (symlinks too) inside root
    listed_image(path)         the path when it is a regular image file that a dataset layout lists
                               (an image suffix, not hidden, a readable image header), else None: what
                               an export may copy
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.errors import InputError

MAX_NAME = 200
_DRIVE = re.compile(r"^[A-Za-z]:")
_BAD_CHARS = re.compile(r"[/\\\x00-\x1f\x7f]")


def safe_name(name: str, what: str = "name") -> str:
    text = str(name)
    problem = None
    if not text.strip():
        problem = "is empty"
    elif text in (".", "..") or set(text) == {"."}:
        problem = "is only dots"
    elif _BAD_CHARS.search(text):
        problem = "contains a path separator or a control character"
    elif _DRIVE.match(text):
        problem = "starts with a drive letter"
    elif len(text) > MAX_NAME:
        problem = f"is longer than {MAX_NAME} characters"
    if problem:
        raise InputError(f"{what} {text[:80]!r} {problem}: it must be a plain file name, not a path")
    return text


def sanitise_stem(stem: str, fallback: str = "image") -> str:
    """A safe output name for a file's stem; plain stems are returned unchanged."""
    text = _BAD_CHARS.sub("_", str(stem)).strip()
    if not text:
        return fallback
    if set(text) == {"."}:
        text = "_" * len(text)
    if _DRIVE.match(text):
        text = text[0] + "_" + text[2:]
    return text[:MAX_NAME]


def safe_join(root: str | Path, *parts: str, what: str = "name") -> Path:
    root = Path(root)
    for part in parts:
        safe_name(part, what)
    path = root.joinpath(*parts)
    base = root.resolve()
    resolved = path.resolve()
    if resolved != base and base not in resolved.parents:
        raise InputError(f"{path}: resolves outside {root} (a link?); refusing to write there")
    return path


def under(root: str | Path, relative: str | Path, what: str = "path") -> Path:
    """root/relative for a relative path with several parts (each checked like safe_join's)."""
    rel = Path(relative)
    if rel.is_absolute() or _DRIVE.match(str(relative)):
        raise InputError(f"{what} {str(relative)!r} must be relative to {root}")
    return safe_join(root, *rel.parts, what=what)


def listed_image(path: str | Path | None) -> Path | None:
    from engine.io.images import IMAGE_SUFFIXES

    if path is None:
        return None
    p = Path(path)
    try:
        if not p.is_file() or p.suffix.lower() not in IMAGE_SUFFIXES or p.name.startswith("."):
            return None
        from PIL import Image, UnidentifiedImageError

        with Image.open(p) as img:
            img.size  # noqa: B018 - the header only
    except (OSError, ValueError, UnidentifiedImageError):
        return None
    return p
