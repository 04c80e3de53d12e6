"""`sam2-video`: SAM 2 / 2.1 video tracking through transformers' Sam2VideoModel + Sam2VideoProcessor (streaming
session), from a save_pretrained folder (facebook/sam2.1-hiera-tiny layout, config model_type "sam2_video")."""

from __future__ import annotations

from engine.video.hf_tracker import HFVideoTracker
from engine.video.tracker import TRACKERS


@TRACKERS.register("sam2-video")
class Sam2VideoTracker(HFVideoTracker):
    name = "sam2-video"
    family = "SAM 2"
    segmenter = "sam2"
    model_types = ("sam2_video",)
    model_class = "Sam2VideoModel"
    layout = "the facebook/sam2.1-hiera-tiny layout: config.json (model_type sam2_video) + model.safetensors"
