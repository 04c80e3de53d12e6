"""Frame sources: a folder of frames sorted by name (also the DAVIS/MoCA layout `<root>/JPEGImages/[480p/]<seq>/`)
or a video file decoded by OpenCV. Frames are read one at a time on demand (never all decoded at once)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from engine.errors import InputError
from engine.io.images import load_image
from engine.io.safe_paths import sanitise_stem

FRAME_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")


class FrameSource(Protocol):
    name: str  # the sequence name (an output folder name)

    def __len__(self) -> int: ...

    def frame_name(self, index: int) -> str: ...  # the stem of the output PNG for frame `index`

    def read(self, index: int) -> np.ndarray: ...  # RGB uint8 HxWx3

    def describe(self) -> str: ...


def _frames_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FRAME_SUFFIXES
                  and not p.name.startswith("."))


class FolderFrames:
    def __init__(self, folder: Path, max_frames: int | None = None, name: str | None = None) -> None:
        self.folder = folder
        self.paths = _frames_in(folder)
        if not self.paths:
            raise InputError(f"{folder}: no frames (images named so that they sort in order: .jpg/.png/...)")
        if max_frames:
            self.paths = self.paths[:max_frames]
        self.name = sanitise_stem(name or folder.name, "sequence")

    def __len__(self) -> int:
        return len(self.paths)

    def frame_name(self, index: int) -> str:
        return sanitise_stem(self.paths[index].stem, f"{index:05d}")

    def read(self, index: int) -> np.ndarray:
        return load_image(self.paths[index])

    def describe(self) -> str:
        return f"{self.folder} ({len(self)} frames)"


Opener = Callable[[str], Any]  # cv2.VideoCapture, or anything with its grab/read/set/get/release


class VideoFileFrames:
    """A video file read sequentially, with a cache of the last `chunk` frames. A backward read decodes the chunk
    that ends at the asked index: it seeks to the chunk start (CAP_PROP_POS_FRAMES) when seeking was found exact for
    this file, else it re-opens the file and grabs from frame 0 (some codecs and backends seek to a keyframe only).
    Whether seeking is exact is decided once, on the first backward chunk of two frames or more: the frames of that
    chunk decoded from frame 0 are compared with the same frames read after a seek (two neighbours, so a keyframe
    landing cannot pass unnoticed unless every frame is a keyframe, where seeking is exact anyway)."""

    def __init__(self, path: Path, max_frames: int | None = None, chunk: int = 16,
                 opener: Opener = cv2.VideoCapture) -> None:
        self.path = path
        self.chunk = max(1, chunk)
        self._opener = opener
        cap = opener(str(path))
        if not cap.isOpened():
            raise InputError(f"{path}: cannot open the video (unknown format or codec)")
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if count <= 0:  # some containers do not say: count by grabbing (decodes, keeps nothing)
            while cap.grab():
                count += 1
        cap.release()
        if count <= 0:
            raise InputError(f"{path}: the video has no frames")
        self.count = min(count, max_frames) if max_frames else count
        self.name = sanitise_stem(path.stem, "video")
        self._cap: Any = None
        self._pos = 0  # index of the frame the next read() of _cap returns
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self.seek_exact: bool | None = None  # None: not decided yet

    def __len__(self) -> int:
        return self.count

    def frame_name(self, index: int) -> str:
        return f"{index:05d}"

    def _reopen(self, start: int) -> None:
        if self._cap is not None:
            self._cap.release()
        self._cap = self._opener(str(self.path))
        self._pos = 0
        while self._pos < start and self._cap.grab():
            self._pos += 1

    @staticmethod
    def _seek(cap: Any, index: int) -> bool:
        return bool(cap.set(cv2.CAP_PROP_POS_FRAMES, index)) and round(cap.get(cv2.CAP_PROP_POS_FRAMES)) == index

    def _rewind(self, start: int) -> None:
        if start > 0 and self.seek_exact and self._cap is not None and self._seek(self._cap, start):
            self._pos = start
        else:
            self._reopen(start)

    def _check_seek(self, start: int) -> None:
        """Decide seek_exact from the cached frames start, start + 1 (just decoded from frame 0)."""
        if start <= 0 or start + 1 not in self._cache:
            return
        cap = self._opener(str(self.path))
        try:
            exact = True
            for i in (start + 1, start):  # the later one first: a seek backwards within the file, as used
                ok = self._seek(cap, i)
                ok, bgr = cap.read() if ok else (False, None)
                exact = exact and ok and np.array_equal(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), self._cache[i])
        finally:
            cap.release()
        self.seek_exact = exact

    def _next(self) -> np.ndarray:
        assert self._cap is not None
        ok, bgr = self._cap.read()
        if not ok:
            raise InputError(f"{self.path}: could not decode frame {self._pos} (truncated video?)")
        self._pos += 1
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def read(self, index: int) -> np.ndarray:
        if not 0 <= index < self.count:
            raise IndexError(index)
        if index in self._cache:
            return self._cache[index]
        start = -1
        if self._cap is None or index < self._pos:  # backwards (or the first read): the chunk that ends at index
            start = max(0, index - self.chunk + 1)
            self._cache.clear()
            self._rewind(start)
        while self._pos <= index:
            if index - self._pos < self.chunk:
                at = self._pos
                self._cache[at] = self._next()  # _next() advances _pos
                if len(self._cache) > self.chunk:
                    self._cache.popitem(last=False)
            else:
                self._cap.grab()
                self._pos += 1
        if self.seek_exact is None and start > 0:
            self._check_seek(start)
        return self._cache[index]

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def describe(self) -> str:
        return f"{self.path} ({len(self)} frames)"


def find_sequences(root: Path) -> list[Path]:
    """The sequence folders of a DAVIS/MoCA root (JPEGImages/<seq>/ or JPEGImages/480p/<seq>/)."""
    base = root / "JPEGImages"
    if not base.is_dir():
        return []
    seqs = [d for d in sorted(base.iterdir()) if d.is_dir() and _frames_in(d)]
    if not seqs:  # DAVIS: JPEGImages/480p/<seq>/
        seqs = [s for d in sorted(base.iterdir()) if d.is_dir() for s in sorted(d.iterdir()) if s.is_dir() and _frames_in(s)]
    return seqs


def open_frames(path: Path, seq: str | None = None, max_frames: int | None = None) -> FrameSource:
    """A video file, a folder of frames, or a DAVIS/MoCA root (with `seq` when it holds several sequences)."""
    if path.is_file():
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            raise InputError(f"{path}: not a video file ({', '.join(VIDEO_SUFFIXES)}) nor a folder of frames")
        return VideoFileFrames(path, max_frames)
    if not path.is_dir():
        raise InputError(f"{path}: no such folder or video file")
    seqs = find_sequences(path)
    if seqs:
        if seq is None and len(seqs) == 1:
            return FolderFrames(seqs[0], max_frames)
        wanted = [s for s in seqs if s.name == seq]
        if not wanted:
            names = ", ".join(s.name for s in seqs[:8]) + (" ..." if len(seqs) > 8 else "")
            raise InputError(f"{path}: {len(seqs)} sequences under JPEGImages/; pick one with --seq ({names})"
                             if seq is None else f"{path}: no sequence {seq!r} under JPEGImages/ ({names})")
        return FolderFrames(wanted[0], max_frames)
    return FolderFrames(path, max_frames)
