"""The embedding cache. Keys are image content hash + model id + model input size, so a renamed
file still hits and a different checkpoint never does. The memory layer is an LRU bounded by bytes;
the disk layer (optional) holds one .npz per key, written atomically, checked on read: a file that
does not load, or whose stored key or shapes do not match, is deleted and the embedding rebuilt.
Deleting the folder at any time is safe. No torch import here: features may be a torch tensor
(memory) or a numpy array (from disk); the backend moves them to its device."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from platformdirs import user_cache_dir

from engine.io.atomic import atomic_open

log = logging.getLogger("sam_sculpt.cache")
FORMAT_VERSION = 1


@dataclass
class Embedding:
    features: Any  # torch.Tensor (1, C, h, w) on the model's device, or np.ndarray read from disk
    input_size: tuple[int, int]  # (h, w) of the resized image inside the model's square input
    original_size: tuple[int, int]  # (h, w) of the image

    @property
    def nbytes(self) -> int:
        f = self.features
        if hasattr(f, "element_size"):
            return int(f.numel() * f.element_size())
        return int(np.asarray(f).nbytes)

    def features_numpy(self) -> np.ndarray:
        f = self.features
        if hasattr(f, "detach"):
            f = f.detach().float().cpu().numpy()
        return np.ascontiguousarray(f, dtype=np.float32)


def image_hash(image: np.ndarray) -> str:
    """Content hash of the pixels (shape and dtype included)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{image.shape}|{image.dtype}|".encode())
    h.update(np.ascontiguousarray(image).data)
    return h.hexdigest()


def cache_key(img_hash: str, model_id: str, input_size: int) -> str:
    return hashlib.blake2b(f"v{FORMAT_VERSION}|{img_hash}|{model_id}|{input_size}".encode(), digest_size=20).hexdigest()


def default_cache_dir() -> Path:
    return Path(user_cache_dir("sam-sculpt", appauthor=False)) / "embeddings"


class EmbeddingCache:
    def __init__(self, memory_bytes: int = 512 * 2**20, disk_dir: str | Path | None = None,
                 disk_max_bytes: int | None = None) -> None:
        self.memory_bytes = int(memory_bytes)
        self.disk_dir = Path(disk_dir) if disk_dir is not None else None
        self.disk_max_bytes = disk_max_bytes
        self._mem: OrderedDict[str, Embedding] = OrderedDict()  # least recently used first
        self._lock = threading.RLock()
        self._key_locks: dict[str, threading.Lock] = {}
        self.stats = {"memory_hits": 0, "disk_hits": 0, "computed": 0, "corrupt": 0, "evicted": 0}

    # ---- memory layer ----------------------------------------------------------------------
    def memory_used(self) -> int:
        with self._lock:
            return sum(e.nbytes for e in self._mem.values())

    def __contains__(self, key: str) -> bool:
        with self._lock:
            if key in self._mem:
                return True
        path = self.path_for(key)
        return path is not None and path.exists()

    def in_memory(self, key: str) -> bool:
        with self._lock:
            return key in self._mem

    def put_memory(self, key: str, emb: Embedding) -> None:
        with self._lock:
            self._mem[key] = emb
            self._mem.move_to_end(key)
            used = sum(e.nbytes for e in self._mem.values())
            while used > self.memory_bytes and len(self._mem) > 1:
                old_key, old = self._mem.popitem(last=False)
                used -= old.nbytes
                self.stats["evicted"] += 1
                log.debug("embedding %s evicted from memory (%.1f MB over budget)", old_key[:10], used / 2**20)
            if used > self.memory_bytes:  # a single entry larger than the whole budget is not kept
                self._mem.clear()

    def clear_memory(self) -> None:
        with self._lock:
            self._mem.clear()

    # ---- disk layer ------------------------------------------------------------------------
    def path_for(self, key: str) -> Path | None:
        return None if self.disk_dir is None else self.disk_dir / key[:2] / f"{key}.npz"

    def write_disk(self, key: str, emb: Embedding) -> None:
        path = self.path_for(key)
        if path is None:
            return
        try:
            with atomic_open(path, "wb") as f:
                np.savez(f, key=np.array(key), features=emb.features_numpy(),
                         input_size=np.array(emb.input_size, np.int64), original_size=np.array(emb.original_size, np.int64))
        except OSError as exc:  # a full or read-only disk must not stop annotation
            log.warning("embedding cache: could not write %s (%s)", path, exc)
            return
        self._prune_disk()

    def read_disk(self, key: str) -> Embedding | None:
        path = self.path_for(key)
        if path is None or not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                stored_key = str(z["key"])
                features = np.array(z["features"])
                input_size = tuple(int(v) for v in z["input_size"])
                original_size = tuple(int(v) for v in z["original_size"])
            if stored_key != key or features.ndim != 4 or len(input_size) != 2 or len(original_size) != 2:
                raise ValueError("stored key or shapes do not match")
            if not np.isfinite(features).all():
                raise ValueError("non-finite values")
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            self.stats["corrupt"] += 1
            log.warning("embedding cache: ignoring corrupt file %s (%s); it will be rebuilt", path, exc)
            try:
                path.unlink()
            except OSError:
                pass
            return None
        try:
            os.utime(path)  # recency for pruning
        except OSError:
            pass
        return Embedding(features, input_size, original_size)  # type: ignore[arg-type]

    def disk_used(self) -> int:
        if self.disk_dir is None or not self.disk_dir.exists():
            return 0
        return sum(p.stat().st_size for p in self.disk_dir.glob("*/*.npz"))

    def _prune_disk(self) -> None:
        if self.disk_max_bytes is None or self.disk_dir is None:
            return
        files = []
        for p in self.disk_dir.glob("*/*.npz"):
            try:
                st = p.stat()
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, p))
        total = sum(s for _, s, _ in files)
        for _, size, p in sorted(files):  # oldest first
            if total <= self.disk_max_bytes:
                break
            try:
                p.unlink()
                total -= size
            except OSError:
                pass

    # ---- both --------------------------------------------------------------------------------
    def _memory_hit(self, key: str) -> Embedding | None:
        """The in-memory embedding for key, counted as a hit and made most recent (caller holds _lock)."""
        hit = self._mem.get(key)
        if hit is not None:
            self._mem.move_to_end(key)
            self.stats["memory_hits"] += 1
        return hit

    def get_or_compute(self, key: str, compute: Callable[[], Embedding],
                       adopt: Callable[[Embedding], Embedding] | None = None) -> tuple[Embedding, str]:
        """(embedding, source) with source 'memory' | 'disk' | 'computed'. `adopt` turns an embedding
        read from disk into the backend's form (e.g. a tensor on its device). Concurrent calls for one
        key (a prefetch and a prepare) compute it once."""
        with self._lock:
            hit = self._memory_hit(key)
            if hit is not None:
                return hit, "memory"
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                hit = self._memory_hit(key)  # another caller computed it while this one waited for key_lock
                if hit is not None:
                    return hit, "memory"
            emb = self.read_disk(key)
            source = "disk"
            if emb is not None:
                if adopt is not None:
                    emb = adopt(emb)
                self.stats["disk_hits"] += 1
            else:
                emb = compute()
                source = "computed"
                self.stats["computed"] += 1
                self.write_disk(key, emb)
            self.put_memory(key, emb)
        with self._lock:
            self._key_locks.pop(key, None)
        return emb, source


_SHARED: dict[tuple[str | None, int | None], EmbeddingCache] = {}
_SHARED_LOCK = threading.Lock()


def shared_cache(memory_bytes: int, disk_dir: str | Path | None, disk_max_bytes: int | None = None) -> EmbeddingCache:
    """One cache per disk folder in a process, so every backend instance and the prefetcher share it."""
    key = (str(Path(disk_dir).resolve()) if disk_dir is not None else None, disk_max_bytes)
    with _SHARED_LOCK:
        cache = _SHARED.get(key)
        if cache is None:
            cache = _SHARED[key] = EmbeddingCache(memory_bytes, disk_dir, disk_max_bytes)
        else:
            cache.memory_bytes = max(cache.memory_bytes, int(memory_bytes))
        return cache
