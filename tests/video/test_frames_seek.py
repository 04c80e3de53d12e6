"""Backward reads of a video file (engine.video.frames.VideoFileFrames): frames read backwards equal the frames read
forwards (bit-exact, same decoder), and with exact seeking a backward read of N frames costs O(N) grabs/decodes, not
the O(N^2) of re-opening and grabbing from frame 0 for every chunk; a backend that seeks to keyframes only is
detected once per file and falls back to grabbing from frame 0."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from engine.video.frames import VideoFileFrames

CODECS = (("mp4v", ".mp4"), ("MJPG", ".avi"))


class CountingCapture:
    """cv2.VideoCapture that counts the frames it grabs or decodes (every instance adds to `counts`)."""

    def __init__(self, path: str, counts: dict[str, int]) -> None:
        self.cap = cv2.VideoCapture(path)
        self.counts = counts

    def grab(self) -> bool:
        self.counts["frames"] += 1
        return self.cap.grab()

    def read(self):
        self.counts["frames"] += 1
        return self.cap.read()

    def set(self, prop: int, value: float) -> bool:
        self.counts["seeks"] += prop == cv2.CAP_PROP_POS_FRAMES
        return self.cap.set(prop, value)

    def get(self, prop: int) -> float:
        return self.cap.get(prop)

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.cap.isOpened()

    def release(self) -> None:
        self.cap.release()


class KeyframeSeekStub(CountingCapture):
    """A stub faking a backend whose seek lands on the keyframe before the frame (one every `gop`) while reporting
    the asked position, as OpenCV's FFmpeg backend can for some codecs."""

    gop = 8

    def set(self, prop: int, value: float) -> bool:
        if prop != cv2.CAP_PROP_POS_FRAMES:
            return self.cap.set(prop, value)
        self.counts["seeks"] += 1
        self.asked = int(value)
        return self.cap.set(prop, int(value) // self.gop * self.gop)

    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_POS_FRAMES and hasattr(self, "asked"):
            return float(self.asked)
        return self.cap.get(prop)


def _frames(n: int, size: tuple[int, int] = (64, 48)) -> list[np.ndarray]:
    """n distinct frames (a noise texture panned 1 px per frame, never repeating within n < width frames)."""
    w, h = size
    base = np.random.default_rng(1).integers(0, 255, (h, w, 3), np.uint8)
    return [np.roll(base, i, axis=1) for i in range(n)]


def _write(path: Path, fourcc: str, frames: list[np.ndarray]) -> Path:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 10, (w, h))
    if not writer.isOpened():
        pytest.skip(f"OpenCV cannot write {fourcc} here")
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def _open(path: Path, chunk: int, stub: type[CountingCapture] = CountingCapture):
    counts = {"frames": 0, "seeks": 0}
    src = VideoFileFrames(path, chunk=chunk, opener=lambda p: stub(p, counts))
    counts["frames"] = counts["seeks"] = 0  # the frame count at open is not a read
    return src, counts


def _backward(src: VideoFileFrames) -> list[np.ndarray]:
    return [src.read(i).copy() for i in range(len(src) - 1, -1, -1)][::-1]


@pytest.mark.parametrize(("fourcc", "ext"), CODECS)
def test_backward_reads_equal_forward_reads_and_cost_linear(tmp_path, fourcc, ext):
    chunk = 4
    costs = {}
    for n in (30, 60):
        path = _write(tmp_path / f"clip{n}{ext}", fourcc, _frames(n))
        forward, _ = _open(path, chunk)
        expected = [forward.read(i).copy() for i in range(n)]
        src, counts = _open(path, chunk)
        got = _backward(src)
        assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
        assert src.seek_exact is True and len(src._cache) <= chunk
        # frame n-1 from frame 0 once, then every frame decoded once, plus the two frames of the seek check
        assert counts["frames"] <= 2 * n + 2, counts
        costs[n] = counts["frames"]
        src.close()
    assert costs[60] <= 2.2 * costs[30]  # linear: twice the frames, about twice the work (quadratic: four times)


@pytest.mark.parametrize(("fourcc", "ext"), CODECS)
def test_keyframe_only_seeking_falls_back_to_grabbing_from_frame_0(tmp_path, fourcc, ext):
    n, chunk = 40, 4
    path = _write(tmp_path / f"clip{ext}", fourcc, _frames(n))
    forward, _ = _open(path, chunk)
    expected = [forward.read(i).copy() for i in range(n)]
    src, counts = _open(path, chunk, KeyframeSeekStub)
    got = _backward(src)
    assert src.seek_exact is False  # decided once, on the first backward chunk
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
    assert counts["seeks"] == 2  # only the check: every later chunk re-opened and grabbed from frame 0
    assert counts["frames"] > n * n / (2 * chunk)  # the quadratic path, still correct
    # a forward read after the backward ones goes on from the cache / the open capture
    before = counts["frames"]
    assert np.array_equal(src.read(chunk), expected[chunk]) and counts["frames"] - before <= 1
