"""Colour/texture likelihood of "object" vs "background" per pixel: histograms of quantised Lab colour + local
contrast, object from the (eroded) mask interior, background from a ring outside the mask within 1.6 x the ROI.
Shared by the heuristic critic's questions and its verdict."""

from __future__ import annotations

import cv2
import numpy as np

from engine.types import Box

L_BINS, AB_BINS, TEX_BINS = 8, 8, 4


def quantised(image: np.ndarray) -> np.ndarray:
    """One histogram bin index per pixel (Lab colour x texture)."""
    h, w = image.shape[:2]
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    grey = lab[:, :, 0].astype(np.float32)
    k = max(3, int(0.01 * max(h, w)) | 1)
    mean = cv2.blur(grey, (k, k))
    std = np.sqrt(np.maximum(cv2.blur(grey * grey, (k, k)) - mean * mean, 0))
    tex = np.clip(std / 8.0, 0, TEX_BINS - 1).astype(np.int32)
    q = (lab[:, :, 0].astype(np.int32) * L_BINS // 256) * AB_BINS * AB_BINS * TEX_BINS
    q += (lab[:, :, 1].astype(np.int32) * AB_BINS // 256) * AB_BINS * TEX_BINS
    q += (lab[:, :, 2].astype(np.int32) * AB_BINS // 256) * TEX_BINS + tex
    return q


def sample_regions(inside: np.ndarray, outside_of: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """(object sample, background sample): `inside` eroded, and the ring of 1.6 x box outside `outside_of` dilated."""
    h, w = inside.shape
    erode = max(1, int(0.01 * max(h, w)))
    kernel = np.ones((3, 3), np.uint8)
    fg = cv2.erode(inside.astype(np.uint8), kernel, iterations=erode).astype(bool)
    if fg.sum() < 20:
        fg = inside.astype(bool)
    x0, y0, x1, y1 = box.scaled(1.6).clip(w, h).as_int_tuple()
    ring = np.zeros((h, w), bool)
    ring[y0:y1, x0:x1] = True
    dil = cv2.dilate(outside_of.astype(np.uint8), kernel, iterations=erode).astype(bool)
    ring &= ~dil
    if ring.sum() < 20:
        ring = ~dil
    return fg, ring


def log_ratio_from(q: np.ndarray, fg: np.ndarray, bg: np.ndarray, smooth_frac: float) -> np.ndarray:
    """Smoothed log p(object)/p(background) per pixel (0 everywhere when there is no object sample)."""
    h, w = q.shape
    n_bins = L_BINS * AB_BINS * AB_BINS * TEX_BINS
    p_fg = np.bincount(q[fg], minlength=n_bins).astype(np.float64) + 0.5
    p_bg = np.bincount(q[bg], minlength=n_bins).astype(np.float64) + 0.5
    lr = np.log(p_fg / p_fg.sum()) - np.log(p_bg / p_bg.sum())
    per_pixel = lr[q].astype(np.float32)
    s = max(3, int(smooth_frac * max(h, w)) | 1)
    smoothed = cv2.GaussianBlur(per_pixel, (s, s), 0)
    if not fg.any():
        smoothed[:] = 0.0
    return smoothed


def object_log_ratio(image: np.ndarray, mask: np.ndarray, box: Box, smooth_frac: float) -> np.ndarray:
    """The heuristic critic's map for one mask: object = its interior, background = the ring outside it."""
    fg, bg = sample_regions(mask, mask, box)
    return log_ratio_from(quantised(image), fg, bg, smooth_frac)
