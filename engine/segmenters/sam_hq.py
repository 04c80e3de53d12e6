"""`sam-hq`: SAM-HQ (SAM with a high-quality output token fed by early ViT features: sharper boundaries, what
camouflage needs) through transformers' SamHQModel + SamHQProcessor, from a save_pretrained folder
(syscv-community/sam-hq-vit-base layout). Preprocessing is SAM 1's (long side 1024, padded); the cached
embedding packs the image embedding with the first global-attention block's features."""

from __future__ import annotations

from typing import Any

import torch

from engine.registry import SEGMENTERS
from engine.segmenters.hf_base import HFSamBase


@SEGMENTERS.register("sam-hq")
class SamHQSegmenter(HFSamBase):
    name = "sam-hq"
    family = "SAM-HQ"
    model_class = "SamHQModel"
    layout = "the syscv-community/sam-hq-vit-base layout: config.json + model.safetensors"
    stretch_to_square = False

    def __init__(self, hq_token_only: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self.hq_token_only = bool(hq_token_only)

    def _input_size(self, config: dict) -> int:
        return int(config.get("vision_config", {}).get("image_size", 1024))


    def _default_processor(self) -> Any:
        from transformers import SamHQProcessor, SamImageProcessor

        s, m = self.img_size, self.img_size // 4
        return SamHQProcessor(image_processor=SamImageProcessor(
            size={"longest_edge": s}, pad_size={"height": s, "width": s},
            mask_size={"longest_edge": m}, mask_pad_size={"height": m, "width": m}))

    def _embed(self, model: Any, pixels: torch.Tensor) -> list[torch.Tensor]:
        image_embeddings, intermediate = model.get_image_embeddings(pixels)
        return [image_embeddings, intermediate[0].permute(0, 3, 1, 2)]  # the HQ path reads the first one only

    def _unpack(self, model: Any, packed: torch.Tensor) -> dict[str, Any]:
        c = model.config.vision_config.output_channels
        vit = packed[:, c:].permute(0, 2, 3, 1).contiguous()
        return {"image_embeddings": packed[:, :c], "intermediate_embeddings": [vit]}

    def _decode_options(self) -> dict[str, Any]:
        return {"hq_token_only": self.hq_token_only}

    def info(self) -> dict:
        out = super().info()
        out["hq_token_only"] = self.hq_token_only
        return out
