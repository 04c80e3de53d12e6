"""The torch-free plumbing every SAM-family backend shares: the embedding cache built from the backend's
options, the model handle through the ModelManager, embed()/prepare(), and the mapping of a box and points
into the model's resized input. `sam-onnx` uses it where torch cannot be imported; SamBackendBase
(engine.segmenters.sam_common) adds the torch parts on top. Nothing here may import torch."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.cache.embeddings import (
    Embedding,
    EmbeddingCache,
    cache_key,
    default_cache_dir,
    image_hash,
    shared_cache,
)
from engine.errors import BackendError
from engine.models.manager import get_manager
from engine.segmenters.base import Prediction
from engine.segmenters.onnx_common import use_multimask
from engine.types import Box, Point

log = logging.getLogger("sam_sculpt.sam")


def embedding_cache(cache_memory_mb: float, disk_cache: bool, cache_dir: str | None,
                    cache_disk_max_mb: float | None) -> EmbeddingCache:
    """The process-wide embedding cache for a backend's cache options."""
    disk_dir = (Path(cache_dir).expanduser() if cache_dir else default_cache_dir()) if disk_cache else None
    return shared_cache(int(cache_memory_mb * 2**20), disk_dir,
                        int(cache_disk_max_mb * 2**20) if cache_disk_max_mb else None)


@dataclass(frozen=True)
class SamPrompts:
    """A box and points in the model's resized-input coordinates, and whether to ask for three masks."""

    coords: np.ndarray | None  # (N, 2) float32 x, y
    labels: np.ndarray | None  # (N,) int64, 1 positive / 0 negative
    box: np.ndarray | None  # (4,) float32 x0, y0, x1, y1
    multimask: bool


def map_prompts(emb: Embedding, box: Box | None, points: Sequence[Point], multimask: str) -> SamPrompts:
    """Image-space prompts -> the model's input space (the box clipped to the image first); `multimask` is the
    backend option: always | never | auto (engine.segmenters.onnx_common.use_multimask)."""
    oh, ow = emb.original_size
    ih, iw = emb.input_size
    sx, sy = iw / ow, ih / oh
    coords = labels = box_arr = None
    if points:
        coords = np.array([[p.x * sx, p.y * sy] for p in points], np.float32)
        labels = np.array([1 if p.is_positive else 0 for p in points], np.int64)
    if box is not None:
        b = box.clip(ow, oh)
        box_arr = np.array([b.x0 * sx, b.y0 * sy, b.x1 * sx, b.y1 * sy], np.float32)
    chosen = {"always": True, "never": False}.get(multimask, use_multimask(box, points))
    return SamPrompts(coords, labels, box_arr, chosen)


class SamPlumbing:
    """Embedding cache, model handle and prompt flow; subclasses set name, img_size, multimask, call
    _init_embeddings() and implement model_key, model_id, _load, _encode and _predict_prompts."""

    name = "sam-base"
    img_size = 1024
    multimask = "auto"
    _log = log

    def _init_embeddings(self, cache_memory_mb: float, disk_cache: bool, cache_dir: str | None,
                         cache_disk_max_mb: float | None) -> None:
        self.cache = embedding_cache(cache_memory_mb, disk_cache, cache_dir, cache_disk_max_mb)
        self._emb: Embedding | None = None
        self.last_source: str | None = None  # where the last embedding came from: memory | disk | computed
        self.encoder_calls = 0

    # ---- subclass hooks ----------------------------------------------------------------------
    @property
    def model_key(self) -> str:
        raise NotImplementedError

    @property
    def model_id(self) -> str:
        """Identifies the weights and precision for the cache key."""
        raise NotImplementedError

    def _load(self) -> Any:
        raise NotImplementedError

    def _size_estimate(self) -> int:
        return 0

    def _model_device(self) -> str:
        return "cpu"

    def _encode(self, model: Any, image: np.ndarray) -> Embedding:
        raise NotImplementedError

    def _adopt(self, emb: Embedding) -> Embedding:
        """An embedding read from disk in the backend's form (e.g. a tensor on its device)."""
        return emb

    def _predict_prompts(self, emb: Embedding, prompts: SamPrompts, prev_logits: np.ndarray | None) -> Prediction:
        raise NotImplementedError

    # ---- the model ---------------------------------------------------------------------------
    def model(self) -> Any:
        """The loaded model, through the manager (loads on first use and after an unload).
        Never stored on self, so an unload really frees it."""
        mgr = get_manager()
        mgr.register(self.model_key, self._load, self._size_estimate(), self._model_device())
        return mgr.get(self.model_key)

    def unload(self, reason: str = "asked") -> bool:
        return get_manager().unload(self.model_key, reason)

    # ---- embeddings --------------------------------------------------------------------------
    def key_for(self, image: np.ndarray) -> str:
        return cache_key(image_hash(image), self.model_id, self.img_size)

    def is_cached(self, image: np.ndarray) -> bool:
        return self.key_for(image) in self.cache

    def embed(self, image: np.ndarray) -> Embedding:
        """The image's embedding from memory, disk or the encoder (thread-safe; used by prefetch)."""
        emb, self.last_source = self.embed_with_source(image)
        return emb

    def embed_with_source(self, image: np.ndarray) -> tuple[Embedding, str]:
        """(embedding, 'memory' | 'disk' | 'computed')."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise BackendError(f"segmenter '{self.name}': expected an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}")

        def compute() -> Embedding:
            t = time.perf_counter()
            emb = self._encode(self.model(), image)
            self.encoder_calls += 1
            self._log.debug("%s: image encoder %.2fs", self.name, time.perf_counter() - t)
            return emb

        return self.cache.get_or_compute(self.key_for(image), compute, self._adopt)

    def prepare(self, image: np.ndarray) -> None:
        self._emb = self.embed(image)

    # ---- prompts -> masks ----------------------------------------------------------------------
    def predict(self, box: Box | None, points: Sequence[Point], prev_logits: np.ndarray | None = None) -> Prediction:
        emb = self._emb
        if emb is None:
            raise BackendError(f"segmenter '{self.name}': prepare(image) must be called before predict")
        if box is None and not points:
            oh, ow = emb.original_size
            return Prediction(np.zeros((1, oh, ow), bool), np.zeros(1, np.float32), None)
        return self._predict_prompts(emb, map_prompts(emb, box, points, self.multimask), prev_logits)
