"""SAM's prompt decoder split for clicks: an image graph run once per embedding and a prompt graph run per click.

The math is MaskDecoder.predict_masks with SamOnnxModel's prompt embedding, rearranged so that less of it
runs per click (checked against the torch decoder on every export, see onnx_export.agreement):
- the image graph gives the image tokens (the transpose of the embedding) and the first two-way block's
  image-side projections (token->image keys and values, image->token queries), which do not depend on the
  prompt; the mask prompt reaches keys and projections through the last 1x1 conv of mask_downscaling, whose
  linear map (with has_mask_input's mix of its bias and no_mask_embed) is folded into each projection: per
  click one 18-wide product added onto the precomputed tokens (a Gemm with the tokens as its C);
- image tokens are 2-D (tokens, channels) throughout, so every projection of them is one Gemm with its
  bias (in the later blocks a per-token bias that carries the positional encoding's share, a constant);
- the output upscaling runs on blocked pixels: each 2x2 stride-2 transposed conv is one Gemm whose output
  rows are the four sub-pixels of an input pixel, LayerNorm2d and GELU act per pixel whatever the order,
  and only the four masks (not the 32-channel features) are put back in raster order at the end.
Inputs of the prompt graph: the image graph's outputs and SamOnnxModel's point_coords, point_labels,
mask_input, has_mask_input; outputs iou_predictions (1, 4) and low_res_masks (1, 4, 256, 256)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from segment_anything.modeling import Sam
from segment_anything.modeling.transformer import Attention
from segment_anything.utils.onnx import SamOnnxModel

IMAGE_INPUTS = ("image_embeddings",)
# the image tokens (HW, C) and the first block's image-side projections (HW, C_attn)
IMAGE_OUTPUTS = ("image_tokens", "t2i_keys", "t2i_values", "i2t_queries")
PROMPT_INPUTS = (*IMAGE_OUTPUTS, "point_coords", "point_labels", "mask_input", "has_mask_input")


def _tokens(x: torch.Tensor) -> torch.Tensor:
    """(1, C, H, W) -> (HW, C), the transformer's token layout for one image."""
    return x.flatten(2)[0].t()


def _linear(x: torch.Tensor, lin: torch.nn.Linear, bias: torch.Tensor | None = None) -> torch.Tensor:
    """lin(x) on 2-D x as one Gemm (ONNX Gemm with the bias, or a per-token bias, as its C)."""
    return torch.addmm(lin.bias if bias is None else bias, x, lin.weight.t())


def _attend(att: Attention, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Attention.forward after its three input projections, on 2-D (tokens, channels) q, k, v."""
    heads, dim = att.num_heads, q.shape[-1] // att.num_heads
    qh = q.reshape(-1, heads, dim).transpose(0, 1)
    kh = k.reshape(-1, heads, dim).permute(1, 2, 0)
    vh = v.reshape(-1, heads, dim).transpose(0, 1)
    weights = torch.softmax((qh @ kh) * (1.0 / math.sqrt(dim)), dim=-1)
    out = (weights @ vh).transpose(0, 1).reshape(q.shape[0], -1)
    return _linear(out, att.out_proj)


def _self_attend(att: Attention, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Attention.forward (projections included) on 2-D token tensors."""
    return _attend(att, _linear(q, att.q_proj), _linear(k, att.k_proj), _linear(v, att.v_proj))


def _deconv_weight(conv: torch.nn.ConvTranspose2d) -> tuple[torch.Tensor, torch.Tensor]:
    """ConvTranspose2d(kernel 2, stride 2) as (Cin, 4*Cout) weight + bias: output columns (dy, dx, Cout)."""
    cin, cout = int(conv.weight.shape[0]), int(conv.weight.shape[1])
    return conv.weight.permute(0, 2, 3, 1).reshape(cin, 4 * cout).detach(), conv.bias.repeat(4).detach()


def _layer_norm_last(x: torch.Tensor, ln: torch.nn.Module) -> torch.Tensor:
    """segment_anything's LayerNorm2d (over channels) on channels-last rows."""
    return F.layer_norm(x, (int(ln.weight.shape[0]),), ln.weight, ln.bias, ln.eps)


class ImageSide(torch.nn.Module):
    """Per image: the image tokens and the first block's projections of them (with the positional encoding
    where the block adds it), for no dense prompt; the prompt graph adds the mask prompt's share."""

    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.model = model

    @torch.no_grad()
    def forward(self, image_embeddings: torch.Tensor):
        blk = self.model.mask_decoder.transformer.layers[0]
        img = _tokens(image_embeddings)
        img_pe = img + _tokens(self.model.prompt_encoder.get_dense_pe())
        t2i, i2t = blk.cross_attn_token_to_image, blk.cross_attn_image_to_token
        return img, _linear(img_pe, t2i.k_proj), _linear(img, t2i.v_proj), _linear(img_pe, i2t.q_proj)


class PromptSide(SamOnnxModel):
    """Per click: the rest of the decoder (all four masks and scores, low resolution)."""

    def __init__(self, model: Sam) -> None:
        super().__init__(model, return_single_mask=False)
        enc, tr = model.prompt_encoder, model.mask_decoder.transformer
        pe = _tokens(enc.get_dense_pe()).detach()  # (HW, C)
        last = enc.mask_downscaling[-1]  # the 1x1 conv to the embedding width
        # dense prompt = [h * has, has, 1 - has] @ dense_map, h the mask's 16 channels before that conv
        self.dense_map = torch.cat([last.weight[:, :, 0, 0].t(), last.bias[None], enc.no_mask_embed.weight]).detach()
        first = tr.layers[0]
        self.first_maps = [(self.dense_map @ p.weight.t()).detach() for p in (
            first.cross_attn_token_to_image.k_proj, first.cross_attn_token_to_image.v_proj,
            first.cross_attn_image_to_token.q_proj)]
        # later blocks: per-token biases of the image-side projections (the positional encoding's share folded)
        self.later = [(blk.cross_attn_token_to_image.k_proj.bias + pe @ blk.cross_attn_token_to_image.k_proj.weight.t(),
                       blk.cross_attn_image_to_token.q_proj.bias + pe @ blk.cross_attn_image_to_token.q_proj.weight.t())
                      for blk in tr.layers[1:]]
        self.later = [(k.detach(), q.detach()) for k, q in self.later]
        self.key_pe = pe
        up = model.mask_decoder.output_upscaling  # ConvTranspose2d, LayerNorm2d, GELU, ConvTranspose2d, GELU
        self.up1, self.up2 = _deconv_weight(up[0]), _deconv_weight(up[3])

    @torch.no_grad()
    def forward(self, image_tokens, t2i_keys, t2i_values, i2t_queries, point_coords, point_labels, mask_input,
                has_mask_input):  # type: ignore[override]
        enc, dec = self.model.prompt_encoder, self.model.mask_decoder
        tr = dec.transformer
        sparse = self._embed_points(point_coords, point_labels)[0]
        h = _tokens(enc.mask_downscaling[:-1](mask_input))  # (HW, 16)
        n = h.shape[0]
        mix = torch.cat([h * has_mask_input, has_mask_input.expand(n, 1), (1 - has_mask_input).expand(n, 1)], dim=1)
        keys = torch.addmm(image_tokens, mix, self.dense_map)
        out_tokens = torch.cat([dec.iou_token.weight, dec.mask_tokens.weight], dim=0)
        query_pe = torch.cat((out_tokens, sparse), dim=0)
        # the first block (TwoWayAttentionBlock with skip_first_layer_pe), its image-side projections given
        blk = tr.layers[0]
        k_map, v_map, q_map = self.first_maps
        t2i, i2t = blk.cross_attn_token_to_image, blk.cross_attn_image_to_token
        queries = blk.norm1(_self_attend(blk.self_attn, query_pe, query_pe, query_pe))
        attn = _attend(t2i, _linear(queries + query_pe, t2i.q_proj), torch.addmm(t2i_keys, mix, k_map),
                       torch.addmm(t2i_values, mix, v_map))
        queries = blk.norm2(queries + attn)
        queries = blk.norm3(queries + blk.mlp(queries))
        q = queries + query_pe
        keys = blk.norm4(keys + _attend(i2t, torch.addmm(i2t_queries, mix, q_map), _linear(q, i2t.k_proj),
                                        _linear(queries, i2t.v_proj)))
        for blk, (k_bias, q_bias) in zip(tr.layers[1:], self.later, strict=True):
            t2i, i2t = blk.cross_attn_token_to_image, blk.cross_attn_image_to_token
            q = queries + query_pe
            queries = blk.norm1(queries + _self_attend(blk.self_attn, q, q, queries))
            attn = _attend(t2i, _linear(queries + query_pe, t2i.q_proj), _linear(keys, t2i.k_proj, k_bias),
                           _linear(keys, t2i.v_proj))
            queries = blk.norm2(queries + attn)
            queries = blk.norm3(queries + blk.mlp(queries))
            q = queries + query_pe
            keys = blk.norm4(keys + _attend(i2t, _linear(keys, i2t.q_proj, q_bias), _linear(q, i2t.k_proj),
                                            _linear(queries, i2t.v_proj)))
        n_out = out_tokens.shape[0]  # only the iou and mask tokens' outputs are read after the final attention
        out = queries[:n_out] + self._final_attend(queries[:n_out] + query_pe[:n_out], keys)
        return self._masks(tr.norm_final_attn(out), keys)

    def _final_attend(self, q: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """The final token->image attention for the few output tokens, its key and value projections moved
        to the token side (softmax ignores the key bias; its rows sum to 1, so the value bias passes)."""
        att = self.model.mask_decoder.transformer.final_attn_token_to_image
        heads, dim = att.num_heads, att.internal_dim // att.num_heads
        wk = att.k_proj.weight.reshape(heads, dim, -1)  # (heads, dim, C)
        qh = _linear(q, att.q_proj).reshape(-1, heads, dim).transpose(0, 1)  # (heads, n, dim)
        qk = (qh @ wk).reshape(-1, wk.shape[-1])  # (heads * n, C)
        logits = (qk @ (keys + self.key_pe).t()) * (1.0 / math.sqrt(dim))
        weights = torch.softmax(logits, dim=-1)  # (heads * n, HW)
        mixed = (weights @ keys).reshape(heads, q.shape[0], -1)  # (heads, n, C)
        wv = att.v_proj.weight.reshape(heads, dim, -1).transpose(1, 2)  # (heads, C, dim)
        out = (mixed @ wv + att.v_proj.bias.reshape(heads, 1, dim)).transpose(0, 1).reshape(q.shape[0], -1)
        return _linear(out, att.out_proj)

    def _masks(self, hs: torch.Tensor, src: torch.Tensor):
        dec = self.model.mask_decoder
        gh, gw = self.model.prompt_encoder.image_embedding_size
        up = dec.output_upscaling
        (w1, b1), (w2, b2) = self.up1, self.up2
        c1, c2 = w1.shape[1] // 4, w2.shape[1] // 4
        x = up[2](_layer_norm_last(torch.addmm(b1, src, w1).reshape(-1, c1), up[1]))  # rows (pixel, dy, dx)
        x = up[4](torch.addmm(b2, x, w2).reshape(-1, c2))  # rows (pixel, dy, dx, dy2, dx2)
        hyper = torch.stack([mlp(hs[1 + i]) for i, mlp in enumerate(dec.output_hypernetworks_mlps)], dim=1)
        # (mask, pixel, dy, dx, dy2, dx2) -> raster order (mask, row, col), row = 4 i + 2 dy + dy2
        masks = (hyper.t() @ x.t()).reshape(-1, gw, 2, 2, 2, 2).permute(0, 2, 4, 1, 3, 5)
        return dec.iou_prediction_head(hs[0])[None], masks.reshape(1, -1, 4 * gh, 4 * gw)


__all__ = ["IMAGE_INPUTS", "IMAGE_OUTPUTS", "PROMPT_INPUTS", "ImageSide", "PromptSide"]
