"""What the two SAM backends share: the prompt rules, coordinate mapping into the model's square
input, the cached embedding, the model handle through the ModelManager and the cheap path from
low-res logits to a full-resolution mask.

Click latency: only the chosen mask is upsampled to full size (SamPredictor upsamples all three to
1024x1024 and then to the image size with torch's interpolate, which dominates a CPU click), the
upsampling is done by OpenCV on the CPU, and the decoder runs under torch.inference_mode."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from engine.cache.embeddings import Embedding
from engine.errors import BackendError
from engine.models import locations
from engine.segmenters.base import Prediction
from engine.segmenters.devices import dtype_name, resolve_device, resolve_dtype
from engine.segmenters.onnx_common import file_fingerprint, preprocess_shape, use_multimask  # noqa: F401 (re-exported)
from engine.segmenters.sam_prompts import SamPlumbing, SamPrompts

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


class SamBackendBase(SamPlumbing):
    """Common flow on torch (the torch-free part: engine.segmenters.sam_prompts.SamPlumbing); subclasses
    load the model and run its encoder and decoder."""

    name = "sam-base"
    img_size = 1024

    def __init__(self, device: str = "auto", dtype: str = "auto", cache_memory_mb: float = 512, disk_cache: bool = True,
                 cache_dir: str | None = None, cache_disk_max_mb: float | None = 4096, all_masks: bool = False,
                 multimask: str = "auto", threads: int | None = None, decoder_threads: int | None = None) -> None:
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self._init_embeddings(cache_memory_mb, disk_cache, cache_dir, cache_disk_max_mb)
        self.all_masks = bool(all_masks)
        if multimask not in ("auto", "always", "never"):
            raise BackendError(f"segmenter '{self.name}': multimask must be auto, always or never (got {multimask!r})")
        self.multimask = multimask
        if threads:
            torch.set_num_threads(int(threads))
        # torch threads for a click only: on a busy CPU, 2+ threads make the decoder's many small ops wait on
        # each other (measured 10x slower than 1 thread on the shared 2-core box); the encoder keeps `threads`
        self.decoder_threads = int(decoder_threads) if decoder_threads else None

    # ---- subclass hooks (and SamPlumbing's model_key, model_id, _load, _size_estimate, _encode) ----
    def _decode(self, model: Any, emb: Embedding, coords: np.ndarray | None, labels: np.ndarray | None,
                box: np.ndarray | None, mask_input: torch.Tensor | None, multimask: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (low-res logits (K, 256, 256), scores (K,)) on the model's device."""
        raise NotImplementedError

    # ---- SamPlumbing hooks -------------------------------------------------------------------
    def _model_device(self) -> str:
        return str(self.device)

    def _adopt(self, emb: Embedding) -> Embedding:
        feats = torch.from_numpy(np.asarray(emb.features)).to(self.device)
        return Embedding(feats, tuple(emb.input_size), tuple(emb.original_size))

    # ---- prompts -> masks ----------------------------------------------------------------------
    def _predict_prompts(self, emb: Embedding, prompts: SamPrompts, prev_logits: np.ndarray | None) -> Prediction:
        model = self.model()
        saved_threads = torch.get_num_threads()
        if self.decoder_threads and self.device.type == "cpu":
            torch.set_num_threads(self.decoder_threads)
        try:
            return self._predict(model, emb, prompts.coords, prompts.labels, prompts.box, prev_logits, prompts.multimask)
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
