"""Atomic file writes: write to a temp file in the same folder, fsync, then rename over the target.
A crash at any moment leaves either the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import cv2
import numpy as np

_UMASK = os.umask(0)
os.umask(_UMASK)


class WriteError(OSError):
    """A write that failed (disk full, read-only folder, ...): str() is one line naming the file."""

    def __str__(self) -> str:
        return f"{self.filename}: cannot write ({self.strerror or 'error'})"


def _named(exc: OSError, path: Path) -> WriteError:
    return WriteError(exc.errno, exc.strerror or str(exc), str(path))


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600 files; outputs should look like any other file
    except WriteError:
        raise
    except OSError as exc:
        raise _named(exc, path) from None
    try:
        with os.fdopen(fd, mode, encoding=encoding if "b" not in mode else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise _named(exc, path) from None  # e.g. ENOSPC: one line naming the file, the old file intact
        raise


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_open(path, "wb") as f:
        f.write(data)


def write_text(path: str | Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def write_image(path: str | Path, image: np.ndarray) -> None:
    """PNG/JPEG by suffix; RGB arrays are converted to OpenCV's BGR order here."""
    path = Path(path)
    arr = image
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    if arr.ndim == 3 and arr.shape[2] == 3:
        arr = cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(path.suffix or ".png", arr)
    if not ok:
        raise OSError(f"{path}: could not encode image")
    write_bytes(path, buf.tobytes())


def write_mask(path: str | Path, mask: np.ndarray) -> None:
    """A binary mask as a single-channel 0/255 PNG."""
    write_image(path, mask.astype(bool).astype(np.uint8) * 255)
