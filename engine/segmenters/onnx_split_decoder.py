"""SAM's prompt decoder split for clicks: an image graph run once per embedding and a prompt graph run per click.

The math is MaskDecoder.predict_masks with SamOnnxModel's prompt embedding, rearranged so that less of it
runs per click (checked against the torch decoder on every export, see onnx_export.agreement):
- the first two-way block's image-side projections (token->image keys and values, image->token queries)
  do not depend on the prompt, so the image graph computes them once per image; the mask prompt reaches
  them through the last 1x1 conv of mask_downscaling, whose linear map is folded into each projection
  (a 16-channel product per click instead of a 256-channel one);
- in the later blocks the three projections of the image tokens (keys + positional encoding for two of
  them) are one matmul, the positional encoding's share being a per-model constant;
- the output upscaling runs channels-last: each 2x2 stride-2 transposed conv is one matmul and a pixel
  shuffle, LayerNorm2d is a plain LayerNormalization over the last axis.
Inputs of the prompt graph: image_embeddings, the image graph's outputs, and SamOnnxModel's point_coords,
point_labels, mask_input, has_mask_input; outputs iou_predictions (1, 4) and low_res_masks (1, 4, 256, 256)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from segment_anything.modeling import Sam
from segment_anything.modeling.transformer import Attention
from segment_anything.utils.onnx import SamOnnxModel

IMAGE_INPUTS = ("image_embeddings",)
IMAGE_OUTPUTS = ("t2i_keys", "t2i_values", "i2t_queries")  # the first block's image-side projections
PROMPT_INPUTS = ("image_embeddings", *IMAGE_OUTPUTS, "point_coords", "point_labels", "mask_input", "has_mask_input")


def _tokens(x: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) -> (B, HW, C), the transformer's token layout."""
    return x.flatten(2).transpose(1, 2)


def _attend(att: Attention, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Attention.forward after its three input projections (q, k, v given projected)."""
    def heads(x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        return x.reshape(b, n, att.num_heads, c // att.num_heads).transpose(1, 2)

    q, k, v = heads(q), heads(k), heads(v)
    weights = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(q.shape[-1]), dim=-1)
    out = (weights @ v).transpose(1, 2)
    return att.out_proj(out.reshape(out.shape[0], out.shape[1], -1))


def _deconv2x2(x: torch.Tensor, conv: torch.nn.ConvTranspose2d) -> torch.Tensor:
    """ConvTranspose2d(kernel 2, stride 2) on channels-last (B, H, W, Cin) -> (B, 2H, 2W, Cout)."""
    cin, cout = int(conv.weight.shape[0]), int(conv.weight.shape[1])
    b, h, w, _ = x.shape
    y = x.reshape(b, h * w, cin) @ conv.weight.permute(0, 2, 3, 1).reshape(cin, 4 * cout)
    y = y.reshape(b, h, w, 2, 2, cout).permute(0, 1, 3, 2, 4, 5)
    return y.reshape(b, 2 * h, 2 * w, cout) + conv.bias


def _layer_norm_last(x: torch.Tensor, ln: torch.nn.Module) -> torch.Tensor:
    """segment_anything's LayerNorm2d (over channels) on a channels-last tensor."""
    return F.layer_norm(x, (int(ln.weight.shape[0]),), ln.weight, ln.bias, ln.eps)


class ImageSide(torch.nn.Module):
    """Per image: the first block's projections of the image tokens (with the positional encoding where
    the block adds it), for the mask prompt's no-mask value; the prompt graph adds the mask's share."""

    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.model = model

    @torch.no_grad()
    def forward(self, image_embeddings: torch.Tensor):
        blk = self.model.mask_decoder.transformer.layers[0]
        img = _tokens(image_embeddings)
        img_pe = img + _tokens(self.model.prompt_encoder.get_dense_pe())
        return (blk.cross_attn_token_to_image.k_proj(img_pe), blk.cross_attn_token_to_image.v_proj(img),
                blk.cross_attn_image_to_token.q_proj(img_pe))


class PromptSide(SamOnnxModel):
    """Per click: the rest of the decoder (all four masks and scores, low resolution)."""

    def __init__(self, model: Sam) -> None:
        super().__init__(model, return_single_mask=False)
        self.key_pe = _tokens(model.prompt_encoder.get_dense_pe()).detach()  # (1, HW, C)
        pe = self.key_pe[0]
        self.fused = [self._fuse(layer) for layer in model.mask_decoder.transformer.layers[1:]]
        final = model.mask_decoder.transformer.final_attn_token_to_image
        self.final_w = torch.cat([final.k_proj.weight, final.v_proj.weight]).detach()
        self.final_b = torch.cat([final.k_proj.bias + pe @ final.k_proj.weight.t(),
                                  final.v_proj.bias.expand(pe.shape[0], -1)], dim=-1).detach()

    def _fuse(self, blk: torch.nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
        """One matmul for a later block's three projections of the image tokens: (weight, per-token bias)."""
        t2i, i2t = blk.cross_attn_token_to_image, blk.cross_attn_image_to_token
        pe = self.key_pe[0]
        w = torch.cat([t2i.k_proj.weight, t2i.v_proj.weight, i2t.q_proj.weight])
        b = torch.cat([t2i.k_proj.bias + pe @ t2i.k_proj.weight.t(), t2i.v_proj.bias.expand(pe.shape[0], -1),
                       i2t.q_proj.bias + pe @ i2t.q_proj.weight.t()], dim=-1)
        return w.detach(), b.detach()

    @torch.no_grad()
    def forward(self, image_embeddings, t2i_keys, t2i_values, i2t_queries, point_coords, point_labels, mask_input,
                has_mask_input):  # type: ignore[override]
        enc, dec = self.model.prompt_encoder, self.model.mask_decoder
        tr = dec.transformer
        sparse = self._embed_points(point_coords, point_labels)
        last = enc.mask_downscaling[-1]  # the 1x1 conv to the embedding width
        h = _tokens(enc.mask_downscaling[:-1](mask_input))
        w_last, no_mask = last.weight[:, :, 0, 0], enc.no_mask_embed.weight

        def mask_share(proj: torch.nn.Linear) -> torch.Tensor:
            """proj(dense) - proj.bias for SamOnnxModel's dense = has * last(mask) + (1 - has) * no_mask."""
            w = proj.weight
            return (has_mask_input * (h @ (w @ w_last).t() + w @ last.bias)
                    + (1 - has_mask_input) * (no_mask @ w.t()))

        dense = has_mask_input * F.linear(h, w_last, last.bias) + (1 - has_mask_input) * no_mask
        out_tokens = torch.cat([dec.iou_token.weight, dec.mask_tokens.weight], dim=0)[None]
        query_pe = torch.cat((out_tokens, sparse), dim=1)
        keys = _tokens(image_embeddings) + dense
        # the first block (TwoWayAttentionBlock with skip_first_layer_pe), its image-side projections given
        blk = tr.layers[0]
        queries = blk.norm1(blk.self_attn(q=query_pe, k=query_pe, v=query_pe))
        t2i, i2t = blk.cross_attn_token_to_image, blk.cross_attn_image_to_token
        attn = _attend(t2i, t2i.q_proj(queries + query_pe), t2i_keys + mask_share(t2i.k_proj),
                       t2i_values + mask_share(t2i.v_proj))
        queries = blk.norm2(queries + attn)
        queries = blk.norm3(queries + blk.mlp(queries))
        q = queries + query_pe
        keys = blk.norm4(keys + _attend(i2t, i2t_queries + mask_share(i2t.q_proj), i2t.k_proj(q), i2t.v_proj(queries)))
        for blk, (w, b) in zip(tr.layers[1:], self.fused, strict=True):
            t2i, i2t = blk.cross_attn_token_to_image, blk.cross_attn_image_to_token
            k, v, q_img = (keys @ w.t() + b).split(int(t2i.k_proj.weight.shape[0]), dim=-1)
            q = queries + query_pe
            queries = blk.norm1(queries + blk.self_attn(q=q, k=q, v=queries))
            queries = blk.norm2(queries + _attend(t2i, t2i.q_proj(queries + query_pe), k, v))
            queries = blk.norm3(queries + blk.mlp(queries))
            q = queries + query_pe
            keys = blk.norm4(keys + _attend(i2t, q_img, i2t.k_proj(q), i2t.v_proj(queries)))
        final = tr.final_attn_token_to_image
        k, v = (keys @ self.final_w.t() + self.final_b).split(int(final.k_proj.weight.shape[0]), dim=-1)
        queries = tr.norm_final_attn(queries + _attend(final, final.q_proj(queries + query_pe), k, v))
        return self._masks(queries, keys)

    def _masks(self, hs: torch.Tensor, src: torch.Tensor):
        dec = self.model.mask_decoder
        gh, gw = self.model.prompt_encoder.image_embedding_size
        up = dec.output_upscaling  # ConvTranspose2d, LayerNorm2d, GELU, ConvTranspose2d, GELU
        x = up[2](_layer_norm_last(_deconv2x2(src.reshape(src.shape[0], gh, gw, -1), up[0]), up[1]))
        x = up[4](_deconv2x2(x, up[3]))
        hyper = torch.stack([mlp(hs[:, 1 + i, :]) for i, mlp in enumerate(dec.output_hypernetworks_mlps)], dim=1)
        b, h, w, c = x.shape
        masks = (x.reshape(b, h * w, c) @ hyper.transpose(1, 2)).transpose(1, 2).reshape(b, -1, h, w)
        return dec.iou_prediction_head(hs[:, 0, :]), masks


__all__ = ["IMAGE_INPUTS", "IMAGE_OUTPUTS", "PROMPT_INPUTS", "ImageSide", "PromptSide"]
