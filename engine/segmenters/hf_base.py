"""What the transformers SAM-family backends (sam2, sam-hq, edgetam, sam3) share on top of SamBackendBase:
finding the folder (model_dir, else discovery), the weights fingerprint for the cache key, lazy loading with
local_files_only=True through the ModelManager, the processor (the folder's own, else the family's default at the
config's input size), prompts as tensors, and the packed embedding.

The packed embedding: the embedding cache holds one 4-D array per image, so multi-level features (SAM 2's three
FPN levels, SAM-HQ's embedding plus the early ViT features) are packed losslessly into one (1, C, h, w) tensor at
the coarsest resolution (pixel_unshuffle of the finer levels, concatenated on channels) and unpacked once per
prepared image (pixel_shuffle)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from engine.cache.embeddings import Embedding
from engine.errors import BackendError
from engine.segmenters import discovery
from engine.segmenters.devices import dtype_name, module_bytes
from engine.segmenters.sam_common import SamBackendBase, file_fingerprint

log = logging.getLogger("sam_sculpt.hf_sam")


def pack_levels(levels: list[torch.Tensor]) -> torch.Tensor:
    """[(1, c_i, h*f_i, w*f_i)] -> (1, sum c_i*f_i^2, h, w), h/w those of the coarsest (last) level."""
    h = levels[-1].shape[-2]
    return torch.cat([F.pixel_unshuffle(lv, lv.shape[-2] // h) if lv.shape[-2] != h else lv for lv in levels], 1)


def unpack_levels(packed: torch.Tensor, spec: list[tuple[int, int]]) -> list[torch.Tensor]:
    """Inverse of pack_levels; spec = [(channels, factor)] per level, finest first."""
    out, start = [], 0
    for channels, factor in spec:
        n = channels * factor * factor
        part = packed[:, start:start + n]
        out.append(F.pixel_shuffle(part, factor) if factor > 1 else part)
        start += n
    if start != packed.shape[1]:
        raise BackendError(f"cached embedding has {packed.shape[1]} channels, the model expects {start}")
    return out


def multiscale_spec(model: Any, packed_channels: int) -> list[tuple[int, int]]:
    """Level layout of a SAM 2-style model (Sam2Model, EdgeTamModel, Sam3TrackerModel): levels 0 and 1 are
    projected by the mask decoder's conv_s0/conv_s1, the last level carries the rest."""
    sizes = [int(s[0]) for s in model.backbone_feature_sizes]
    factors = [s // sizes[-1] for s in sizes]
    c0, c1 = model.mask_decoder.conv_s0.out_channels, model.mask_decoder.conv_s1.out_channels
    last = packed_channels - c0 * factors[0] ** 2 - c1 * factors[1] ** 2
    return [(c0, factors[0]), (c1, factors[1]), (last, factors[2])]


def weight_files(folder: Path) -> list[Path]:
    """The weights of a save_pretrained folder: model.safetensors, its shards, or pytorch_model.bin."""
    files = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("pytorch_model*.bin"))
    if not files:
        raise BackendError(f"{folder}: no model.safetensors (or pytorch_model.bin) in the model folder")
    return files


def load_error(folder: Path, what: str, exc: Exception) -> BackendError:
    msg = " ".join(str(exc).split())[:200]
    return BackendError(f"{folder}: could not load the {what} model ({msg})")


def require_transformers(backend: str, *names: str) -> list[Any]:
    """The transformers classes `names`, or one line saying which transformers version lacks them."""
    import transformers

    missing = [n for n in names if not hasattr(transformers, n)]
    if missing:
        raise BackendError(f"segmenter '{backend}' needs transformers with {', '.join(missing)} (installed: "
                           f"{transformers.__version__}); upgrade it: pip install -U transformers")
    return [getattr(transformers, n) for n in names]


class HFSamBase(SamBackendBase):
    """Subclasses set name, family, layout, model_class and the hooks _default_processor, _embed, _unpack."""

    model_class = ""  # the transformers class name, e.g. "Sam2Model"

    family = "SAM"  # for messages
    layout = "a save_pretrained folder"  # e.g. the repo id whose layout is expected
    stretch_to_square = True  # SAM 2-style processors resize to a square; SAM 1-style keep the aspect and pad
    onnx_decoder = False  # True: the family's decoder exports (engine/segmenters/onnx_sam2.py): runtime onnx / auto

    def __init__(self, model_dir: str | None = None, models_dir: str | None = None, variant: str | None = None,
                 runtime: str = "torch", **options: Any) -> None:
        super().__init__(**options)
        if runtime not in ("torch", "onnx", "auto") or (runtime != "torch" and not self.onnx_decoder):
            allowed = "torch, onnx or auto" if self.onnx_decoder else "torch"
            raise BackendError(f"segmenter '{self.name}': runtime must be {allowed} (got {runtime!r})")
        self.runtime = runtime
        self.onnx_record: Any = None  # onnx_sam2.Sam2ExportRecord once the ONNX decoder is checked
        self._onnx_levels: tuple[Any, list[np.ndarray]] | None = None
        model_types = discovery.MODEL_TYPES[self.name]
        if model_dir:
            folder = Path(model_dir).expanduser()
            if not folder.is_dir():
                raise BackendError(f"{folder}: {self.family} model folder not found (expected {self.layout})")
            if discovery.read_model_type(folder) not in model_types:
                raise BackendError(f"{folder}: not a {self.family} folder (config.json with model_type "
                                   f"{' or '.join(repr(t) for t in model_types)} missing)")
        else:
            found = discovery.discover(self.name, models_dir, variant)
            if found is None:
                raise BackendError(f"segmenter '{self.name}': no model_dir given and no {self.family} folder found "
                                   f"({discovery.describe(self.name, models_dir)}); run `sam-sculpt models download "
                                   f"{self.name}` or set segmenter.options.{self.name}.model_dir")
            folder = found.path
            log.info("%s: using %s (%s)", self.name, folder, found.source)
        self.model_dir = folder.resolve()
        self.model_type = discovery.read_model_type(folder) or ""
        self.variant = variant or discovery.variant_of(self.name, folder)
        self._weights = weight_files(folder)
        self.config = self._read_config()
        self.img_size = self._input_size(self.config)
        h = hashlib.blake2b(digest_size=8)
        h.update((folder / "config.json").read_bytes())
        self._fingerprint = "".join(file_fingerprint(w) for w in self._weights[:4]) + h.hexdigest()
        self._unpacked: tuple[Any, dict[str, Any]] | None = None

    # ---- hooks ----------------------------------------------------------------------------------
    def _model_class(self) -> Any:
        return require_transformers(self.name, self.model_class)[0]

    def _default_processor(self) -> Any:
        raise NotImplementedError

    def _input_size(self, config: dict) -> int:
        return int(config.get("prompt_encoder_config", {}).get("image_size", 1024))

    def _embed(self, model: Any, pixels: torch.Tensor) -> list[torch.Tensor]:
        """The image's feature levels, finest first."""
        return list(model.get_image_embeddings(pixels))

    def _unpack(self, model: Any, packed: torch.Tensor) -> dict[str, Any]:
        """Model kwargs that stand for the image (e.g. {'image_embeddings': [...]})."""
        return {"image_embeddings": unpack_levels(packed, multiscale_spec(model, packed.shape[1]))}

    # ---- SamBackendBase hooks -------------------------------------------------------------------
    @property
    def model_key(self) -> str:
        key = f"{self.name}:{self.model_dir}:{self.device}:{dtype_name(self.dtype)}"
        return f"{key}:{self.runtime}" if self.onnx_decoder else key

    @property
    def model_id(self) -> str:
        return f"{self.name}:{self._fingerprint}:{dtype_name(self.dtype)}"

    def _size_estimate(self) -> int:
        size = sum(w.stat().st_size for w in self._weights)
        return size // 2 if self.dtype != torch.float32 else size

    def _read_config(self) -> dict:
        import json

        return json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))

    def _load(self) -> tuple[Any, Any]:
        cls = self._model_class()
        try:
            model = cls.from_pretrained(self.model_dir, local_files_only=True)
        except Exception as exc:  # transformers raises OSError/ValueError/... for a bad folder
            raise load_error(self.model_dir, self.family, exc) from None
        model.eval().to(self.device, self.dtype)
        model._sculpt_onnx = None
        if self.runtime != "torch":
            from engine.segmenters.onnx_sam2 import attach_decoder  # torch.onnx only when asked for

            self.onnx_record = attach_decoder(model, self.name, self.runtime, self._fingerprint, self.cache.disk_dir,
                                              self.decoder_threads, self.device)
        log.info("%s: %s (%.0f MB) on %s, %s", self.name, self.model_dir.name, module_bytes(model) / 1e6, self.device,
                 dtype_name(self.dtype))
        return model, self._processor()

    def _processor(self) -> Any:
        cls = type(self._default_processor())
        try:
            return cls.from_pretrained(self.model_dir, local_files_only=True)
        except Exception:  # many hub folders ship no processor config: the family's standard preprocessing
            log.info("%s: %s has no usable processor config; using %s defaults", self.name, self.model_dir, self.family)
            return self._default_processor()

    def _encode(self, loaded: tuple[Any, Any], image: np.ndarray) -> Embedding:
        model, processor = loaded
        inputs = processor(images=image if image.flags.writeable else image.copy(), return_tensors="pt")
        pixels = inputs["pixel_values"].to(self.device, self.dtype)
        with torch.inference_mode():
            packed = pack_levels([lv.float() for lv in self._embed(model, pixels)])
        if self.stretch_to_square:
            input_size = (self.img_size, self.img_size)
        else:
            input_size = tuple(int(v) for v in inputs["reshaped_input_sizes"][0])
        return Embedding(packed, input_size, tuple(image.shape[:2]))

    def image_kwargs(self, model: Any, emb: Embedding) -> dict[str, Any]:
        """The unpacked features of the prepared embedding, computed once per embedding."""
        if self._unpacked is None or self._unpacked[0] is not emb.features:
            packed = torch.as_tensor(emb.features, device=self.device)
            kwargs = self._unpack(model, packed)
            cast = {k: ([t.to(self.dtype) for t in v] if isinstance(v, list) else v.to(self.dtype)) for k, v in kwargs.items()}
            self._unpacked = (emb.features, cast)
        return self._unpacked[1]

    def prompt_kwargs(self, coords: np.ndarray | None, labels: np.ndarray | None, box: np.ndarray | None,
                      mask_input: torch.Tensor | None) -> dict[str, Any]:
        kw: dict[str, Any] = {}
        if coords is not None:
            kw["input_points"] = torch.as_tensor(coords, device=self.device, dtype=self.dtype)[None, None]
            kw["input_labels"] = torch.as_tensor(labels, device=self.device)[None, None]
        if box is not None:
            kw["input_boxes"] = torch.as_tensor(box, device=self.device, dtype=self.dtype)[None, None]
        if mask_input is not None:
            kw["input_masks"] = mask_input.to(self.dtype)
        return kw

    def _decode(self, loaded, emb: Embedding, coords, labels, box, mask_input, multimask):
        model, _ = loaded
        dec = getattr(model, "_sculpt_onnx", None)
        if dec is not None:
            from engine.segmenters.onnx_sam2 import onnx_decode

            return onnx_decode(dec, self._onnx_feature_levels(model, emb), coords, labels, box, mask_input, multimask)
        out = model(**self.image_kwargs(model, emb), **self.prompt_kwargs(coords, labels, box, mask_input),
                    multimask_output=multimask, **self._decode_options())
        return out.pred_masks[0, 0].float(), out.iou_scores[0, 0].float()

    def _decode_options(self) -> dict[str, Any]:
        return {}

    def _onnx_feature_levels(self, model: Any, emb: Embedding) -> list[np.ndarray]:
        """The ONNX decoder's (image_embeddings, feat_s0, feat_s1) fp32 arrays, once per embedding."""
        if self._onnx_levels is None or self._onnx_levels[0] is not emb.features:
            levels = self._unpack(model, torch.as_tensor(emb.features).float())["image_embeddings"]
            arrays = [np.ascontiguousarray(t.detach().cpu().numpy(), np.float32) for t in (levels[-1], *levels[:-1])]
            self._onnx_levels = (emb.features, arrays)
        return self._onnx_levels[1]

    @property
    def decoder_runtime(self) -> str:
        """'onnx' or 'torch': what the clicks run on (known once the model is loaded)."""
        return "onnx" if getattr(self.model()[0], "_sculpt_onnx", None) is not None else "torch"

    def unload(self, reason: str = "asked") -> bool:
        self._unpacked = None
        self._onnx_levels = None
        return super().unload(reason)

    def info(self) -> dict:
        out = super().info()
        out.update(model_dir=self.model_dir.name, model_type=self.model_type, variant=self.variant)
        if self.onnx_decoder:
            out["runtime"] = self.runtime
        if self.onnx_record is not None:
            out["onnx"] = {"iou_min": self.onnx_record.iou_min, "max_abs_diff": self.onnx_record.max_abs_diff,
                           "opset": self.onnx_record.opset}
        return out
