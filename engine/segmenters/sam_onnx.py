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
same name, or set `encoder` / `decoder` explicitly. When our export's split decoder sits beside the decoder
(<name>.decoder_image.onnx + <name>.decoder_prompt.onnx, see onnx_split_decoder.py) the clicks use it: the
same masks, less work per click (not with quantize: int8, which quantises the one-graph decoder)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from engine.cache.embeddings import Embedding
from engine.errors import BackendError
from engine.models.locations import discover
from engine.registry import SEGMENTERS
from engine.segmenters.base import Prediction
from engine.segmenters.onnx_common import (
    DEFAULT_DECODER_THREADS,
    PIXEL_MEAN,
    PIXEL_STD,
    DecoderSession,
    SplitDecoderSession,
    check_prompts,
    file_fingerprint,
    mask_iou,
    ort_session,
    preprocess_shape,
    quantize_int8,
    select,
    upsample_logits,
)
from engine.segmenters.sam_prompts import SamPlumbing, SamPrompts

log = logging.getLogger("sam_sculpt.sam_onnx")
SPLIT_EXPORT_VERSION = 3  # onnx_export.EXPORT_VERSION (that module imports torch); a test keeps them equal


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


def split_files(decoder: Path) -> tuple[Path, Path]:
    """Where our export puts the split decoder of <name>.decoder.onnx."""
    stem = decoder.name[: -len(".decoder.onnx")] if decoder.name.endswith(".decoder.onnx") else decoder.stem
    return decoder.with_name(f"{stem}.decoder_image.onnx"), decoder.with_name(f"{stem}.decoder_prompt.onnx")


def split_record(decoder: Path) -> Path:
    """The export's note tying the split decoder to this decoder file (its fingerprint)."""
    return split_files(decoder)[0].with_name(decoder.name.replace(".onnx", "_split.json"))


def split_for(decoder: Path) -> tuple[Path, Path] | None:
    """Our export's split decoder beside a <name>.decoder.onnx, when its record names this very decoder file
    (a decoder replaced later, by another export or another tool's file, no longer uses it)."""
    if not decoder.name.endswith(".decoder.onnx"):
        return None
    pair = split_files(decoder)
    try:
        record = json.loads(split_record(decoder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not all(p.is_file() for p in pair) or not isinstance(record, dict):
        return None
    if record.get("export_version") != SPLIT_EXPORT_VERSION:  # an older split graph: other inputs
        log.info("sam-onnx: %s is from another export version: not used (run models export-onnx again)", pair[1].name)
        return None
    if record.get("decoder_fingerprint") != file_fingerprint(decoder):
        log.info("sam-onnx: %s was made for another %s: not used", pair[1].name, decoder.name)
        return None
    return pair


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
    decoder: DecoderSession | SplitDecoderSession
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
class SamOnnxSegmenter(SamPlumbing):
    name = "sam-onnx"
    img_size = 1024
    _log = log

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
        self._init_embeddings(cache_memory_mb, disk_cache, cache_dir, cache_disk_max_mb)

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
        threads = self.decoder_threads or DEFAULT_DECODER_THREADS
        split = split_for(self.decoder_path)
        if split is not None and self.quantize == "none":
            model = OnnxSam(enc, inp.name, rank, SplitDecoderSession.open(*split, threads, self.providers, str(split[1])))
        else:
            fp32 = DecoderSession.open(self.decoder_path, threads, self.providers)
            model = OnnxSam(enc, inp.name, rank, fp32)
            if self.quantize == "int8":
                model.decoder, model.int8_iou_min = self._int8(fp32)
        log.info("sam-onnx: %s + %s%s (%s)", self.encoder_path.name, self.decoder_path.name,
                 " (split)" if isinstance(model.decoder, SplitDecoderSession) else "", ", ".join(enc.get_providers()))
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

    def _size_estimate(self) -> int:
        return self.encoder_path.stat().st_size + self.decoder_path.stat().st_size

    def _encode(self, model: OnnxSam, image: np.ndarray) -> Embedding:
        x, input_size = encoder_input(image, self.img_size, model.encoder_rank)
        feats = model.encoder.run(None, {model.encoder_input: x})[0]
        return Embedding(np.ascontiguousarray(feats, np.float32), input_size, tuple(image.shape[:2]))

    # ---- prompts -> masks ----------------------------------------------------------------------
    def _predict_prompts(self, emb: Embedding, prompts: SamPrompts, prev_logits: np.ndarray | None) -> Prediction:
        dec = self.model().decoder
        (oh, ow), (ih, iw) = emb.original_size, emb.input_size
        low, scores = dec.run(np.asarray(emb.features), prompts.coords, prompts.labels, prompts.box, prev_logits, (oh, ow),
                              image_key=emb.features)  # a split decoder runs its image graph once per embedding
        low, scores = select(low, scores, prompts.multimask, dec.num_masks)
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
