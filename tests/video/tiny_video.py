"""A tiny random-weights Sam2VideoModel folder (save_pretrained of a SHRUNK sam2_video config: hiera with 5 blocks,
widths 8-64, input 256 px, one memory-attention layer, 4 object pointers; hidden size 128 because the memory path splits object
pointers into 64-channel memory tokens) and generated frames: a textured blob moving over a textured background.
The real hiera-tiny architecture (Sam2VideoConfig()) is what benchmarks/video_tracking.py runs."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from engine.samples import generate_scene

IMG = 256


def build_sam2_video(folder: Path, img: int = IMG) -> Path:
    import torch
    from transformers import Sam2ImageProcessor, Sam2VideoConfig, Sam2VideoModel, Sam2VideoProcessor
    from transformers.models.sam2_video.video_processing_sam2_video import Sam2VideoVideoProcessor

    torch.manual_seed(0)
    s = img // 4
    cfg = Sam2VideoConfig(
        vision_config=dict(
            backbone_config=dict(model_type="sam2_hiera_det_model", hidden_size=8, num_attention_heads=1,
                                 image_size=[img, img], blocks_per_stage=[1, 1, 2, 1], embed_dim_per_stage=[8, 16, 32, 64],
                                 num_attention_heads_per_stage=[1, 1, 2, 2], window_size_per_stage=[4, 4, 4, 4],
                                 global_attention_blocks=[3]),
            backbone_channel_list=[64, 32, 16, 8], backbone_feature_sizes=[[s, s], [s // 2, s // 2], [s // 4, s // 4]],
            fpn_hidden_size=128),
        prompt_encoder_config=dict(hidden_size=128, image_size=img, patch_size=16),
        mask_decoder_config=dict(hidden_size=128, mlp_dim=64, num_attention_heads=2, iou_head_hidden_dim=32),
        image_size=img, memory_attention_hidden_size=128, memory_attention_num_layers=1,
        memory_attention_feed_forward_hidden_size=64, memory_attention_rope_feat_sizes=[img // 16, img // 16],
        memory_encoder_hidden_size=128, memory_encoder_output_channels=64, mask_downsampler_embed_dim=128,
        memory_fuser_embed_dim=128, memory_fuser_intermediate_dim=64, max_object_pointers_in_encoder=4)
    Sam2VideoModel(cfg).eval().save_pretrained(folder)
    size = {"height": img, "width": img}
    Sam2VideoProcessor(image_processor=Sam2ImageProcessor(size=size),
                       video_processor=Sam2VideoVideoProcessor(size=size)).save_pretrained(folder)
    return folder


def moving_blob(n: int, size: tuple[int, int] = (96, 72), step: int = 3, seed: int = 3):
    """n frames (RGB uint8) and their GT masks: the camouflaged scene panned `step` px per frame."""
    scene = generate_scene(seed, size)
    frames = [np.roll(scene.image, step * t, axis=1) for t in range(n)]
    gts = [np.roll(scene.gt, step * t, axis=1) for t in range(n)]
    return frames, gts


def write_frames(folder: Path, frames: list[np.ndarray]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(frames):
        cv2.imwrite(str(folder / f"{i:05d}.jpg"), cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    return folder


def write_gt(folder: Path, gts: list[np.ndarray]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, g in enumerate(gts):
        cv2.imwrite(str(folder / f"{i:05d}.png"), g.astype(np.uint8) * 255)
    return folder


def write_video(path: Path, frames: list[np.ndarray], fps: int = 10) -> Path:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def build_edgetam_video(folder: Path, img: int = 128) -> Path:
    """RepViT-m1 (EdgeTAM's real backbone) at 128 px; shrunk memory path: one memory-attention layer, a perceiver
    resampler of 16 + 16 latents (4x4 windows). No processor file, like the hub folder: the default path is used."""
    import torch
    from transformers import EdgeTamVideoConfig, EdgeTamVideoModel, TimmWrapperConfig

    torch.manual_seed(0)
    s = img // 4
    backbone = TimmWrapperConfig(architecture="repvit_m1",
                                 model_args={"in_chans": 3, "features_only": True, "out_indices": [0, 1, 2, 3]})
    cfg = EdgeTamVideoConfig(
        vision_config=dict(model_type="edgetam_vision_model", backbone_config=backbone, fpn_hidden_size=128,
                           backbone_feature_sizes=[[s, s], [s // 2, s // 2], [s // 4, s // 4]]),
        prompt_encoder_config=dict(hidden_size=128, image_size=img, patch_size=16),
        mask_decoder_config=dict(hidden_size=128, mlp_dim=64, num_attention_heads=2, iou_head_hidden_dim=32),
        image_size=img, memory_attention_hidden_size=128, memory_attention_num_layers=1,
        memory_attention_mlp_hidden_size=64, memory_attention_rope_feat_sizes=[img // 16, img // 16],
        memory_attention_rope_k_sizes=[4, 4], memory_encoder_hidden_size=128, mask_downsampler_embed_dim=128,
        memory_fuser_embed_dim=128, memory_fuser_intermediate_dim=64, perceiver_resampler_num_layers=1,
        perceiver_resampler_mlp_intermediate_size=64, perceiver_resampler_num_latents=16,
        perceiver_resampler_num_latents_2d=16, max_object_pointers_in_encoder=4)
    EdgeTamVideoModel(cfg).eval().save_pretrained(folder)
    return folder


def red_disk(size: tuple[int, int] = (128, 96), centre: tuple[int, int] = (64, 48), radius: int = 25, seed: int = 0):
    """A high-contrast frame (a red disk on a noisy green field) and its GT: colour statistics can tell object
    from background here, so the heuristic critic has something to propose."""
    w, h = size
    rng = np.random.default_rng(seed)
    img = np.clip(np.full((h, w, 3), (40, 160, 40), np.int32) + rng.integers(-10, 10, (h, w, 3)), 0, 255)
    gt = np.zeros((h, w), np.uint8)
    cv2.circle(gt, centre, radius, 1, -1)
    img = img.astype(np.uint8)
    img[gt.astype(bool)] = (200, 40, 40)
    return img, gt.astype(bool)
