"""`edgetam-video`: EdgeTAM video tracking through transformers' EdgeTamVideoModel (SAM 2's memory design behind a
RepViT encoder; needs timm), from a save_pretrained folder (yonigozlan/EdgeTAM-hf layout, model_type "edgetam_video").
The processor is SAM 2's (Sam2VideoProcessor)."""

from __future__ import annotations

from engine.video.hf_tracker import HFVideoTracker
from engine.video.tracker import TRACKERS


@TRACKERS.register("edgetam-video")
class EdgeTamVideoTracker(HFVideoTracker):
    name = "edgetam-video"
    family = "EdgeTAM"
    segmenter = "edgetam"
    model_types = ("edgetam_video",)
    model_class = "EdgeTamVideoModel"
    layout = "the yonigozlan/EdgeTAM-hf layout: config.json (model_type edgetam_video) + model.safetensors"
