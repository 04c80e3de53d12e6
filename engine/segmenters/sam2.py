"""`sam2`: SAM 2 / SAM 2.1 (hiera tiny, small, base-plus, large) through transformers' Sam2Model + Sam2Processor,
from a save_pretrained folder (facebook/sam2.1-hiera-tiny layout; sam2_video folders load too). The image
encoder runs once per image (cached, three FPN levels packed); a click runs the prompt encoder + mask decoder, in
torch or (runtime: onnx / auto) as ONNX exported from the same weights (engine/segmenters/onnx_sam2.py)."""

from __future__ import annotations

from typing import Any

from engine.registry import SEGMENTERS
from engine.segmenters.hf_base import HFSamBase


@SEGMENTERS.register("sam2")
class Sam2Segmenter(HFSamBase):
    name = "sam2"
    family = "SAM 2"
    model_class = "Sam2Model"
    layout = "the facebook/sam2.1-hiera-tiny layout: config.json + model.safetensors"
    onnx_decoder = True  # edgetam inherits it: the same prompt encoder and mask decoder

    def _default_processor(self) -> Any:
        from transformers import Sam2ImageProcessor, Sam2Processor

        size = {"height": self.img_size, "width": self.img_size}
        return Sam2Processor(image_processor=Sam2ImageProcessor(size=size))
