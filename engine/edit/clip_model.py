"""A CLIP model (transformers CLIPModel + CLIPProcessor, openai/clip-vit-base-patch32 layout) from a
local folder, loaded once and kept by the model manager; shared by localisation and scoring."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.edit.devices import pick_device
from engine.edit.model_dirs import check_model_dir
from engine.edit.quiet import quiet_loading
from engine.errors import BackendError
from engine.models.manager import get_manager


@dataclass
class ClipHandle:
    model: Any  # transformers CLIPModel, eval mode
    processor: Any  # transformers CLIPProcessor
    device: str
    path: Path

    @property
    def image_size(self) -> int:
        return int(self.model.config.vision_config.image_size)

    @property
    def patch_size(self) -> int:
        return int(self.model.config.vision_config.patch_size)

    def text_embeddings(self, texts: list[str]) -> Any:
        """L2-normalised projected text embeddings (T, D)."""
        import torch

        tok = self.processor.tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        with torch.inference_mode():
            out = self.model.text_model(input_ids=tok["input_ids"].to(self.device),
                                        attention_mask=tok["attention_mask"].to(self.device))
            emb = self.model.text_projection(out.pooler_output)
        return torch.nn.functional.normalize(emb.float(), dim=-1)

    def pixel_values(self, images: list[np.ndarray], squash: bool) -> Any:
        """squash=True resizes each image to the model's square input (every pixel kept, so patch
        (i, j) maps linearly back to the image); False uses the processor's resize + centre crop."""
        from PIL import Image

        pil = [Image.fromarray(im) for im in images]
        if squash:
            s = self.image_size
            pil = [im.resize((s, s), Image.BICUBIC) for im in pil]
            batch = self.processor.image_processor(images=pil, do_resize=False, do_center_crop=False, return_tensors="pt")
        else:
            batch = self.processor.image_processor(images=pil, return_tensors="pt")
        return batch["pixel_values"].to(self.device, dtype=next(self.model.parameters()).dtype)

    def image_embeddings(self, images: list[np.ndarray]) -> Any:
        """L2-normalised projected image embeddings (B, D), standard preprocessing."""
        import torch

        with torch.inference_mode():
            out = self.model.vision_model(pixel_values=self.pixel_values(images, squash=False))
            emb = self.model.visual_projection(out.pooler_output)
        return torch.nn.functional.normalize(emb.float(), dim=-1)

    def patch_embeddings(self, image: np.ndarray) -> Any:
        """L2-normalised patch tokens (g, g, D): last hidden state without the class token, through the
        vision post-layernorm and the visual projection, i.e. in the same space as the text embeddings."""
        import torch

        with torch.inference_mode():
            out = self.model.vision_model(pixel_values=self.pixel_values([image], squash=True))
            tokens = out.last_hidden_state[0, 1:]
            emb = self.model.visual_projection(self.model.vision_model.post_layernorm(tokens))
        g = int(round(emb.shape[0] ** 0.5))
        if g * g != emb.shape[0]:
            raise BackendError(f"CLIP {self.path}: {emb.shape[0]} patch tokens do not form a square grid")
        return torch.nn.functional.normalize(emb.float(), dim=-1).reshape(g, g, -1)

    def info(self) -> dict[str, Any]:
        vc = self.model.config.vision_config
        return {"model_dir": str(self.path), "model": self.path.name, "device": self.device,
                "image_size": int(vc.image_size), "patch_size": int(vc.patch_size)}


def _load(path: Path, device: str) -> ClipHandle:
    try:
        from transformers import CLIPModel, CLIPProcessor
    except ImportError as exc:
        raise BackendError(f"CLIP needs transformers ({exc}); install it with: pip install 'sam-sculpt[edit]'") from exc
    try:
        with quiet_loading():
            model = CLIPModel.from_pretrained(path, local_files_only=True)
            processor = CLIPProcessor.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackendError(f"{path}: could not load a CLIP model from this folder ({first})") from None
    model.to(device).eval()
    return ClipHandle(model, processor, device, path)


def load_clip(model_dir: str | Path | None, device: str = "auto", flag: str = "--clip-model") -> ClipHandle:
    """The CLIP in model_dir, from the model manager (loaded on first use, kept afterwards)."""
    path = check_model_dir(model_dir, "CLIP", "config.json", flag)
    dev = pick_device(device)
    key = f"clip:{path}:{dev}"
    size = sum(f.stat().st_size for f in path.glob("*.safetensors")) or sum(f.stat().st_size for f in path.glob("*.bin"))
    manager = get_manager()
    manager.register(key, lambda: _load(path, dev), size_bytes=size, device=dev)
    return manager.get(key)
