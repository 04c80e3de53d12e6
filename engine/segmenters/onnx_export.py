"""Export a SAM checkpoint's prompt encoder + mask decoder (and, for `sam-onnx`, the image encoder)
to ONNX, and check the export against torch.

Two decoder layouts:
- the standard one (`models export-onnx`, for `sam-onnx` and other tools): segment_anything's SamOnnxModel
  prompt embedding + MaskDecoder.predict_masks, without its full-size upsampling of every candidate (the
  backends upsample only the chosen mask, by OpenCV): inputs image_embeddings, point_coords, point_labels,
  mask_input, has_mask_input; outputs iou_predictions (1, 4) and low_res_masks (1, 4, 256, 256);
- the `sam` backend's runtime onnx / auto: the same decoder split into a per-image and a per-click graph
  (onnx_split_decoder.py), cached under <cache>/onnx/<weights fingerprint>-v3/ with a JSON record of the
  check against torch."""

from __future__ import annotations

import io
import json
import logging
import shutil
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from segment_anything.modeling import Sam
from segment_anything.utils.onnx import SamOnnxModel

from engine.errors import BackendError
from engine.io.atomic import write_bytes, write_json
from engine.segmenters.onnx_common import (
    AGREEMENT_MIN,
    DECODER_INPUTS,
    DECODER_OUTPUTS,
    DEFAULT_DECODER_THREADS,
    DecoderSession,
    SplitDecoderSession,
    check_prompts,
    choose_onnx_decoder,
    iou_floor,
    mask_iou,
    quantize_int8,
    upsample_logits,
)

log = logging.getLogger("sam_sculpt.onnx")
EXPORT_VERSION = 3  # bump when the exported graph changes: old cache entries are then ignored
OPSET = 17
IMAGE_FILE, PROMPT_FILE, PROMPT_INT8_FILE = "decoder_image.onnx", "decoder_prompt.onnx", "decoder_prompt.int8.onnx"
_MEMORY: dict[str, tuple[tuple[bytes, bytes], ExportRecord]] = {}  # exports made without a disk cache, by fingerprint


class PromptDecoder(SamOnnxModel):
    """SamOnnxModel without the in-graph upsampling: (iou_predictions, low_res_masks) for all 4 masks."""

    def __init__(self, model: Sam) -> None:
        super().__init__(model, return_single_mask=False)

    @torch.no_grad()
    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input):  # type: ignore[override]
        sparse = self._embed_points(point_coords, point_labels)
        dense = self._embed_masks(mask_input, has_mask_input)
        masks, scores = self.model.mask_decoder.predict_masks(
            image_embeddings=image_embeddings, image_pe=self.model.prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense)
        return scores, masks


class ImageEncoder(torch.nn.Module):
    """The image encoder on a normalised, padded (1, 3, S, S) input (samexporter's layout without preprocess)."""

    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.image_encoder = model.image_encoder

    @torch.no_grad()
    def forward(self, input_image):
        return self.image_encoder(input_image)


def _export(module: torch.nn.Module, args: tuple, target: Path | io.BytesIO, names_in: list[str], names_out: list[str],
            dynamic: dict | None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, target, input_names=names_in, output_names=names_out, dynamic_axes=dynamic,
                          opset_version=OPSET, do_constant_folding=True, dynamo=False)


def _device(model: Sam) -> torch.device:
    return next(model.mask_decoder.parameters()).device


def decoder_args(model: Sam) -> tuple[torch.Tensor, ...]:
    c = model.prompt_encoder.embed_dim
    g = model.prompt_encoder.image_embedding_size
    d = _device(model)
    return (torch.randn(1, c, *g, device=d), torch.randint(0, 1024, (1, 3, 2), device=d).float(),
            torch.tensor([[1.0, 2.0, 3.0]], device=d), torch.zeros(1, 1, 256, 256, device=d), torch.tensor([0.0], device=d))


def export_decoder(model: Sam, path: Path | None = None) -> bytes:
    """The decoder ONNX (bytes; also written atomically to `path` when given)."""
    buf = io.BytesIO()
    dynamic = {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}}
    _export(PromptDecoder(model).eval(), decoder_args(model), buf,
            list(DECODER_INPUTS), list(DECODER_OUTPUTS), dynamic)
    data = buf.getvalue()
    if path is not None:
        write_bytes(path, data)
    return data


def export_encoder(model: Sam, path: Path) -> Path:
    """The image encoder ONNX (input_image (1, 3, S, S) normalised + padded -> image_embeddings)."""
    s = model.image_encoder.img_size
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.onnx")
    _export(ImageEncoder(model).eval(), (torch.randn(1, 3, s, s),), tmp, ["input_image"], ["image_embeddings"], None)
    tmp.replace(path)
    return path


def torch_decode(model: Sam, features: torch.Tensor, coords, labels, box, mask_input=None):
    """The reference: the package's own prompt encoder + MaskDecoder.predict_masks, fp32."""
    d = _device(model)
    with torch.inference_mode():
        points = None
        if coords is not None:
            points = (torch.as_tensor(coords, dtype=torch.float32, device=d)[None], torch.as_tensor(labels, device=d)[None])
        boxes = torch.as_tensor(box, dtype=torch.float32, device=d)[None] if box is not None else None
        sparse, dense = model.prompt_encoder(points=points, boxes=boxes, masks=mask_input)
        masks, scores = model.mask_decoder.predict_masks(features.to(d), model.prompt_encoder.get_dense_pe(), sparse, dense)
        return masks[0].float().cpu().numpy(), scores[0].float().cpu().numpy()


def agreement(model: Sam, decoder: DecoderSession | SplitDecoderSession, seed: int = 0) -> float:
    """Minimum IoU (over fixed prompts and all 4 masks, at 1024x768) of the ONNX decoder's masks vs
    torch fp32, on a random embedding of the model's shape; each prompt also with a mask prompt (the torch
    decoder's own single-mask logits for it, as a click after the first sends)."""
    g = torch.Generator().manual_seed(seed)
    c = model.prompt_encoder.embed_dim
    feats = torch.randn(1, c, *model.prompt_encoder.image_embedding_size, generator=g)
    s = model.image_encoder.img_size
    worst = 1.0
    for coords, labels, box in check_prompts(s):
        first, _ = torch_decode(model, feats, coords, labels, box)
        prev = torch.from_numpy(first[0])[None, None]
        for mask in (None, prev):
            ref_low, _ = torch_decode(model, feats, coords, labels, box, mask) if mask is not None else (first, None)
            low, _ = decoder.run(feats.numpy(), coords, labels, box, None if mask is None else mask.numpy(), (768, 1024))
            for k in range(min(len(ref_low), len(low))):
                a = upsample_logits(ref_low[k], (s * 3 // 4, s), (768, 1024), s)
                b = upsample_logits(low[k], (s * 3 // 4, s), (768, 1024), s)
                worst = min(worst, mask_iou(a, b))
    return worst


@dataclass
class ExportRecord:
    version: int
    opset: int
    fingerprint: str
    fp32_iou_min: float
    int8_iou_min: float | None
    export_s: float


def export_split_decoder(model: Sam, folder: Path | None = None) -> tuple[bytes, bytes]:
    """The `sam` runtime's decoder as (image graph, prompt graph) ONNX bytes (onnx_split_decoder); also
    written atomically as <folder>/decoder_image.onnx and decoder_prompt.onnx when a folder is given."""
    from engine.segmenters.onnx_split_decoder import (
        IMAGE_INPUTS,
        IMAGE_OUTPUTS,
        PROMPT_INPUTS,
        ImageSide,
        PromptSide,
    )

    image_mod = ImageSide(model).eval()
    args = decoder_args(model)[:1]  # a random embedding of the model's shape
    side = image_mod(*args)
    img, prompt = io.BytesIO(), io.BytesIO()
    _export(image_mod, args, img, list(IMAGE_INPUTS), list(IMAGE_OUTPUTS), None)
    dynamic = {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}}
    _export(PromptSide(model).eval(), (*side, *decoder_args(model)[1:]), prompt, list(PROMPT_INPUTS),
            list(DECODER_OUTPUTS), dynamic)
    if folder is not None:
        write_bytes(folder / IMAGE_FILE, img.getvalue())
        write_bytes(folder / PROMPT_FILE, prompt.getvalue())
    return img.getvalue(), prompt.getvalue()


def cached_decoder(model: Sam, fingerprint: str, cache_root: Path | None, quantize: str = "none",
                   threads: int | None = None, providers: str = "auto") -> tuple[SplitDecoderSession, ExportRecord]:
    """The decoder session for these weights: from <cache_root>/onnx/<fingerprint>-v3/ when exported
    before, else exported (and checked against torch) now. With cache_root None nothing is written."""
    if quantize not in ("none", "int8"):
        raise BackendError(f"segmenter 'sam': quantize must be none or int8 (got {quantize!r})")
    folder = cache_root / "onnx" / f"{fingerprint}-v{EXPORT_VERSION}" if cache_root is not None else None
    record = _read_record(folder / "export.json") if folder is not None else None
    src = f"decoder export of {fingerprint}"
    t = time.perf_counter()
    if folder is None and quantize == "none" and fingerprint in _MEMORY:  # no disk cache: once per process
        (img, prompt), record = _MEMORY[fingerprint]
        return SplitDecoderSession.open(img, prompt, threads, providers, src), record
    if record is None or folder is None or not all((folder / f).is_file() for f in (IMAGE_FILE, PROMPT_FILE)):
        img, prompt = export_split_decoder(model, folder)
        fp32 = SplitDecoderSession.open(img, prompt, threads, providers, src)
        record = ExportRecord(EXPORT_VERSION, OPSET, fingerprint, agreement(model, fp32), None,
                              round(time.perf_counter() - t, 3))
        log.info("sam: decoder exported to ONNX in %.1fs (mask IoU vs torch >= %s)%s", record.export_s,
                 iou_floor(record.fp32_iou_min), f" -> {folder}" if folder else "")
        if folder is not None:
            write_json(folder / "export.json", asdict(record))
            _prune_older_exports(folder.parent, fingerprint)
        else:
            _MEMORY[fingerprint] = ((img, prompt), record)
    else:
        fp32 = SplitDecoderSession.open(folder / IMAGE_FILE, folder / PROMPT_FILE, threads, providers, src)
    if quantize == "none":
        return fp32, record
    if folder is None:
        raise BackendError("segmenter 'sam': quantize: int8 needs the disk cache (disk_cache: true)")
    q_path = folder / PROMPT_INT8_FILE  # the per-click graph; the image graph runs once per image in fp32
    if not q_path.is_file() or record.int8_iou_min is None:
        quantize_int8(folder / PROMPT_FILE, q_path)
        q = SplitDecoderSession.open(folder / IMAGE_FILE, q_path, threads, providers, src)
        record.int8_iou_min = agreement(model, q)
        write_json(folder / "export.json", asdict(record))
        log.info("sam: int8 decoder: mask IoU vs torch fp32 >= %s (random check embedding)", iou_floor(record.int8_iou_min))
        return q, record
    return SplitDecoderSession.open(folder / IMAGE_FILE, q_path, threads, providers, src), record


def _prune_older_exports(onnx_dir: Path, fingerprint: str) -> None:
    """Removes this fingerprint's exports of other graph versions (<fingerprint>-v<N>/): nothing reads them."""
    for old in onnx_dir.glob(f"{fingerprint}-v*"):
        version = old.name[len(fingerprint) + 2:]
        if old.is_dir() and version.isdigit() and int(version) != EXPORT_VERSION:
            shutil.rmtree(old, ignore_errors=True)
            log.info("sam: removed the older decoder export %s", old)


def _read_record(path: Path) -> ExportRecord | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rec = ExportRecord(**data)
    except (OSError, ValueError, TypeError):
        return None
    return rec if rec.version == EXPORT_VERSION else None


__all__ = ["AGREEMENT_MIN", "ExportRecord", "PromptDecoder", "ImageEncoder", "agreement", "cached_decoder",
           "export_decoder", "export_encoder", "torch_decode"]



def attach_decoder(model: Sam, runtime: str, quantize: str, fingerprint: str, cache_root: Path | None,
                   threads: int | None, providers: str) -> ExportRecord | None:
    """For runtime onnx / auto: the ONNX decoder of these weights attached to the loaded model (as
    model._sculpt_onnx, so an unload frees it with the model); the policy is onnx_common.choose_onnx_decoder
    (an int8 decoder's agreement is reported, not a reason to keep torch)."""
    def build(chosen: str) -> tuple[SplitDecoderSession, ExportRecord]:
        return cached_decoder(model, fingerprint, cache_root, quantize, threads or DEFAULT_DECODER_THREADS, chosen)

    model._sculpt_onnx = None
    dec, record = choose_onnx_decoder("sam", runtime, providers, build,
                                      lambda rec: rec.fp32_iou_min if quantize == "none" else None)
    model._sculpt_onnx = dec
    return record


def onnx_decode(dec: DecoderSession | SplitDecoderSession, features: torch.Tensor, coords, labels, box, mask_input: torch.Tensor | None,
                multimask: bool, original_size: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """One click through the ONNX decoder -> (low-res logits (K, 256, 256), scores (K,)) as CPU tensors."""
    from engine.segmenters.onnx_common import select

    feats = features.detach().float().cpu().numpy()
    prev = mask_input.detach().float().cpu().numpy() if mask_input is not None else None
    low, scores = dec.run(feats, coords, labels, box, prev, original_size, image_key=features)
    low, scores = select(low, scores, multimask, dec.num_masks)
    return torch.from_numpy(low), torch.from_numpy(scores)
