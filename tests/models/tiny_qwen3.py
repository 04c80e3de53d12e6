"""Build a tiny random-weight Qwen3-VL checkpoint (shrunk config, the same real Qwen tokenizer as the
Qwen2.5-VL test folder) and save it with save_pretrained, like a user's model folder."""

from __future__ import annotations

from pathlib import Path


def build_tiny_qwen3(out_dir: Path) -> Path:
    from transformers import (
        Qwen2VLImageProcessor,
        Qwen3VLConfig,
        Qwen3VLForConditionalGeneration,
        Qwen3VLProcessor,
        Qwen3VLVideoProcessor,
    )

    from tests.critics.tiny_qwen import CHAT_TEMPLATE, qwen_tokenizer, save_tiny

    tok, vocab_size, ids = qwen_tokenizer()
    processor = Qwen3VLProcessor(image_processor=Qwen2VLImageProcessor(patch_size=16, merge_size=2, temporal_patch_size=2),
                                 tokenizer=tok, video_processor=Qwen3VLVideoProcessor(patch_size=16),
                                 chat_template=CHAT_TEMPLATE)
    config = Qwen3VLConfig(
        text_config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, head_dim=16, vocab_size=vocab_size,
                         rope_parameters={"rope_type": "default", "rope_theta": 5e5, "mrope_section": [2, 3, 3],
                                          "mrope_interleaved": True},
                         eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"]),
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64, patch_size=16,
                           spatial_merge_size=2, temporal_patch_size=2, num_position_embeddings=64,
                           deepstack_visual_indexes=[0]),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
        eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"],
    )
    return save_tiny(Qwen3VLForConditionalGeneration, config, processor, out_dir)
