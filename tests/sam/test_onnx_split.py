"""The `sam` runtime's split ONNX decoder (engine/segmenters/onnx_split_decoder.py): the image graph's
precomputed projections and the per-click graph give segment_anything's own torch decoder's logits,
for 1, 2 and 3 two-way blocks, with and without a mask prompt; the image graph runs once per embedding."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch

pytest.importorskip("onnxruntime")

from engine.segmenters.onnx_common import SplitDecoderSession, check_prompts  # noqa: E402
from engine.segmenters.onnx_export import export_split_decoder, torch_decode  # noqa: E402


def tiny_sam(depth: int, seed: int = 0, width: int = 32, heads: int = 4, mlp: int = 64):
    """A SAM with a 1-block image encoder and a decoder of `depth` two-way blocks, `width` channels, `heads`."""
    from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer
    from segment_anything.modeling.common import LayerNorm2d

    torch.manual_seed(seed)
    sam = Sam(
        image_encoder=ImageEncoderViT(img_size=1024, patch_size=16, embed_dim=16, depth=1, num_heads=1, mlp_ratio=2,
                                      out_chans=width, qkv_bias=True, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6)),
        prompt_encoder=PromptEncoder(embed_dim=width, image_embedding_size=(64, 64), input_image_size=(1024, 1024),
                                     mask_in_chans=16),
        mask_decoder=MaskDecoder(num_multimask_outputs=3,
                                 transformer=TwoWayTransformer(depth=depth, embedding_dim=width, mlp_dim=mlp, num_heads=heads),
                                 transformer_dim=width, iou_head_depth=3, iou_head_hidden_dim=width),
        pixel_mean=[123.675, 116.28, 103.53], pixel_std=[58.395, 57.12, 57.375],
    ).eval()
    for mod in sam.modules():  # LayerNorm2d starts as the identity affine map: make its parameters count
        if isinstance(mod, LayerNorm2d):
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.2, 0.2)
    return sam


class CountingSession:
    """Wraps an onnxruntime session and counts its runs (the code around it is real)."""

    def __init__(self, sess):
        self.sess, self.runs = sess, 0

    def run(self, *args, **kw):
        self.runs += 1
        return self.sess.run(*args, **kw)

    def get_outputs(self):
        return self.sess.get_outputs()


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_split_decoder_gives_the_torch_logits(depth):
    model = tiny_sam(depth)
    image, prompt = export_split_decoder(model)
    dec = SplitDecoderSession.open(image, prompt, threads=1, providers="cpu")
    dec.image = CountingSession(dec.image)
    feats = torch.randn(1, 32, 64, 64, generator=torch.Generator().manual_seed(depth))
    prev = torch.randn(1, 1, 256, 256, generator=torch.Generator().manual_seed(7))
    arr = feats.numpy()
    for coords, labels, box in check_prompts():
        for mask in (None, prev):
            ref_low, ref_scores = torch_decode(model, feats, coords, labels, box, mask)
            low, scores = dec.run(arr, coords, labels, box, None if mask is None else mask.numpy(), (768, 1024),
                                  image_key=feats)
            assert np.abs(low - ref_low).max() < 1e-4 * max(1.0, float(np.abs(ref_low).max()))
            assert np.allclose(scores, ref_scores, atol=1e-5)
    assert dec.image.runs == 1  # the image graph ran once for this embedding (the same key object)
    other = feats * 2
    low, _ = dec.run(other.numpy(), *check_prompts()[0], None, (768, 1024), image_key=other)
    assert dec.image.runs == 2  # another embedding runs it again, and is what the prompt graph sees
    assert np.abs(low - torch_decode(model, other, *check_prompts()[0])[0]).max() < 1e-3
    dec.run(arr, *check_prompts()[0], None, (768, 1024))
    dec.run(arr, *check_prompts()[0], None, (768, 1024))
    assert dec.image.runs == 4  # without a key nothing is remembered


def test_sam_onnx_knows_the_split_export_version():
    """sam-onnx (torch-free) checks a split pair's record against the export version it understands."""
    from engine.segmenters.onnx_export import EXPORT_VERSION
    from engine.segmenters.sam_onnx import SPLIT_EXPORT_VERSION

    assert SPLIT_EXPORT_VERSION == EXPORT_VERSION


def test_split_decoder_at_the_real_decoder_shape():
    """SAM's own decoder shape (256 wide, 8 heads, 2 blocks, MLP 2048: vit_b/l/h share it) with clicks without
    a box, one click, and a box alone, each with and without a mask prompt."""
    sam = tiny_sam(2, seed=3, width=256, heads=8, mlp=2048)
    dec = SplitDecoderSession.open(*export_split_decoder(sam), threads=1, providers="cpu")
    feats = torch.randn(1, 256, 64, 64, generator=torch.Generator().manual_seed(1))
    prev = torch.randn(1, 1, 256, 256, generator=torch.Generator().manual_seed(2))
    rng = np.random.default_rng(0)
    clicks = (rng.random((5, 2)) * 1000).astype(np.float32)
    prompts = [(clicks, np.array([1, 0, 1, 1, 0], np.int64), None), *check_prompts()[1:2], check_prompts()[0]]
    for coords, labels, box in prompts:
        for mask in (None, prev):
            ref_low, ref_scores = torch_decode(sam, feats, coords, labels, box, mask)
            low, scores = dec.run(feats.numpy(), coords, labels, box, None if mask is None else mask.numpy(), (768, 1024),
                                  image_key=feats)
            assert np.abs(low - ref_low).max() < 1e-4 * max(1.0, float(np.abs(ref_low).max()))
            assert np.allclose(scores, ref_scores, atol=1e-5)
