"""Build a tiny random-weight Qwen2.5-VL checkpoint (real Qwen tokenizer, rebuilt from the qwen.tiktoken
file the dashscope wheel ships) and save it with save_pretrained, like a user's model folder."""

from __future__ import annotations

from pathlib import Path

SPECIAL_TOKENS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>",
    "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>",
    "<|image_pad|>", "<|video_pad|>", "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>",
    "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>",
]

# Our own minimal template producing the Qwen chat layout (system turn, image placeholders, text).
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' or 'image' in part %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def qwen_tokenizer():
    """The real Qwen tokenizer (rebuilt from dashscope's qwen.tiktoken) plus the special tokens:
    (tokenizer, vocabulary size, special-token ids). Shared by the Qwen2.5-VL and Qwen3-VL tiny builders."""
    import dashscope
    from transformers import Qwen2Tokenizer
    from transformers.convert_slow_tokenizer import TikTokenConverter

    tiktoken_path = Path(dashscope.__file__).parent / "resources" / "qwen.tiktoken"
    vocab, merges = TikTokenConverter(vocab_file=str(tiktoken_path)).extract_vocab_merges_from_model(str(tiktoken_path))
    base = len(vocab)
    for i, tok in enumerate(SPECIAL_TOKENS):
        vocab[tok] = base + i
    tok = Qwen2Tokenizer(vocab=vocab, merges=[tuple(m) for m in merges], eos_token="<|im_end|>", pad_token="<|endoftext|>",
                         additional_special_tokens=SPECIAL_TOKENS[1:])
    ids = {t: tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    return tok, base + len(SPECIAL_TOKENS), ids


def save_tiny(model_cls, config, processor, out_dir: Path) -> Path:
    """Random weights (seed 0) saved with save_pretrained next to the processor, like a user's model folder."""
    import torch

    torch.manual_seed(0)
    model = model_cls(config).eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir


def build_tiny_qwen(out_dir: Path) -> Path:
    from transformers import (
        Qwen2_5_VLConfig,
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
        Qwen2VLImageProcessor,
        Qwen2VLVideoProcessor,
    )

    tok, vocab_size, ids = qwen_tokenizer()
    processor = Qwen2_5_VLProcessor(image_processor=Qwen2VLImageProcessor(), tokenizer=tok,
                                    video_processor=Qwen2VLVideoProcessor(), chat_template=CHAT_TEMPLATE)
    config = Qwen2_5_VLConfig(
        text_config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, vocab_size=vocab_size,
                         rope_parameters={"rope_type": "default", "rope_theta": 1e6, "mrope_section": [2, 3, 3]},
                         eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"]),
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64, patch_size=14,
                           spatial_merge_size=2, temporal_patch_size=2, window_size=112, fullatt_block_indexes=[1]),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
        eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"],
    )
    return save_tiny(Qwen2_5_VLForConditionalGeneration, config, processor, out_dir)
