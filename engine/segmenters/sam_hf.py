"""`sam-hf`: transformers' SamModel + SamProcessor from a local folder in the facebook/sam-vit-huge
layout (config.json, model.safetensors or pytorch_model.bin, preprocessor_config.json). The
processor prepares the image once; prompts are mapped by our shared code, so a click costs one
prompt-encoder + mask-decoder pass, with the same cache, prompt rules and upsampling as `sam`."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.cache.embeddings import Embedding
from engine.errors import BackendError
from engine.registry import SEGMENTERS
from engine.segmenters.devices import dtype_name, module_bytes
from engine.segmenters.sam_common import SamBackendBase, file_fingerprint, models_dir

log = logging.getLogger("sam_sculpt.sam_hf")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def is_sam_dir(folder: Path) -> bool:
    cfg = folder / "config.json"
    if not cfg.is_file():
        return False
    try:
        return json.loads(cfg.read_text(encoding="utf-8")).get("model_type") == "sam"
    except (OSError, json.JSONDecodeError):
        return False


def discover_model_dir(folder: Path) -> Path | None:
    """A SAM model folder under `folder` (itself, or a child such as models/sam-vit-huge); largest first."""
    if not folder.is_dir():
        return None
    if is_sam_dir(folder):
        return folder
    found = [d for d in sorted(folder.iterdir()) if d.is_dir() and is_sam_dir(d)]
    if not found:
        return None
    return max(found, key=lambda d: sum(f.stat().st_size for f in d.iterdir() if f.is_file()))


@SEGMENTERS.register("sam-hf")
class SamHFSegmenter(SamBackendBase):
    name = "sam-hf"

    def __init__(self, model_dir: str | None = None, models_dir: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        if model_dir:
            folder = Path(model_dir).expanduser()
            if not folder.is_dir():
                raise BackendError(f"{folder}: SAM model folder not found (expected the facebook/sam-vit-huge layout)")
            if not is_sam_dir(folder):
                raise BackendError(f"{folder}: not a Hugging Face SAM folder (config.json with model_type 'sam' missing)")
        else:
            root = _models_dir(models_dir)
            found = discover_model_dir(root)
            if found is None:
                raise BackendError(f"segmenter 'sam-hf': no model_dir given and no SAM folder found in {root} (put "
                                   "facebook/sam-vit-huge there or set segmenter.options.sam-hf.model_dir; or: sam-sculpt models download sam-hf)")
            folder = found
            log.info("sam-hf: using %s", folder)
        weights = next((folder / w for w in WEIGHT_FILES if (folder / w).is_file()), None)
        if weights is None:
            raise BackendError(f"{folder}: no {' or '.join(WEIGHT_FILES)} in the SAM model folder")
        self.model_dir = folder.resolve()
        h = hashlib.blake2b(digest_size=8)
        h.update((folder / "config.json").read_bytes())
        self._fingerprint = f"{file_fingerprint(weights)}{h.hexdigest()}"
        self._weights = weights

    @property
    def model_key(self) -> str:
        return f"sam-hf:{self.model_dir}:{self.device}:{dtype_name(self.dtype)}"

    @property
    def model_id(self) -> str:
        return f"sam-hf:{self._fingerprint}:{dtype_name(self.dtype)}"

    def _size_estimate(self) -> int:
        size = self._weights.stat().st_size
        return size // 2 if self.dtype != torch.float32 else size

    def _load(self) -> tuple[Any, Any]:
        from transformers import SamImageProcessor, SamModel, SamProcessor

        try:
            model = SamModel.from_pretrained(self.model_dir, local_files_only=True)
        except Exception as exc:  # transformers raises OSError/ValueError/... for a bad folder
            msg = " ".join(str(exc).split())[:200]
            raise BackendError(f"{self.model_dir}: could not load the SAM model ({msg})") from None
        try:
            processor = SamProcessor.from_pretrained(self.model_dir, local_files_only=True)
        except Exception:  # a folder without preprocessor_config.json: SAM's standard preprocessing
            log.warning("sam-hf: %s has no usable preprocessor_config.json; using SAM's defaults", self.model_dir)
            processor = SamProcessor(image_processor=SamImageProcessor())
        model.eval().to(self.device)
        if self.dtype != torch.float32:
            model.vision_encoder.to(self.dtype)
        log.info("sam-hf: %s (%.0f MB) on %s, encoder %s", self.model_dir.name, module_bytes(model) / 1e6, self.device,
                 dtype_name(self.dtype))
        return model, processor

    def _encode(self, loaded: tuple[Any, Any], image: np.ndarray) -> Embedding:
        model, processor = loaded
        inputs = processor(images=image, return_tensors="pt")
        pixels = inputs["pixel_values"].to(self.device, self.dtype)
        with torch.inference_mode():
            feats = model.get_image_embeddings(pixels).float()
        input_size = tuple(int(v) for v in inputs["reshaped_input_sizes"][0])
        return Embedding(feats, input_size, tuple(image.shape[:2]))

    def _decode(self, loaded, emb: Embedding, coords, labels, box, mask_input, multimask):
        model, _ = loaded
        kw: dict[str, Any] = {}
        if coords is not None:
            kw["input_points"] = torch.as_tensor(coords, device=self.device)[None, None]
            kw["input_labels"] = torch.as_tensor(labels, device=self.device)[None, None]
        if box is not None:
            kw["input_boxes"] = torch.as_tensor(box, device=self.device)[None, None]
        if mask_input is not None:
            kw["input_masks"] = mask_input
        out = model(image_embeddings=emb.features, multimask_output=multimask, **kw)
        return out.pred_masks[0, 0], out.iou_scores[0, 0]

    def info(self) -> dict:
        out = super().info()
        out["model_dir"] = self.model_dir.name
        return out


def _models_dir(option: str | None) -> Path:
    return models_dir(option)
