"""Tiny random-weight CLIP and Stable Diffusion inpainting models, saved with save_pretrained into the
folder layouts users have (openai/clip-vit-base-patch32, runwayml/stable-diffusion-inpainting), so
tests and the benchmark load them through the same code path as real ones. The CLIP tokenizer is
the real one, rebuilt from the BPE merges that open-clip-torch ships."""

from __future__ import annotations

import gzip
from pathlib import Path

N_MERGES = 48894  # 49408 tokens = 256 bytes + 256 end-of-word bytes + merges + 2 specials


def _byte_symbols() -> list[str]:
    """One printable unicode character per byte value (the GPT-2/CLIP byte-level BPE alphabet), in
    vocabulary order: bytes that are printable as themselves first, then the others mapped above 255."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    others = [b for b in range(256) if b not in keep]
    return [chr(b) for b in keep] + [chr(256 + i) for i in range(len(others))]


def clip_tokenizer():
    import open_clip
    from transformers import CLIPTokenizer

    vocab_gz = Path(open_clip.__file__).parent / "bpe_simple_vocab_16e6.txt.gz"
    lines = gzip.open(vocab_gz).read().decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1:1 + N_MERGES]]
    tokens = _byte_symbols()
    tokens = tokens + [t + "</w>" for t in tokens] + ["".join(m) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
    vocab = {t: i for i, t in enumerate(tokens)}
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)


def build_tiny_clip(path: Path, tokenizer=None, image_size: int = 64, patch_size: int = 8) -> Path:
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    torch.manual_seed(0)
    tok = tokenizer or clip_tokenizer()
    config = CLIPConfig(
        text_config={"vocab_size": len(tok), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                     "num_attention_heads": 2, "max_position_embeddings": 77, "projection_dim": 32,
                     "bos_token_id": tok.bos_token_id, "eos_token_id": tok.eos_token_id, "pad_token_id": tok.pad_token_id},
        vision_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2,
                       "image_size": image_size, "patch_size": patch_size, "projection_dim": 32},
        projection_dim=32,
    )
    model = CLIPModel(config).eval()
    size = {"shortest_edge": image_size}
    crop = {"height": image_size, "width": image_size}
    processor = CLIPProcessor(image_processor=CLIPImageProcessor(size=size, crop_size=crop), tokenizer=tok)
    model.save_pretrained(path)
    processor.save_pretrained(path)
    return path


def build_sd_inpaint(path: Path, tokenizer=None, unet=None, vae=None) -> Path:
    """A tiny inpainting pipeline (working resolution 64 px) or, with `unet` / `vae`, any of those in it."""
    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionInpaintPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    tok = tokenizer or clip_tokenizer()
    if unet is None:
        unet = UNet2DConditionModel(
            sample_size=32, in_channels=9, out_channels=4, layers_per_block=1, block_out_channels=(32, 64),
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            cross_attention_dim=32, attention_head_dim=8, norm_num_groups=8,
        )
    cross_dim = unet.config.cross_attention_dim
    if vae is None:
        vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(16, 32), layers_per_block=1,
                            down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
                            up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"), norm_num_groups=8)
    text = CLIPTextModel(CLIPTextConfig(vocab_size=len(tok), hidden_size=cross_dim, intermediate_size=2 * cross_dim,
                                        num_hidden_layers=2, num_attention_heads=2 if cross_dim < 512 else 8,
                                        max_position_embeddings=77, bos_token_id=tok.bos_token_id,
                                        eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id))
    scheduler = PNDMScheduler(skip_prk_steps=True, steps_offset=1)
    pipe = StableDiffusionInpaintPipeline(vae=vae, text_encoder=text, tokenizer=tok, unet=unet, scheduler=scheduler,
                                          safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(path)
    return path


def build_tiny_sam_checkpoint(path: Path) -> Path:
    """A random-weight SAM from segment_anything's own classes, saved as a state-dict checkpoint."""
    from functools import partial

    import torch
    from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer

    torch.manual_seed(0)
    encoder = ImageEncoderViT(img_size=1024, patch_size=16, embed_dim=16, depth=1, num_heads=1, mlp_ratio=2, out_chans=32,
                              qkv_bias=True, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), use_rel_pos=True,
                              window_size=14, global_attn_indexes=(0,))
    prompt = PromptEncoder(embed_dim=32, image_embedding_size=(64, 64), input_image_size=(1024, 1024), mask_in_chans=16)
    decoder = MaskDecoder(num_multimask_outputs=3, transformer=TwoWayTransformer(depth=2, embedding_dim=32, mlp_dim=64, num_heads=2),
                          transformer_dim=32, iou_head_depth=3, iou_head_hidden_dim=32)
    sam = Sam(image_encoder=encoder, prompt_encoder=prompt, mask_decoder=decoder,
              pixel_mean=[123.675, 116.28, 103.53], pixel_std=[58.395, 57.12, 57.375]).eval()
    torch.save(sam.state_dict(), path)
    return path
