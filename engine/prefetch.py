"""Prepare the next image in the background: load it and compute its embedding into the cache
while the annotator (or the batch) works on the current one. The later prepare() of that image is
then a cache hit. Backends without an embedding (grabcut) only get the image loaded.

    pf = Prefetcher(segmenter)
    pf.submit(next_path)                    # GUI: when an image opens, prefetch the one after it
    for path, image in pf.iterate(paths):   # batch / embed: item i+1 is prepared while i is processed
        ...
    pf.shutdown()
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.io.images import load_image

log = logging.getLogger("sam_sculpt.prefetch")


@dataclass
class Prefetched:
    image: np.ndarray
    source: str | None  # memory | disk | computed, or None for a backend without an embedding


class Prefetcher:
    def __init__(self, segmenter: Any, max_workers: int = 1, max_pixels: int | None = None) -> None:
        self.segmenter = segmenter
        self.max_pixels = max_pixels
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="prefetch")
        self._futures: dict[str, Future[Prefetched]] = {}
        self._lock = threading.Lock()

    def _work(self, what: np.ndarray | str | Path) -> Prefetched:
        if isinstance(what, np.ndarray):
            image = what
        else:
            image = load_image(Path(what), self.max_pixels) if self.max_pixels else load_image(Path(what))
        embed = getattr(self.segmenter, "embed_with_source", None)
        if embed is None:
            return Prefetched(image, None)
        _, source = embed(image)
        return Prefetched(image, source)

    def submit(self, what: np.ndarray | str | Path) -> Future[Prefetched]:
        """Start preparing an image (array or path); a path already submitted is not done twice."""
        key = f"array:{id(what)}" if isinstance(what, np.ndarray) else str(Path(what).resolve())
        with self._lock:
            fut = self._futures.get(key)
            if fut is not None and not fut.cancelled():
                return fut
            fut = self._pool.submit(self._work, what)
            self._futures[key] = fut
            if len(self._futures) > 64:  # forget finished ones
                for k in [k for k, f in self._futures.items() if f.done()][:32]:
                    del self._futures[k]
        fut.add_done_callback(_log_failure)
        return fut

    def result(self, path: str | Path, timeout: float | None = None) -> Prefetched | None:
        """The prefetched image for a submitted path (waits for it), or None when it was not submitted or failed."""
        with self._lock:
            fut = self._futures.pop(str(Path(path).resolve()), None)
        if fut is None or fut.cancelled():
            return None
        try:
            return fut.result(timeout)
        except Exception:
            return None

    def cancel_pending(self) -> int:
        """Drop work that has not started (e.g. the annotator jumped elsewhere); returns how many."""
        with self._lock:
            cancelled = sum(1 for f in self._futures.values() if f.cancel())
            self._futures = {k: f for k, f in self._futures.items() if not f.cancelled()}
        return cancelled

    def iterate(self, paths: Iterable[str | Path], lookahead: int = 1) -> Iterator[tuple[Path, Prefetched | Exception]]:
        """(path, prepared image) in order, keeping `lookahead` images in flight ahead of the consumer.
        A failure (bad file, backend error) is yielded as the exception so the caller can report and go on."""
        pending: list[tuple[Path, Future[Prefetched]]] = []
        it = iter(paths)
        exhausted = False
        while True:
            while not exhausted and len(pending) <= lookahead:
                try:
                    p = Path(next(it))
                except StopIteration:
                    exhausted = True
                    break
                pending.append((p, self._pool.submit(self._work, p)))
            if not pending:
                return
            path, fut = pending.pop(0)
            try:
                yield path, fut.result()
            except Exception as exc:
                yield path, exc

    def shutdown(self, wait: bool = True) -> None:
        self.cancel_pending()
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> Prefetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def _log_failure(fut: Future[Prefetched]) -> None:
    if not fut.cancelled() and fut.exception() is not None:
        log.warning("prefetch failed: %s", fut.exception())
