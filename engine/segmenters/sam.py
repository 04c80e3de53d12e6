"""`sam`: Meta's segment_anything package. The architecture is read from the checkpoint's own
tensor shapes (patch-embed width, number of blocks, which blocks attend globally, ...), never from
the file name, and built from the package's classes; vit_b / vit_l / vit_h are named when the
shapes match them, anything else (e.g. a tiny test model) loads as 'custom' through the same path."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer
from segment_anything.utils.transforms import ResizeLongestSide

from engine.cache.embeddings import Embedding
from engine.errors import BackendError
from engine.registry import SEGMENTERS
from engine.segmenters.devices import dtype_name, module_bytes
from engine.segmenters.onnx_common import RUNTIMES
from engine.segmenters.sam_common import SamBackendBase, discover_weights, file_fingerprint, models_dir

log = logging.getLogger("sam_sculpt.sam")

PATCH_KEY = "image_encoder.patch_embed.proj.weight"
KNOWN_VARIANTS = {  # embed_dim, depth, global attention blocks (segment_anything/build_sam.py)
    "vit_b": (768, 12, (2, 5, 8, 11)),
    "vit_l": (1024, 24, (5, 11, 17, 23)),
    "vit_h": (1280, 32, (7, 15, 23, 31)),
}
OFFICIAL_NAMES = ("sam_vit_h_4b8939.pth", "sam_vit_l_0b3195.pth", "sam_vit_b_01ec64.pth")
_BLOCK = re.compile(r"^image_encoder\.blocks\.(\d+)\.")
_DEC_LAYER = re.compile(r"^mask_decoder\.transformer\.layers\.(\d+)\.")
_IOU_LAYER = re.compile(r"^mask_decoder\.iou_prediction_head\.layers\.(\d+)\.weight$")


@dataclass(frozen=True)
class SamArch:
    variant: str
    embed_dim: int
    depth: int
    num_heads: int
    global_attn_indexes: tuple[int, ...]
    window_size: int
    img_size: int
    patch_size: int
    out_chans: int
    use_rel_pos: bool
    prompt_dim: int
    mask_in_chans: int
    decoder_depth: int
    decoder_mlp_dim: int
    decoder_heads: int
    num_multimask_outputs: int
    iou_head_depth: int
    iou_head_hidden_dim: int
    mlp_ratio: float = 4.0


def _shape(shapes: Mapping[str, Any], key: str, source: str) -> tuple[int, ...]:
    if key not in shapes:
        raise BackendError(f"{source}: not a SAM checkpoint (no tensor {key})")
    v = shapes[key]
    return tuple(int(s) for s in (v.shape if hasattr(v, "shape") else v))


def detect_arch(state: Mapping[str, Any], source: str = "checkpoint") -> SamArch:
    """The architecture from a state dict's shapes (values may be tensors, meta tensors or shapes)."""
    embed_dim, _, patch, _ = _shape(state, PATCH_KEY, source)
    blocks = sorted({int(m.group(1)) for k in state if (m := _BLOCK.match(k))})
    if not blocks:
        raise BackendError(f"{source}: not a SAM checkpoint (no image_encoder.blocks.*)")
    depth = blocks[-1] + 1
    grid = _shape(state, "image_encoder.pos_embed", source)[1]
    use_rel_pos = "image_encoder.blocks.0.attn.rel_pos_h" in state
    global_idx: tuple[int, ...] = ()
    window = 14
    if use_rel_pos:
        sizes = [_shape(state, f"image_encoder.blocks.{i}.attn.rel_pos_h", source) for i in range(depth)]
        global_idx = tuple(i for i, s in enumerate(sizes) if s[0] == 2 * grid - 1)
        local = [s[0] for i, s in enumerate(sizes) if i not in global_idx]
        window = (local[0] + 1) // 2 if local else 0
        num_heads = embed_dim // sizes[0][1]
    else:  # head count leaves no trace without relative positions: SAM's own, else 64-wide heads
        num_heads = {768: 12, 1024: 16, 1280: 16}.get(embed_dim, max(1, embed_dim // 64))
    mlp_ratio = _shape(state, "image_encoder.blocks.0.mlp.lin1.weight", source)[0] / embed_dim
    out_chans = _shape(state, "image_encoder.neck.0.weight", source)[0]
    prompt_dim = _shape(state, "prompt_encoder.point_embeddings.0.weight", source)[1]
    mask_in_chans = _shape(state, "prompt_encoder.mask_downscaling.3.weight", source)[0]
    dec_layers = {int(m.group(1)) for k in state if (m := _DEC_LAYER.match(k))}
    dim = _shape(state, "mask_decoder.iou_token.weight", source)[1]
    mlp_dim = _shape(state, "mask_decoder.transformer.layers.0.mlp.lin1.weight", source)[0]
    iou_layers = sorted({int(m.group(1)) for k in state if (m := _IOU_LAYER.match(k))})
    iou_hidden = _shape(state, "mask_decoder.iou_prediction_head.layers.0.weight", source)[0]
    n_tokens = _shape(state, "mask_decoder.mask_tokens.weight", source)[0]
    # decoder heads leave no trace in the shapes: SAM uses 8; a small custom model takes what divides
    heads = next(h for h in (8, 4, 2, 1) if dim % h == 0 and (dim // 2) % h == 0)
    variant = "custom"
    for name, (e, d, g) in KNOWN_VARIANTS.items():
        if (embed_dim, depth, global_idx if use_rel_pos else g) == (e, d, g) and dim == 256 and grid * patch == 1024:
            variant = name
    return SamArch(variant, embed_dim, depth, num_heads, global_idx, window, grid * patch, patch, out_chans, use_rel_pos,
                   prompt_dim, mask_in_chans, len(dec_layers), mlp_dim, heads, n_tokens - 1, len(iou_layers), iou_hidden,
                   mlp_ratio)


def build_sam(arch: SamArch) -> Sam:
    grid = arch.img_size // arch.patch_size
    sam = Sam(
        image_encoder=ImageEncoderViT(
            img_size=arch.img_size, patch_size=arch.patch_size, embed_dim=arch.embed_dim, depth=arch.depth,
            num_heads=arch.num_heads, mlp_ratio=arch.mlp_ratio, out_chans=arch.out_chans, qkv_bias=True,
            norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), use_rel_pos=arch.use_rel_pos,
            window_size=arch.window_size, global_attn_indexes=arch.global_attn_indexes),
        prompt_encoder=PromptEncoder(embed_dim=arch.prompt_dim, image_embedding_size=(grid, grid),
                                     input_image_size=(arch.img_size, arch.img_size), mask_in_chans=arch.mask_in_chans),
        mask_decoder=MaskDecoder(
            num_multimask_outputs=arch.num_multimask_outputs,
            transformer=TwoWayTransformer(depth=arch.decoder_depth, embedding_dim=arch.prompt_dim,
                                          mlp_dim=arch.decoder_mlp_dim, num_heads=arch.decoder_heads),
            transformer_dim=arch.prompt_dim, iou_head_depth=arch.iou_head_depth, iou_head_hidden_dim=arch.iou_head_hidden_dim),
        pixel_mean=[123.675, 116.28, 103.53],
        pixel_std=[58.395, 57.12, 57.375],
    )
    return sam.eval()


def dense_pe(model: Sam) -> torch.Tensor:
    """The prompt encoder's positional encoding of the embedding grid: constant per model, so it is
    computed once (SamPredictor recomputes it every click), stored channels-last (see predict_masks)."""
    pe = getattr(model, "_sculpt_dense_pe", None)
    if pe is None:
        with torch.inference_mode():
            pe = model.prompt_encoder.get_dense_pe().contiguous(memory_format=torch.channels_last)
        model._sculpt_dense_pe = pe
    return pe


def predict_masks(model: Sam, features: torch.Tensor, sparse: torch.Tensor, dense: torch.Tensor):
    """MaskDecoder.predict_masks for one image and one prompt, composed from the decoder's own parts.
    The same math; the image side is handed to the transformer channels-last, so its (HW, C) token view
    is contiguous and the linear layers do not copy it first, and nothing is repeated per batch.
    -> (all mask logits (K+1, 256, 256), scores (K+1,)); index 0 is the single-mask output."""
    dec = model.mask_decoder
    tokens = torch.cat([dec.iou_token.weight, dec.mask_tokens.weight], dim=0)[None]
    tokens = torch.cat((tokens.expand(sparse.shape[0], -1, -1), sparse), dim=1)
    src = (features + dense).contiguous(memory_format=torch.channels_last)
    b, c, h, w = src.shape
    hs, src = dec.transformer(src, dense_pe(model), tokens)
    upscaled = dec.output_upscaling(src.transpose(1, 2).reshape(b, c, h, w))
    hyper = torch.stack([mlp(hs[:, 1 + i, :]) for i, mlp in enumerate(dec.output_hypernetworks_mlps)], dim=1)
    b, c, h, w = upscaled.shape
    masks = (hyper @ upscaled.reshape(b, c, h * w)).view(b, -1, h, w)
    scores = dec.iou_prediction_head(hs[:, 0, :])
    return masks[0], scores[0]


def read_checkpoint(path: Path) -> dict[str, torch.Tensor]:
    """The state dict of a checkpoint file; any failure is one line naming the file."""
    if not path.is_file():
        raise BackendError(f"{path}: SAM checkpoint not found")
    with open(path, "rb") as f:
        magic = f.read(4)
    if not (magic.startswith(b"PK") or magic[:1] == b"\x80"):  # zip (torch.save) or a legacy pickle
        raise BackendError(f"{path}: not a PyTorch checkpoint (unrecognised file format)")
    try:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as exc:
            if "mmap" not in str(exc):
                raise
            state = torch.load(path, map_location="cpu", weights_only=True)  # legacy (non-zip) format
    except Exception as exc:  # torch raises many types for a bad file
        text = " ".join(str(exc).split())
        if "Weights only load failed" in text:
            text = "it holds objects other than tensors and weights_only loading refuses them"
        raise BackendError(f"{path}: not a readable PyTorch checkpoint ({text[:160] or type(exc).__name__})") from None
    if isinstance(state, dict) and PATCH_KEY not in state:
        for wrapper in ("model", "state_dict"):
            if isinstance(state.get(wrapper), dict):
                state = state[wrapper]
                break
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise BackendError(f"{path}: not a SAM checkpoint (expected a state dict of tensors)")
    return state


def discover_checkpoint(folder: Path) -> Path | None:
    """A .pth under `folder` (two levels): an official name first (largest model first), else the largest file."""
    if not folder.is_dir():
        return None
    found = [p for p in list(folder.glob("*.pth")) + list(folder.glob("*/*.pth")) if p.is_file()]
    if not found:
        return None
    for name in OFFICIAL_NAMES:
        for p in found:
            if p.name == name:
                return p
    return max(found, key=lambda p: p.stat().st_size)


@SEGMENTERS.register("sam")
class SamSegmenter(SamBackendBase):
    name = "sam"

    def __init__(self, checkpoint: str | None = None, models_dir: str | None = None, runtime: str = "auto",
                 quantize: str = "none", **options: Any) -> None:
        super().__init__(**options)
        if runtime not in RUNTIMES or quantize not in ("none", "int8"):
            raise BackendError(f"segmenter 'sam': runtime must be torch, onnx or auto and quantize none or int8 "
                               f"(got {runtime!r}, {quantize!r})")
        self.runtime, self.quantize = runtime, quantize
        self.onnx_record: Any = None  # onnx_export.ExportRecord once the ONNX decoder is attached
        if checkpoint:
            path = Path(checkpoint).expanduser()
        else:
            found, searched = discover_weights(discover_checkpoint, models_dir)
            if found is None:
                raise BackendError(f"segmenter 'sam': no checkpoint given and no .pth found ({searched}; put "
                                   "sam_vit_b_01ec64.pth in one of them, or set segmenter.options.sam.checkpoint; "
                                   "or download one: sam-sculpt models download sam)")
            path = found
            log.info("sam: using checkpoint %s (found in %s)", path.name, path.parent)
        if not path.is_file():
            raise BackendError(f"{path}: SAM checkpoint not found")
        self.checkpoint = path.resolve()
        self._fingerprint = file_fingerprint(self.checkpoint)
        self.arch: SamArch | None = None
        self.transform = ResizeLongestSide(self.img_size)

    @property
    def model_key(self) -> str:
        return f"sam:{self.checkpoint}:{self.device}:{dtype_name(self.dtype)}:{self.runtime}:{self.quantize}"

    @property
    def model_id(self) -> str:
        return f"sam:{self._fingerprint}:{dtype_name(self.dtype)}"

    def _size_estimate(self) -> int:
        size = self.checkpoint.stat().st_size
        return size // 2 if self.dtype != torch.float32 else size

    def _load(self) -> Sam:
        state = read_checkpoint(self.checkpoint)
        arch = detect_arch(state, str(self.checkpoint))
        if arch.img_size != self.img_size:
            raise BackendError(f"{self.checkpoint}: input size {arch.img_size} is not supported (SAM uses {self.img_size})")
        model = build_sam(arch)
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            raise BackendError(f"{self.checkpoint}: weights do not fit the detected {arch.variant} SAM "
                               f"({' '.join(str(exc).split())[:200]})") from None
        del state
        model.to(self.device)
        if self.dtype != torch.float32:  # only the heavy encoder runs in half precision; prompts stay float32
            model.image_encoder.to(self.dtype)
        self.arch = arch
        model._sculpt_onnx = None
        if self.runtime != "torch":
            from engine.segmenters.onnx_export import attach_decoder  # torch.onnx only when asked for

            providers = "cpu" if self.device.type == "cpu" else "cuda" if self.device.type == "cuda" else "auto"
            self.onnx_record = attach_decoder(model, self.runtime, self.quantize, self._fingerprint,
                                              self._onnx_cache_root(), self.decoder_threads, providers)
        log.info("sam: %s (%s, %.0f MB) on %s, encoder %s", self.checkpoint.name, arch.variant,
                 module_bytes(model) / 1e6, self.device, dtype_name(self.dtype))
        return model

    def _encode(self, model: Sam, image: np.ndarray) -> Embedding:
        resized = self.transform.apply_image(image)
        x = torch.as_tensor(resized, device=self.device).permute(2, 0, 1).contiguous()[None]
        with torch.inference_mode():
            x = model.preprocess(x.float())
            feats = model.image_encoder(x.to(self.dtype)).float()
        return Embedding(feats, tuple(resized.shape[:2]), tuple(image.shape[:2]))

    def _decode(self, model: Sam, emb: Embedding, coords, labels, box, mask_input, multimask):
        dec = getattr(model, "_sculpt_onnx", None)
        if dec is not None:
            from engine.segmenters.onnx_export import onnx_decode

            return onnx_decode(dec, emb.features, coords, labels, box, mask_input, multimask, emb.original_size)
        points = None
        if coords is not None:
            points = (torch.as_tensor(coords, device=self.device)[None], torch.as_tensor(labels, device=self.device)[None])
        boxes = torch.as_tensor(box, device=self.device)[None] if box is not None else None
        sparse, dense = model.prompt_encoder(points=points, boxes=boxes, masks=mask_input)
        masks, scores = predict_masks(model, emb.features, sparse, dense)
        keep = slice(1, None) if multimask else slice(0, 1)
        return masks[keep], scores[keep]

    def _onnx_cache_root(self) -> Path | None:
        """Exports live next to the embeddings (<cache>/onnx/<fingerprint>-v<EXPORT_VERSION>/); none without a disk cache."""
        return self.cache.disk_dir

    @property
    def decoder_runtime(self) -> str:
        """'onnx' or 'torch': what the clicks run on (known once the model is loaded)."""
        return "onnx" if getattr(self.model(), "_sculpt_onnx", None) is not None else "torch"

    def info(self) -> dict:
        out = super().info()
        out.update({"checkpoint": self.checkpoint.name, "variant": self.arch.variant if self.arch else None,
                    "arch": asdict(self.arch) if self.arch else None, "runtime": self.runtime, "quantize": self.quantize})
        if self.onnx_record is not None:
            out["onnx"] = {"fp32_iou_min": self.onnx_record.fp32_iou_min, "int8_iou_min": self.onnx_record.int8_iou_min,
                           "opset": self.onnx_record.opset}
        return out


def _models_dir(option: str | None) -> Path:
    return models_dir(option)
