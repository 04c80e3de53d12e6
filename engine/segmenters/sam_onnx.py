"""`sam-onnx`: SAM through ONNX Runtime alone (numpy + onnxruntime + OpenCV/Pillow; no torch), for a
CPU install of a few hundred MB.

Weights: an encoder + decoder ONNX pair, either
  - made by `sam-sculpt models export-onnx CHECKPOINT` (where torch is installed):
    <name>.encoder.onnx (input_image (1, 3, 1024, 1024) normalised + padded -> image_embeddings) and
    <name>.decoder.onnx (SamOnnxModel's prompt decoder, low-res outputs), or
  - the standard SAM ONNX files labelme / AnyLabeling / X-AnyLabeling users have (samexporter's export,
    e.g. sam_vit_b_01ec64.encoder.onnx + sam_vit_b_01ec64.decoder.onnx, also their .quant.onnx): encoder
    input `input_image` of rank 4 (normalised, padded NCHW) or rank 3 (HWC RGB, preprocessing inside), first
    output the (1, 256, 64, 64) embedding; decoder inputs image_embeddings, point_coords, point_labels,
    mask_input, has_mask_input, orig_im_size, outputs masks, iou_predictions, low_res_masks.
Found in the model folders (engine.models.locations): a `*encoder*.onnx` with the `*decoder*.onnx` of the
same name, or set `encoder` / `decoder` explicitly."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from engine.cache.embeddings import Embedding, cache_key, default_cache_dir, image_hash, shared_cache
from engine.errors import BackendError
from engine.models.locations import discover
from engine.models.manager import get_manager
from engine.registry import SEGMENTERS
from engine.segmenters.base import Prediction
from engine.segmenters.onnx_common import (
    DEFAULT_DECODER_THREADS,
    PIXEL_MEAN,
    PIXEL_STD,
    DecoderSession,
    check_prompts,
    file_fingerprint,
    mask_iou,
    ort_session,
    preprocess_shape,
    quantize_int8,
    select,
    upsample_logits,
    use_multimask,
)
from engine.types import Box, Point

log = logging.getLogger("sam_sculpt.sam_onnx")


def find_pair(folder: Path) -> Path | None:
    """An encoder ONNX in `folder` (or one level below) that has a decoder of the same name; plain fp32
    files first, then the largest."""
    if not folder.is_dir():
        return None
    encoders = [p for p in [*folder.glob("*encoder*.onnx"), *folder.glob("*/*encoder*.onnx")] if p.is_file()]
    paired = [p for p in encoders if decoder_for(p) is not None]
    if not paired:
        return None
    return sorted(paired, key=lambda p: ("quant" in p.name or "int8" in p.name, -p.stat().st_size))[0]


def decoder_for(encoder: Path) -> Path | None:
    cand = encoder.with_name(encoder.name.replace("encoder", "decoder"))
    return cand if cand.is_file() and cand != encoder else None


def encoder_input(image: np.ndarray, img_size: int, rank: int) -> tuple[np.ndarray, tuple[int, int]]:
    """SAM's preprocessing in numpy: the long side resized to img_size (Pillow bilinear, as
    ResizeLongestSide), then for a rank-4 encoder normalised and zero-padded to (1, 3, S, S)."""
    h, w = image.shape[:2]
    nh, nw = preprocess_shape(h, w, img_size)
    resized = np.asarray(Image.fromarray(image).resize((nw, nh), Image.Resampling.BILINEAR), np.float32)
    if rank == 3:
        return resized, (nh, nw)
    x = (resized - PIXEL_MEAN) / PIXEL_STD
    out = np.zeros((1, 3, img_size, img_size), np.float32)
    out[0, :, :nh, :nw] = x.transpose(2, 0, 1)
    return out, (nh, nw)


@dataclass
class OnnxSam:
    encoder: Any
    encoder_input: str
    encoder_rank: int
    decoder: DecoderSession
    int8_iou_min: float | None = None


def _random_check(fp32: DecoderSession, other: DecoderSession, channels: int) -> float:
    """Minimum mask IoU of `other` vs the fp32 decoder on fixed prompts and a random embedding."""
    rng = np.random.default_rng(0)
    feats = rng.standard_normal((1, channels, 64, 64)).astype(np.float32)
    worst = 1.0
    for coords, labels, box in check_prompts():
        a, _ = fp32.run(feats, coords, labels, box, None, (768, 1024))
        b, _ = other.run(feats, coords, labels, box, None, (768, 1024))
        for k in range(min(len(a), len(b))):
            worst = min(worst, mask_iou(upsample_logits(a[k], (768, 1024), (768, 1024), 1024),
                                        upsample_logits(b[k], (768, 1024), (768, 1024), 1024)))
    return worst


@SEGMENTERS.register("sam-onnx")
class SamOnnxSegmenter:
    name = "sam-onnx"
    img_size = 1024

    def __init__(self, encoder: str | None = None, decoder: str | None = None, models_dir: str | None = None,
                 threads: int | None = None, decoder_threads: int | None = None, providers: str = "auto",
                 quantize: str = "none", multimask: str = "auto", all_masks: bool = False, cache_memory_mb: float = 512,
                 disk_cache: bool = True, cache_dir: str | None = None, cache_disk_max_mb: float | None = 4096) -> None:
        if multimask not in ("auto", "always", "never") or quantize not in ("none", "int8"):
            raise BackendError(f"segmenter 'sam-onnx': multimask must be auto/always/never and quantize none/int8 "
                               f"(got {multimask!r}, {quantize!r})")
        enc = Path(encoder).expanduser() if encoder else None
        dec = Path(decoder).expanduser() if decoder else None
        if enc is None:
            enc, searched = discover(find_pair, models_dir)
            if enc is None:
                raise BackendError(f"segmenter 'sam-onnx': no encoder/decoder ONNX pair found ({searched}; make one with "
                                   "`sam-sculpt models export-onnx sam_vit_b_01ec64.pth`, or set "
                                   "segmenter.options.sam-onnx.encoder and .decoder)")
        dec = dec or decoder_for(enc)
        for path, what in ((enc, "encoder"), (dec, "decoder")):
            if path is None or not path.is_file():
                raise BackendError(f"{path or enc}: SAM ONNX {what} not found (set segmenter.options.sam-onnx.{what})")
        self.encoder_path, self.decoder_path = enc.resolve(), dec.resolve()  # type: ignore[union-attr]
        self._fingerprint = file_fingerprint(self.encoder_path)
        self.threads, self.decoder_threads, self.providers, self.quantize = threads, decoder_threads, providers, quantize
        self.multimask, self.all_masks = multimask, bool(all_masks)
        disk_dir = (Path(cache_dir).expanduser() if cache_dir else default_cache_dir()) if disk_cache else None
        self.cache = shared_cache(int(cache_memory_mb * 2**20), disk_dir,
                                  int(cache_disk_max_mb * 2**20) if cache_disk_max_mb else None)
        self._emb: Embedding | None = None
        self.last_source: str | None = None
        self.encoder_calls = 0

    # ---- the model ---------------------------------------------------------------------------
    @property
    def model_key(self) -> str:
        return f"sam-onnx:{self.encoder_path}:{self.decoder_path}:{self.quantize}:{self.providers}"

    @property
    def model_id(self) -> str:
        return f"sam-onnx:{self._fingerprint}"

    def _load(self) -> OnnxSam:
        enc = ort_session(self.encoder_path, self.threads, self.providers, "segmenter 'sam-onnx'")
        inp = enc.get_inputs()[0]
        rank = len(inp.shape)
        if rank not in (3, 4):
            raise BackendError(f"{self.encoder_path}: not a SAM image encoder (input {inp.name} has rank {rank})")
        fp32 = DecoderSession.open(self.decoder_path, self.decoder_threads or DEFAULT_DECODER_THREADS, self.providers)
        model = OnnxSam(enc, inp.name, rank, fp32)
        if self.quantize == "int8":
            model.decoder, model.int8_iou_min = self._int8(fp32)
        log.info("sam-onnx: %s + %s (%s)", self.encoder_path.name, self.decoder_path.name,
                 ", ".join(enc.get_providers()))
        return model

    def _int8(self, fp32: DecoderSession) -> tuple[DecoderSession, float]:
        root = self.cache.disk_dir
        if root is None:
            raise BackendError("segmenter 'sam-onnx': quantize: int8 needs the disk cache (disk_cache: true)")
        q = root / "onnx" / f"{file_fingerprint(self.decoder_path)}-int8" / "decoder.int8.onnx"
        if not q.is_file():
            q.parent.mkdir(parents=True, exist_ok=True)
            quantize_int8(self.decoder_path, q)
        dec = DecoderSession.open(q, self.decoder_threads or DEFAULT_DECODER_THREADS, self.providers)
        channels = next(i.shape[1] for i in fp32.session.get_inputs() if i.name == "image_embeddings")
        iou = _random_check(fp32, dec, int(channels) if isinstance(channels, int) else 256)
        log.info("sam-onnx: int8 decoder, mask IoU vs fp32 >= %.4f (random check embedding)", iou)
        return dec, iou

    def model(self) -> OnnxSam:
        mgr = get_manager()
        size = self.encoder_path.stat().st_size + self.decoder_path.stat().st_size
        mgr.register(self.model_key, self._load, size, "cpu")
        return mgr.get(self.model_key)

    def unload(self, reason: str = "asked") -> bool:
        return get_manager().unload(self.model_key, reason)

    # ---- embeddings --------------------------------------------------------------------------
    def key_for(self, image: np.ndarray) -> str:
        return cache_key(image_hash(image), self.model_id, self.img_size)

    def is_cached(self, image: np.ndarray) -> bool:
        return self.key_for(image) in self.cache

    def embed(self, image: np.ndarray) -> Embedding:
        emb, self.last_source = self.embed_with_source(image)
        return emb

    def embed_with_source(self, image: np.ndarray) -> tuple[Embedding, str]:
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise BackendError(f"segmenter 'sam-onnx': expected an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}")

        def compute() -> Embedding:
            t = time.perf_counter()
            m = self.model()
            x, input_size = encoder_input(image, self.img_size, m.encoder_rank)
            feats = m.encoder.run(None, {m.encoder_input: x})[0]
            self.encoder_calls += 1
            log.debug("sam-onnx: image encoder %.2fs", time.perf_counter() - t)
            return Embedding(np.ascontiguousarray(feats, np.float32), input_size, tuple(image.shape[:2]))

        return self.cache.get_or_compute(self.key_for(image), compute, lambda e: e)

    def prepare(self, image: np.ndarray) -> None:
        self._emb = self.embed(image)

    # ---- prompts -> masks ----------------------------------------------------------------------
    def predict(self, box: Box | None, points: Sequence[Point], prev_logits: np.ndarray | None = None) -> Prediction:
        emb = self._emb
        if emb is None:
            raise BackendError("segmenter 'sam-onnx': prepare(image) must be called before predict")
        oh, ow = emb.original_size
        ih, iw = emb.input_size
        if box is None and not points:
            return Prediction(np.zeros((1, oh, ow), bool), np.zeros(1, np.float32), None)
        sx, sy = iw / ow, ih / oh
        coords = labels = box_arr = None
        if points:
            coords = np.array([[p.x * sx, p.y * sy] for p in points], np.float32)
            labels = np.array([1 if p.is_positive else 0 for p in points], np.int64)
        if box is not None:
            b = box.clip(ow, oh)
            box_arr = np.array([b.x0 * sx, b.y0 * sy, b.x1 * sx, b.y1 * sy], np.float32)
        multimask = {"always": True, "never": False}.get(self.multimask, use_multimask(box, points))
        dec = self.model().decoder
        low, scores = dec.run(np.asarray(emb.features), coords, labels, box_arr, prev_logits, (oh, ow))
        low, scores = select(low, scores, multimask, dec.num_masks)
        order = [int(np.argmax(scores))] if not self.all_masks else list(range(len(scores)))
        masks = np.stack([upsample_logits(low[i], (ih, iw), (oh, ow), self.img_size) for i in order])
        return Prediction(masks, scores[order].astype(np.float32), low[order].astype(np.float32))

    def info(self) -> dict:
        out = {"name": self.name, "encoder": self.encoder_path.name, "decoder": self.decoder_path.name,
               "model_id": self.model_id, "embedding_source": self.last_source, "multimask": self.multimask,
               "quantize": self.quantize, "runtime": "onnx"}
        if self.quantize == "int8":
            out["int8_iou_min"] = self.model().int8_iou_min
        return out
