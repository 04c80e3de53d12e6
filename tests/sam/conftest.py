"""Tiny random-weight SAM models built from the libraries' own classes, saved the way users get
them (a .pth state dict; a save_pretrained folder), built once per session."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch

from engine.samples import generate_scene
from tests.segmenters.isolation import _isolated, cache_dir, scene  # noqa: F401 (fixtures)


def build_tiny_sam():
    from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer

    torch.manual_seed(0)
    return Sam(
        image_encoder=ImageEncoderViT(img_size=1024, patch_size=16, embed_dim=32, depth=2, num_heads=2, mlp_ratio=2,
                                      out_chans=32, qkv_bias=True, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6),
                                      use_rel_pos=True, window_size=14, global_attn_indexes=(1,)),
        prompt_encoder=PromptEncoder(embed_dim=32, image_embedding_size=(64, 64), input_image_size=(1024, 1024),
                                     mask_in_chans=16),
        mask_decoder=MaskDecoder(num_multimask_outputs=3,
                                 transformer=TwoWayTransformer(depth=2, embedding_dim=32, mlp_dim=64, num_heads=8),
                                 transformer_dim=32, iou_head_depth=3, iou_head_hidden_dim=32),
        pixel_mean=[123.675, 116.28, 103.53], pixel_std=[58.395, 57.12, 57.375],
    ).eval()


@pytest.fixture(scope="session")
def tiny_sam_checkpoint(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sam_models") / "my_renamed_model.pth"
    torch.save(build_tiny_sam().state_dict(), path)
    return path


@pytest.fixture(scope="session")
def tiny_sam_hf_dir(tmp_path_factory) -> Path:
    from transformers import SamConfig, SamImageProcessor, SamModel, SamProcessor

    torch.manual_seed(0)
    config = SamConfig(
        vision_config=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_dim=64, output_channels=32,
                           global_attn_indexes=[1], window_size=14, num_pos_feats=16),
        prompt_encoder_config=dict(hidden_size=32, mask_input_channels=16),
        mask_decoder_config=dict(hidden_size=32, mlp_dim=64, num_hidden_layers=2, num_attention_heads=2,
                                 iou_head_hidden_dim=32),
    )
    folder = tmp_path_factory.mktemp("sam_hf") / "sam-vit-tiny"
    SamModel(config).eval().save_pretrained(folder)
    SamProcessor(image_processor=SamImageProcessor()).save_pretrained(folder)
    return folder


def rgb(seed: int = 0, size=(200, 150)) -> np.ndarray:
    return generate_scene(seed=seed, size=size).image


def make_sam(checkpoint: Path, cache_dir: Path | None, **options):  # noqa: F811 (a parameter, not the fixture)
    from engine.registry import SEGMENTERS

    if cache_dir is None:
        return SEGMENTERS.create("sam", checkpoint=str(checkpoint), disk_cache=False, **options)
    return SEGMENTERS.create("sam", checkpoint=str(checkpoint), cache_dir=str(cache_dir), **options)
