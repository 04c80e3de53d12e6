"""Synthetic camouflage scenes: a textured blob on a similar textured background, with its GT.
The bundled samples in auxiliary/ and the tests are made by this code, so nothing is downloaded."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from engine.types import Box

SAMPLE_SPECS = {
    "demo": {"seed": 7, "instance": "crab", "size": (480, 360)},
    "moth": {"seed": 11, "instance": "moth", "size": (512, 384)},
    "flounder": {"seed": 23, "instance": "flounder", "size": (448, 448)},
    "gecko": {"seed": 31, "instance": "gecko", "size": (640, 400)},
}


@dataclass
class Scene:
    image: np.ndarray  # RGB uint8
    gt: np.ndarray  # bool
    box: Box  # tight GT box with a small margin, like an annotator's ROI
    instance: str


def _texture(rng: np.random.Generator, h: int, w: int, scales: tuple[int, ...]) -> np.ndarray:
    out = np.zeros((h, w), np.float32)
    for i, s in enumerate(scales):
        noise = rng.standard_normal((h // s + 2, w // s + 2)).astype(np.float32)
        up = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
        out += up / (i + 1)
    out -= out.min()
    return out / max(float(out.max()), 1e-6)


def _palette(t: np.ndarray, c0, c1, c2) -> np.ndarray:
    t = t[:, :, None]
    c0, c1, c2 = (np.array(c, np.float32) for c in (c0, c1, c2))
    lo = c0 + (c1 - c0) * np.clip(t * 2, 0, 1)
    hi = c1 + (c2 - c1) * np.clip(t * 2 - 1, 0, 1)
    return np.where(t < 0.5, lo, hi)


def _blob(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    cx, cy = w * rng.uniform(0.4, 0.6), h * rng.uniform(0.4, 0.6)
    r0 = min(h, w) * rng.uniform(0.2, 0.28)
    angles = np.linspace(0, 2 * np.pi, 256, endpoint=False)
    radius = np.full_like(angles, r0)
    for k in range(2, 6):
        radius += r0 * rng.uniform(0.04, 0.16) * np.cos(k * angles + rng.uniform(0, 2 * np.pi))
    pts = np.stack([cx + radius * np.cos(angles) * 1.25, cy + radius * np.sin(angles)], axis=1).astype(np.int32)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [pts], 1)
    return mask.astype(bool)


def generate_scene(seed: int = 0, size: tuple[int, int] = (480, 360), instance: str = "object") -> Scene:
    """size is (width, height)."""
    rng = np.random.default_rng(seed)
    w, h = size
    bg_t = _texture(rng, h, w, (24, 9, 3))
    fg_t = _texture(rng, h, w, (14, 5, 2))
    base = np.array([rng.uniform(70, 110), rng.uniform(90, 130), rng.uniform(40, 80)])
    bg = _palette(bg_t, base * 0.55, base, base * 1.35)
    shift = np.array([rng.uniform(8, 14), rng.uniform(-4, 4), rng.uniform(-14, -8)])
    fg = _palette(fg_t, base * 0.6 + shift, base + shift, base * 1.3 + shift)
    gt = _blob(rng, h, w)
    soft = cv2.GaussianBlur(gt.astype(np.float32), (5, 5), 0)[:, :, None]
    image = bg * (1 - soft) + fg * soft
    # a few object-like patches in the background: the camouflage distractors
    # object-like patches in the background, some touching the object: the camouflage distractors
    ys, xs = np.nonzero(cv2.morphologyEx(gt.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)))
    for i in range(4):
        patch = np.zeros((h, w), np.uint8)
        if i < 2:
            j = int(rng.integers(len(xs)))
            c = (int(xs[j]), int(ys[j]))
        else:
            c = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        cv2.ellipse(patch, c, (int(rng.uniform(14, 34)), int(rng.uniform(10, 24))), rng.uniform(0, 180), 0, 360, 1, -1)
        patch = patch.astype(bool) & ~gt
        image[patch] = fg[patch]
    image += rng.normal(0, 4, image.shape)
    image = np.clip(image, 0, 255).astype(np.uint8)
    tight = Box.from_mask(gt)
    assert tight is not None
    margin = 0.04 * max(tight.width, tight.height)
    box = Box(tight.x0 - margin, tight.y0 - margin, tight.x1 + margin, tight.y1 + margin).clip(w, h)
    return Scene(image, gt, box, instance)


def sample_scene(name: str) -> Scene:
    spec = SAMPLE_SPECS[name]
    return generate_scene(spec["seed"], spec["size"], spec["instance"])
