"""Tiny random-weight SAM 2 / SAM-HQ / EdgeTAM / SAM 3 folders made with save_pretrained of SHRUNK configs (few
layers, hidden sizes 8-64, input 224-256 px), in the layouts users download, so tests load them through the
user's path. Real architectures are only for benchmarks/segmenter_families.py (`real=True` configs there)."""

from __future__ import annotations

from pathlib import Path

import torch

SAM2_IMG = 256
SAM3_IMG = 224


def sam2_parts(img: int = SAM2_IMG) -> dict:
    return dict(
        prompt_encoder_config=dict(hidden_size=32, image_size=img, patch_size=16),
        mask_decoder_config=dict(hidden_size=32, mlp_dim=64, num_attention_heads=2, iou_head_hidden_dim=32))


def build_sam2(folder: Path, img: int = SAM2_IMG) -> Path:
    from transformers import Sam2Config, Sam2ImageProcessor, Sam2Model, Sam2Processor

    torch.manual_seed(0)
    s = img // 4
    cfg = Sam2Config(
        vision_config=dict(
            backbone_config=dict(model_type="sam2_hiera_det_model", hidden_size=8, num_attention_heads=1, image_size=[img, img],
                                 blocks_per_stage=[1, 1, 2, 1], embed_dim_per_stage=[8, 16, 32, 64],
                                 num_attention_heads_per_stage=[1, 1, 2, 2], window_size_per_stage=[4, 4, 4, 4],
                                 global_attention_blocks=[3]),
            backbone_channel_list=[64, 32, 16, 8], backbone_feature_sizes=[[s, s], [s // 2, s // 2], [s // 4, s // 4]],
            fpn_hidden_size=32),
        **sam2_parts(img))
    Sam2Model(cfg).eval().save_pretrained(folder)
    Sam2Processor(image_processor=Sam2ImageProcessor(size={"height": img, "width": img})).save_pretrained(folder)
    return folder


def build_edgetam(folder: Path, img: int = 128) -> Path:
    """RepViT-m1 (the real EdgeTAM backbone, ~5 M params) at a small input; shrunk prompt encoder and decoder.
    No processor file: the hub folder has none either, so the default Sam2Processor path is exercised."""
    from transformers import EdgeTamConfig, EdgeTamModel, TimmWrapperConfig

    torch.manual_seed(0)
    s = img // 4
    backbone = TimmWrapperConfig(architecture="repvit_m1",
                                 model_args={"in_chans": 3, "features_only": True, "out_indices": [0, 1, 2, 3]})
    cfg = EdgeTamConfig(vision_config=dict(backbone_config=backbone, fpn_hidden_size=32,
                                           backbone_feature_sizes=[[s, s], [s // 2, s // 2], [s // 4, s // 4]]),
                        **sam2_parts(img))
    EdgeTamModel(cfg).eval().save_pretrained(folder)
    return folder


def build_sam_hq(folder: Path, img: int = SAM2_IMG) -> Path:
    from transformers import SamHQConfig, SamHQModel, SamHQProcessor, SamImageProcessor

    torch.manual_seed(0)
    cfg = SamHQConfig(
        vision_config=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_dim=64, output_channels=32,
                           global_attn_indexes=[1], window_size=4, num_pos_feats=16, image_size=img),
        prompt_encoder_config=dict(hidden_size=32, mask_input_channels=16, image_size=img),
        mask_decoder_config=dict(hidden_size=32, mlp_dim=64, num_hidden_layers=2, num_attention_heads=2,
                                 iou_head_hidden_dim=32, vit_dim=32))
    SamHQModel(cfg).eval().save_pretrained(folder)
    m = img // 4
    processor = SamImageProcessor(size={"longest_edge": img}, pad_size={"height": img, "width": img},
                                  mask_size={"longest_edge": m}, mask_pad_size={"height": m, "width": m})
    SamHQProcessor(image_processor=processor).save_pretrained(folder)
    return folder


def sam3_config(tokenizer, img: int = SAM3_IMG):
    """A shrunk sam3_video config (the facebook/sam3 layout: detector + tracker sharing one ViT)."""
    from transformers import Sam3VideoConfig

    s = img // 14
    vision = dict(backbone_config=dict(model_type="sam3_vit_model", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                       num_attention_heads=2, image_size=img, patch_size=14, window_size=8,
                                       global_attn_indexes=[1], pretrain_image_size=img),
                  fpn_hidden_size=32, backbone_feature_sizes=[[4 * s, 4 * s], [2 * s, 2 * s], [s, s]])
    detector = dict(
        vision_config=vision,
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, projection_dim=32, num_hidden_layers=1,
                         num_attention_heads=2, max_position_embeddings=32, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id),
        geometry_encoder_config=dict(hidden_size=32, num_layers=1, num_attention_heads=2, intermediate_size=64),
        detr_encoder_config=dict(hidden_size=32, num_layers=1, num_attention_heads=2, intermediate_size=64),
        detr_decoder_config=dict(hidden_size=32, num_layers=1, num_queries=8, num_attention_heads=2, intermediate_size=64),
        mask_decoder_config=dict(hidden_size=32, num_attention_heads=2))
    tracker = dict(image_size=img, vision_config=vision, prompt_encoder_config=dict(hidden_size=32, image_size=img, patch_size=14),
                   mask_decoder_config=dict(hidden_size=32, mlp_dim=64, num_attention_heads=2, iou_head_hidden_dim=32),
                   memory_attention_hidden_size=32, memory_attention_num_layers=1,
                   memory_attention_feed_forward_hidden_size=64, memory_attention_rope_feat_sizes=[s, s],
                   memory_encoder_hidden_size=32, memory_encoder_output_channels=16, mask_downsampler_embed_dim=32,
                   memory_fuser_embed_dim=32, memory_fuser_intermediate_dim=64)
    return Sam3VideoConfig(detector_config=detector, tracker_config=tracker)


def build_sam3(folder: Path, tokenizer, img: int = SAM3_IMG) -> Path:
    from transformers import Sam3ImageProcessor, Sam3Processor, Sam3VideoModel

    torch.manual_seed(0)
    Sam3VideoModel(sam3_config(tokenizer, img)).eval().save_pretrained(folder)
    size = {"height": img, "width": img}
    mask = {"height": 4 * (img // 14), "width": 4 * (img // 14)}
    Sam3Processor(image_processor=Sam3ImageProcessor(size=size, mask_size=mask), tokenizer=tokenizer).save_pretrained(folder)
    return folder


def build_sam2_video(folder: Path, image_folder: Path) -> Path:
    """The same tiny SAM 2 as a `sam2_video` checkpoint (Sam2VideoModel: the layout of video-capable hub repos)."""
    import json

    from transformers import Sam2VideoConfig, Sam2VideoModel

    torch.manual_seed(0)
    c = json.loads((image_folder / "config.json").read_text())
    s = c["prompt_encoder_config"]["image_size"] // 16
    cfg = Sam2VideoConfig(vision_config=c["vision_config"], prompt_encoder_config=c["prompt_encoder_config"],
                          mask_decoder_config=c["mask_decoder_config"], image_size=c["prompt_encoder_config"]["image_size"],
                          memory_attention_hidden_size=32, memory_attention_num_layers=1,
                          memory_attention_feed_forward_hidden_size=64, memory_attention_rope_feat_sizes=[s, s],
                          memory_encoder_hidden_size=32, memory_encoder_output_channels=16, mask_downsampler_embed_dim=32,
                          memory_fuser_embed_dim=32, memory_fuser_intermediate_dim=64)
    Sam2VideoModel(cfg).eval().save_pretrained(folder)
    return folder
