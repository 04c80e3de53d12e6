"""The SAM 2 family's (`sam2`, `edgetam`) prompt encoder + mask decoder as ONNX, run by onnxruntime for
`runtime: onnx | auto`: exported from the user's own weights on first use, checked against torch, cached under
<cache>/onnx/<weights fingerprint>-sam2-v1/ with a JSON record of the check.

Two graphs, one per `multimask_output` (SAM 2's single-mask answer may fall back to the best of the three
candidates by a stability score; the transformers decoder decides that inside its forward, so each graph is that
forward traced as is). Inputs: image_embeddings (1, C, h, w) (the last feature level), feat_s0 (1, c0, 4h, 4w),
feat_s1 (1, c1, 2h, 2w) (the high-resolution levels, already projected), point_coords (1, N, 2) float, point_labels
(1, N) int64 (clicks 1 / 0, box corners 2 / 3, then one padding point -1: exactly the tokens the torch prompt
encoder builds), mask_input (1, 1, 4h, 4w), has_mask_input (1,); outputs iou_predictions (1, K), low_res_masks
(1, K, 4h, 4w)."""

from __future__ import annotations

import copy
import io
import json
import logging
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.io.atomic import write_bytes, write_json
from engine.segmenters.onnx_common import (
    DEFAULT_DECODER_THREADS,
    check_prompts,
    choose_onnx_decoder,
    iou_floor,
    mask_iou,
    ort_session,
    upsample_logits,
)

log = logging.getLogger("sam_sculpt.onnx")
EXPORT_VERSION = 1  # bump when the exported graphs change: old cache entries are then ignored
OPSET = 17
INPUTS = ("image_embeddings", "feat_s0", "feat_s1", "point_coords", "point_labels", "mask_input", "has_mask_input")
OUTPUTS = ("iou_predictions", "low_res_masks")
FILES = {True: "decoder_multi.onnx", False: "decoder_single.onnx"}
_MEMORY: dict[str, tuple[dict[bool, bytes], Sam2ExportRecord]] = {}  # exports made without a disk cache


class Sam2PromptDecoder(torch.nn.Module):
    """The model's own prompt encoder + mask decoder for one image and one prompt, fp32 on the CPU (copies of
    the two small modules, so the loaded model stays where it is)."""

    def __init__(self, model: Any, multimask: bool) -> None:
        super().__init__()
        self.prompt_encoder = copy.deepcopy(model.prompt_encoder).float().cpu().eval()
        self.mask_decoder = copy.deepcopy(model.mask_decoder).float().cpu().eval()
        with torch.no_grad():
            pe = model.get_image_wide_positional_embeddings().float().cpu()
        self.register_buffer("image_pe", pe, persistent=False)
        self.multimask = multimask

    @torch.no_grad()
    def forward(self, image_embeddings, feat_s0, feat_s1, point_coords, point_labels, mask_input, has_mask_input):
        pe = self.prompt_encoder
        sparse = pe._embed_points(point_coords[:, None], point_labels[:, None], pad=False)
        has = has_mask_input.reshape(1, 1, 1, 1)
        no_mask = pe.no_mask_embed.weight.reshape(1, -1, 1, 1).expand(1, -1, *image_embeddings.shape[-2:])
        dense = pe.mask_embed(mask_input) * has + no_mask * (1 - has)
        masks, scores, _, _ = self.mask_decoder(
            image_embeddings=image_embeddings, image_positional_embeddings=self.image_pe,
            sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense, multimask_output=self.multimask,
            high_resolution_features=[feat_s0, feat_s1])
        return scores[:, 0], masks[:, 0]


def prompt_arrays(coords: np.ndarray | None, labels: np.ndarray | None,
                  box: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """point_coords (1, N, 2) float32 and point_labels (1, N) int64: clicks, box corners (2, 3), one pad (-1).
    The transformers prompt encoder pads the clicks when there is no box and the box corners always, so
    either way exactly one padding token ends the sequence."""
    pts, labs = [], []
    if coords is not None and labels is not None and len(coords):
        pts.append(np.asarray(coords, np.float32).reshape(-1, 2))
        labs.append(np.asarray(labels, np.int64).reshape(-1))
    if box is not None:
        pts.append(np.asarray(box, np.float32).reshape(2, 2))
        labs.append(np.array([2, 3], np.int64))
    pts.append(np.zeros((1, 2), np.float32))
    labs.append(np.array([-1], np.int64))
    return np.concatenate(pts)[None], np.concatenate(labs)[None]


def level_shapes(model: Any) -> list[tuple[int, ...]]:
    """Shapes of (image_embeddings, feat_s0, feat_s1) for this model."""
    h, w = model.prompt_encoder.image_embedding_size
    dec = model.mask_decoder
    return [(1, dec.hidden_size, h, w),
            (1, dec.conv_s0.out_channels, 4 * h, 4 * w), (1, dec.conv_s1.out_channels, 2 * h, 2 * w)]


def example_args(model: Any, n_points: int = 3, seed: int = 0) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    levels = [torch.randn(s, generator=g) for s in level_shapes(model)]
    h, w = model.prompt_encoder.mask_input_size
    s = model.prompt_encoder.input_image_size
    coords = torch.rand(1, n_points, 2, generator=g) * s
    labels = torch.tensor([[1] * (n_points - 1) + [-1]], dtype=torch.int64)
    return (*levels, coords, labels, torch.zeros(1, 1, h, w), torch.tensor([0.0]))


def export_decoders(model: Any, folder: Path | None = None) -> dict[bool, bytes]:
    """{multimask: ONNX bytes}; also written atomically into `folder` when given."""
    out: dict[bool, bytes] = {}
    dynamic = {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}}
    for multimask in (True, False):
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Sam2PromptDecoder(model, multimask), example_args(model), buf, input_names=list(INPUTS),
                              output_names=list(OUTPUTS), dynamic_axes=dynamic, opset_version=OPSET,
                              do_constant_folding=True, dynamo=False)
        out[multimask] = buf.getvalue()
        if folder is not None:
            write_bytes(folder / FILES[multimask], out[multimask])
    return out


@dataclass
class Sam2DecoderSession:
    """The two graphs; run() takes the three feature levels as numpy arrays."""

    sessions: dict[bool, Any]

    @classmethod
    def open(cls, graphs: dict[bool, Path | bytes], threads: int | None = None,
             providers: str = "auto") -> Sam2DecoderSession:
        return cls({k: ort_session(v, threads, providers, "segmenter 'sam2' with runtime: onnx") for k, v in graphs.items()})

    def run(self, levels: list[np.ndarray], coords: np.ndarray | None, labels: np.ndarray | None,
            box: np.ndarray | None, mask_input: np.ndarray | None, multimask: bool) -> tuple[np.ndarray, np.ndarray]:
        """-> (low-res logits (K, 4h, 4w), scores (K,)): K = 3 with multimask, else 1."""
        pc, pl = prompt_arrays(coords, labels, box)
        h, w = levels[1].shape[-2:]
        feed = dict(zip(INPUTS[:3], levels, strict=True))
        feed.update(point_coords=pc, point_labels=pl, has_mask_input=np.array([0.0 if mask_input is None else 1.0], np.float32),
                    mask_input=(np.zeros((1, 1, h, w), np.float32) if mask_input is None
                                else np.ascontiguousarray(mask_input, np.float32).reshape(1, 1, h, w)))
        scores, low = self.sessions[multimask].run(list(OUTPUTS), feed)
        return low[0], scores[0]


def torch_reference(model: Any, levels: list[torch.Tensor], coords, labels, box, mask_input, multimask: bool):
    """What HFSamBase._decode gets from torch (fp32, the model's device) -> numpy (K, 4h, 4w), (K,)."""
    d = next(model.mask_decoder.parameters()).device
    dt = next(model.mask_decoder.parameters()).dtype
    kw: dict[str, Any] = {"image_embeddings": [levels[1].to(d, dt), levels[2].to(d, dt), levels[0].to(d, dt)]}
    if coords is not None:
        kw["input_points"] = torch.as_tensor(coords, device=d, dtype=dt)[None, None]
        kw["input_labels"] = torch.as_tensor(labels, device=d)[None, None]
    if box is not None:
        kw["input_boxes"] = torch.as_tensor(box, device=d, dtype=dt)[None, None]
    if mask_input is not None:
        kw["input_masks"] = torch.as_tensor(mask_input, device=d, dtype=dt).reshape(1, 1, *mask_input.shape[-2:])
    with torch.inference_mode():
        out = model(**kw, multimask_output=multimask)
    return out.pred_masks[0, 0].float().cpu().numpy(), out.iou_scores[0, 0].float().cpu().numpy()


def _fp32_reference(model: Any):
    """The torch reference in fp32: the model's own forward, or for a half-precision model the same decoder
    traced for the export, run by torch in fp32 (the ONNX graphs are fp32; a half torch decoder would differ)."""
    if next(model.mask_decoder.parameters()).dtype == torch.float32:
        return lambda levels, coords, labels, box, mask, multimask: torch_reference(
            model, levels, coords, labels, box, mask, multimask)
    mods = {m: Sam2PromptDecoder(model, m) for m in (True, False)}

    def run(levels, coords, labels, box, mask, multimask):
        pc, pl = prompt_arrays(coords, labels, box)
        h, w = levels[1].shape[-2:]
        m = torch.zeros(1, 1, h, w) if mask is None else torch.as_tensor(mask, dtype=torch.float32).reshape(1, 1, h, w)
        scores, low = mods[multimask](*levels, torch.from_numpy(pc), torch.from_numpy(pl), m,
                                      torch.tensor([0.0 if mask is None else 1.0]))
        return low[0].numpy(), scores[0].numpy()
    return run


def agreement(model: Any, dec: Sam2DecoderSession, seed: int = 0) -> tuple[float, float]:
    """(minimum mask IoU, maximum abs logit difference) of the ONNX decoder vs torch fp32 over fixed prompts,
    both multimask settings, each without and with a mask prompt (torch's own previous logits), on random
    levels of the model's shapes; masks compared at 1024x768 through the same upsampling as a click."""
    s = model.prompt_encoder.input_image_size
    levels = list(example_args(model, seed=seed)[:3])
    np_levels = [lv.numpy() for lv in levels]
    reference = _fp32_reference(model)
    worst, diff = 1.0, 0.0
    for coords, labels, box in check_prompts(s):
        first, _ = reference(levels, coords, labels, box, None, False)
        for mask in (None, first[0]):
            for multimask in (True, False):
                ref, ref_scores = reference(levels, coords, labels, box, mask, multimask)
                low, scores = dec.run(np_levels, coords, labels, box, mask, multimask)
                diff = max(diff, float(np.abs(ref - low).max()), float(np.abs(ref_scores - scores).max()))
                for k in range(len(ref)):
                    a = upsample_logits(ref[k], (s * 3 // 4, s), (768, 1024), s)
                    b = upsample_logits(low[k], (s * 3 // 4, s), (768, 1024), s)
                    worst = min(worst, mask_iou(a, b))
    return worst, diff


@dataclass
class Sam2ExportRecord:
    version: int
    opset: int
    fingerprint: str
    iou_min: float
    max_abs_diff: float
    export_s: float


def _read_record(path: Path) -> Sam2ExportRecord | None:
    try:
        rec = Sam2ExportRecord(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return rec if rec.version == EXPORT_VERSION else None


def cached_decoder(model: Any, fingerprint: str, cache_root: Path | None, threads: int | None = None,
                   providers: str = "auto", backend: str = "sam2") -> tuple[Sam2DecoderSession, Sam2ExportRecord]:
    """The decoder for these weights: from <cache_root>/onnx/<fingerprint>-sam2-v1/ when exported before, else
    exported and checked now. Without a cache_root nothing is written (kept in memory for the process)."""
    folder = cache_root / "onnx" / f"{fingerprint}-sam2-v{EXPORT_VERSION}" if cache_root is not None else None
    if folder is None and fingerprint in _MEMORY:
        graphs, record = _MEMORY[fingerprint]
        return Sam2DecoderSession.open(dict(graphs), threads, providers), record
    record = _read_record(folder / "export.json") if folder is not None else None
    if record is not None and folder is not None and all((folder / f).is_file() for f in FILES.values()):
        return Sam2DecoderSession.open({k: folder / f for k, f in FILES.items()}, threads, providers), record
    t = time.perf_counter()
    graphs = export_decoders(model, folder)
    dec = Sam2DecoderSession.open(dict(graphs), threads, providers)
    iou, diff = agreement(model, dec)
    record = Sam2ExportRecord(EXPORT_VERSION, OPSET, fingerprint, round(iou, 6), float(f"{diff:.3g}"),
                              round(time.perf_counter() - t, 3))
    log.info("%s: decoder exported to ONNX in %.1fs (mask IoU vs torch >= %s, max logit diff %.2g)%s",
             backend, record.export_s, iou_floor(iou), diff, f" -> {folder}" if folder else "")
    if folder is not None:
        write_json(folder / "export.json", asdict(record))
    else:
        _MEMORY[fingerprint] = (graphs, record)
    return dec, record


def attach_decoder(model: Any, backend: str, runtime: str, fingerprint: str, cache_root: Path | None,
                   threads: int | None, device: torch.device) -> Sam2ExportRecord | None:
    """For runtime onnx / auto: the ONNX decoder attached to the loaded model as model._sculpt_onnx (an unload
    frees it with the model); the policy is onnx_common.choose_onnx_decoder."""
    def build(chosen: str) -> tuple[Sam2DecoderSession, Sam2ExportRecord]:
        return cached_decoder(model, fingerprint, cache_root, threads or DEFAULT_DECODER_THREADS, chosen, backend)

    model._sculpt_onnx = None
    providers = "cuda" if device.type == "cuda" else "cpu"
    dec, record = choose_onnx_decoder(backend, runtime, providers, build, lambda rec: rec.iou_min)
    model._sculpt_onnx = dec
    return record


def onnx_decode(dec: Sam2DecoderSession, levels: list[np.ndarray], coords, labels, box, mask_input: torch.Tensor | None,
                multimask: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """One click -> (low-res logits (K, 4h, 4w), scores (K,)) as CPU tensors."""
    prev = mask_input.detach().float().cpu().numpy() if mask_input is not None else None
    low, scores = dec.run(levels, coords, labels, box, prev, multimask)
    return torch.from_numpy(low), torch.from_numpy(scores)
