"""What the two SAM backends share: the prompt rules, coordinate mapping into the model's square
input, the cached embedding, the model handle through the ModelManager and the cheap path from
low-res logits to a full-resolution mask.

Click latency: only the chosen mask is upsampled to full size (SamPredictor upsamples all three to
1024x1024 and then to the image size with torch's interpolate, which dominates a CPU click), the
upsampling is done by OpenCV on the CPU, and the decoder runs under torch.inference_mode."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from engine.cache.embeddings import Embedding, cache_key, default_cache_dir, image_hash, shared_cache
from engine.errors import BackendError
from engine.models import locations
from engine.models.manager import get_manager
from engine.segmenters.base import Prediction
from engine.segmenters.devices import dtype_name, resolve_device, resolve_dtype
from engine.segmenters.onnx_common import file_fingerprint, preprocess_shape, use_multimask  # noqa: F401 (re-exported)
from engine.types import Box, Point

log = logging.getLogger("sam_sculpt.sam")


def upsample_mask(low_res: torch.Tensor, input_size: tuple[int, int], original_size: tuple[int, int],
                  img_size: int) -> np.ndarray:
    """One low-res logit map (h, w) -> bool (H, W) at image size: the same two bilinear steps SAM's
    postprocess takes (to the padded square input, crop, to the image), for one map only. On the CPU
    OpenCV does it (same half-pixel bilinear sampling, ~20x faster than torch's interpolate here)."""
    if low_res.device.type == "cpu":
        x = low_res.float().numpy()
        x = cv2.resize(x, (img_size, img_size), interpolation=cv2.INTER_LINEAR)[: input_size[0], : input_size[1]]
        if tuple(x.shape) != tuple(original_size):
            x = cv2.resize(x, (original_size[1], original_size[0]), interpolation=cv2.INTER_LINEAR)
        return x > 0
    y = low_res[None, None].float()
    y = F.interpolate(y, (img_size, img_size), mode="bilinear", align_corners=False)
    y = y[..., : input_size[0], : input_size[1]]
    y = F.interpolate(y, original_size, mode="bilinear", align_corners=False)
    return (y[0, 0] > 0).cpu().numpy()


def models_dir(option: str | None) -> Path:
    """The folder discovery looks in: the option when given, else the first existing folder of the
    search order (engine.models.locations), else the per-user models folder."""
    if option:
        return Path(option).expanduser()
    return locations.find_models_dir() or locations.user_models_dir()


def discover_weights(finder: Callable[[Path], Path | None], option: str | None) -> tuple[Path | None, str]:
    """engine.models.locations.discover: the `models_dir` option alone when set, else the search order."""
    return locations.discover(finder, option)


class SamBackendBase:
    """Common flow; subclasses load the model and run its encoder and decoder."""

    name = "sam-base"
    img_size = 1024

    def __init__(self, device: str = "auto", dtype: str = "auto", cache_memory_mb: float = 512, disk_cache: bool = True,
                 cache_dir: str | None = None, cache_disk_max_mb: float | None = 4096, all_masks: bool = False,
                 multimask: str = "auto", threads: int | None = None, decoder_threads: int | None = None) -> None:
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        disk_dir = (Path(cache_dir).expanduser() if cache_dir else default_cache_dir()) if disk_cache else None
        self.cache = shared_cache(int(cache_memory_mb * 2**20), disk_dir,
                                  int(cache_disk_max_mb * 2**20) if cache_disk_max_mb else None)
        self.all_masks = bool(all_masks)
        if multimask not in ("auto", "always", "never"):
            raise BackendError(f"segmenter '{self.name}': multimask must be auto, always or never (got {multimask!r})")
        self.multimask = multimask
        if threads:
            torch.set_num_threads(int(threads))
        # torch threads for a click only: on a busy CPU, 2+ threads make the decoder's many small ops wait on
        # each other (measured 10x slower than 1 thread on the shared 2-core box); the encoder keeps `threads`
        self.decoder_threads = int(decoder_threads) if decoder_threads else None
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

    def _encode(self, model: Any, image: np.ndarray) -> Embedding:
        raise NotImplementedError

    def _decode(self, model: Any, emb: Embedding, coords: np.ndarray | None, labels: np.ndarray | None,
                box: np.ndarray | None, mask_input: torch.Tensor | None, multimask: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (low-res logits (K, 256, 256), scores (K,)) on the model's device."""
        raise NotImplementedError

    # ---- the model ---------------------------------------------------------------------------
    def model(self) -> Any:
        """The loaded model, through the manager (loads on first use and after an unload).
        Never stored on self, so an unload really frees it."""
        mgr = get_manager()
        mgr.register(self.model_key, self._load, self._size_estimate(), str(self.device))
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
            log.debug("%s: image encoder %.2fs", self.name, time.perf_counter() - t)
            return emb

        return self.cache.get_or_compute(self.key_for(image), compute, self._adopt)

    def _adopt(self, emb: Embedding) -> Embedding:
        feats = torch.from_numpy(np.asarray(emb.features)).to(self.device)
        return Embedding(feats, tuple(emb.input_size), tuple(emb.original_size))

    def prepare(self, image: np.ndarray) -> None:
        self._emb = self.embed(image)

    # ---- prompts -> masks ----------------------------------------------------------------------
    def predict(self, box: Box | None, points: Sequence[Point], prev_logits: np.ndarray | None = None) -> Prediction:
        emb = self._emb
        if emb is None:
            raise BackendError(f"segmenter '{self.name}': prepare(image) must be called before predict")
        oh, ow = emb.original_size
        ih, iw = emb.input_size
        sx, sy = iw / ow, ih / oh
        if box is None and not points:
            empty = np.zeros((1, oh, ow), bool)
            return Prediction(empty, np.zeros(1, np.float32), None)
        coords = labels = box_arr = None
        if points:
            coords = np.array([[p.x * sx, p.y * sy] for p in points], np.float32)
            labels = np.array([1 if p.is_positive else 0 for p in points], np.int64)
        if box is not None:
            b = box.clip(ow, oh)
            box_arr = np.array([b.x0 * sx, b.y0 * sy, b.x1 * sx, b.y1 * sy], np.float32)
        multimask = {"always": True, "never": False}.get(self.multimask, use_multimask(box, points))
        model = self.model()
        saved_threads = torch.get_num_threads()
        if self.decoder_threads and self.device.type == "cpu":
            torch.set_num_threads(self.decoder_threads)
        try:
            return self._predict(model, emb, coords, labels, box_arr, prev_logits, multimask)
        finally:
            if torch.get_num_threads() != saved_threads:
                torch.set_num_threads(saved_threads)

    def _predict(self, model: Any, emb: Embedding, coords: np.ndarray | None, labels: np.ndarray | None,
                 box_arr: np.ndarray | None, prev_logits: np.ndarray | None, multimask: bool) -> Prediction:
        with torch.inference_mode():
            mask_input = None
            if prev_logits is not None:
                mask_input = torch.as_tensor(np.asarray(prev_logits, np.float32), device=self.device)[None, None]
            low_res, scores = self._decode(model, emb, coords, labels, box_arr, mask_input, multimask)
            order = [int(torch.argmax(scores))] if not self.all_masks else list(range(len(scores)))
            masks = np.stack([upsample_mask(low_res[i], emb.input_size, emb.original_size, self.img_size) for i in order])
            return Prediction(masks, scores[order].float().cpu().numpy(), low_res[order].float().cpu().numpy())

    def mask_prompt(self, mask: np.ndarray) -> np.ndarray | None:
        """A full-resolution mask (e.g. after a brush stroke) as this model's low-res mask prompt, the form
        predict() takes as prev_logits: the inverse of upsample_mask (to the input size, padded square,
        down to img_size/4), logits +-8. None before prepare() or for a mask of another size."""
        emb = self._emb
        if emb is None or tuple(mask.shape) != tuple(emb.original_size):
            return None
        ih, iw = emb.input_size
        x = cv2.resize(mask.astype(np.float32), (iw, ih), interpolation=cv2.INTER_LINEAR)
        padded = np.zeros((self.img_size, self.img_size), np.float32)
        padded[:ih, :iw] = x
        side = self.img_size // 4
        low = cv2.resize(padded, (side, side), interpolation=cv2.INTER_AREA)
        return ((low - 0.5) * 16.0).astype(np.float32)

    def info(self) -> dict:
        return {"name": self.name, "device": str(self.device), "dtype": dtype_name(self.dtype), "model_id": self.model_id,
                "embedding_source": self.last_source, "multimask": self.multimask}
