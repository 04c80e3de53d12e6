"""`grabcut`: the classical baseline segmenter (OpenCV GrabCut), needs no weights.

The box initialises GrabCut (outside = background, inside = probably foreground); positive and
negative points are painted as sure foreground/background disks. Work happens on a crop around
the box, downscaled to `max_side`, so a click costs about the same on any image size."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from engine.registry import SEGMENTERS
from engine.segmenters.base import Prediction
from engine.types import Box, Point


@SEGMENTERS.register("grabcut")
class GrabCutSegmenter:
    name = "grabcut"

    def __init__(self, iterations: int = 5, max_side: int = 512, seed_radius_frac: float = 0.025, context: float = 0.15,
                 local_band: float = 0.03) -> None:
        self.iterations = int(iterations)
        self.max_side = int(max_side)
        self.seed_radius_frac = float(seed_radius_frac)
        self.context = float(context)
        self.local_band = float(local_band)  # refining: only this far (x crop side) from the old boundary may change, or near a click
        self._image: np.ndarray | None = None

    def info(self) -> dict:
        return {"name": self.name, "kind": "classical baseline", "opencv": cv2.__version__,
                "iterations": self.iterations, "max_side": self.max_side}

    def prepare(self, image: np.ndarray) -> None:
        self._image = np.ascontiguousarray(image)

    def mask_prompt(self, mask: np.ndarray) -> np.ndarray | None:
        """A mask (e.g. after a brush stroke) in the form predict() takes as prev_logits: +-1 at full size."""
        return np.where(mask.astype(bool), 1.0, -1.0).astype(np.float32)

    def predict(self, box: Box | None, points: Sequence[Point], prev_logits: np.ndarray | None = None) -> Prediction:
        if self._image is None:
            raise RuntimeError("grabcut: prepare(image) first")
        img = self._image
        h, w = img.shape[:2]
        full = np.zeros((h, w), bool)
        if box is None:
            pos = [p for p in points if p.is_positive]
            if not pos:
                return Prediction(full[None], np.array([0.0]), None)
            xs, ys = [p.x for p in pos], [p.y for p in pos]
            r = 0.1 * max(h, w)
            box = Box(min(xs) - r, min(ys) - r, max(xs) + r, max(ys) + r)
        box = box.clip(w, h)
        for p in points:  # the crop must hold every seed
            box_with = box.including(p.x, p.y, 1)
            box = box_with if p.is_positive else box
        pad_x, pad_y = self.context * box.width + 4, self.context * box.height + 4
        cx0, cy0 = int(max(0, box.x0 - pad_x)), int(max(0, box.y0 - pad_y))
        cx1, cy1 = int(min(w, box.x1 + pad_x)), int(min(h, box.y1 + pad_y))
        crop = img[cy0:cy1, cx0:cx1]
        scale = min(1.0, self.max_side / max(crop.shape[:2]))
        small = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
                           interpolation=cv2.INTER_AREA) if scale < 1 else crop
        sh, sw = small.shape[:2]
        gc = np.full((sh, sw), cv2.GC_BGD, np.uint8)
        bx0, by0 = int((box.x0 - cx0) * scale), int((box.y0 - cy0) * scale)
        bx1, by1 = int(np.ceil((box.x1 - cx0) * scale)), int(np.ceil((box.y1 - cy0) * scale))
        gc[by0:by1, bx0:bx1] = cv2.GC_PR_FGD
        prev = None
        if prev_logits is not None and prev_logits.shape == (h, w):
            # start from the previous mask: inside the box, its background is "probably background"
            prev = prev_logits[cy0:cy1, cx0:cx1] > 0
            prev_small = cv2.resize(prev.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST).astype(bool)
            inside = gc == cv2.GC_PR_FGD
            gc[inside & ~prev_small] = cv2.GC_PR_BGD
            if self.local_band > 0 and prev_small.any() and points:
                self._lock_far_from_edits(gc, prev_small, points, (cx0, cy0), scale)
        if not (gc == cv2.GC_BGD).any():  # the box covers the whole image: let the frame be probably background
            gc[[0, -1], :] = cv2.GC_PR_BGD
            gc[:, [0, -1]] = cv2.GC_PR_BGD
        radius = max(2, int(round(self.seed_radius_frac * max(h, w) * scale)))
        for p in points:
            px, py = int(round((p.x - cx0) * scale)), int(round((p.y - cy0) * scale))
            if 0 <= px < sw and 0 <= py < sh:
                cv2.circle(gc, (px, py), radius, cv2.GC_FGD if p.is_positive else cv2.GC_BGD, -1)
        if not np.isin(gc, (cv2.GC_FGD, cv2.GC_PR_FGD)).any():
            return Prediction(full[None], np.array([0.0]), None)
        seeds = gc.copy()
        gc = self._grabcut(small, seeds)
        if not np.isin(gc, (cv2.GC_FGD, cv2.GC_PR_FGD)).any() and not any(p.is_positive for p in points):
            # on camouflage the background model can explain the whole box and GrabCut returns nothing:
            # retry with the box's central ellipse as sure foreground (the object is usually in the middle)
            core = np.zeros_like(seeds)
            centre = ((bx0 + bx1) // 2, (by0 + by1) // 2)
            cv2.ellipse(core, centre, (max(1, (bx1 - bx0) // 5), max(1, (by1 - by0) // 5)), 0, 0, 360, 1, -1)
            seeds[(core > 0) & (seeds == cv2.GC_PR_FGD)] = cv2.GC_FGD
            gc = self._grabcut(small, seeds)
        fg_small = np.isin(gc, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)
        fg = cv2.resize(fg_small, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_LINEAR) >= 0.5 if scale < 1 else fg_small > 0
        score = self._score(fg_small, gc)
        if not fg.any() and prev is not None and prev.any():
            # GrabCut collapses when the background seeds look like the object (camouflage): keep the
            # previous mask and apply the clicks locally instead of returning nothing
            fg = prev.copy()
            r_full = max(2, int(round(self.seed_radius_frac * max(h, w))))
            for p in points:
                disk = np.zeros(fg.shape, np.uint8)
                cv2.circle(disk, (int(round(p.x - cx0)), int(round(p.y - cy0))), r_full, 1, -1)
                fg[disk.astype(bool)] = p.is_positive
            score *= 0.5
        full[cy0:cy1, cx0:cx1] = fg
        logits = np.where(full, 1.0, -1.0).astype(np.float32)[None]  # the mask, for the next call's prev_logits
        return Prediction(full[None], np.array([score]), logits)

    def _lock_far_from_edits(self, gc: np.ndarray, prev: np.ndarray, points: Sequence[Point],
                             origin: tuple[int, int], scale: float) -> None:
        """Refining with clicks: pixels deep inside or outside the previous mask, and away from every click,
        keep their label. GrabCut re-estimates its colour models globally, and on camouflage one correct
        click could otherwise flip large parts of the mask far from where the annotator clicked."""
        band = max(3.0, self.local_band * max(gc.shape))
        inside = cv2.distanceTransform(np.pad(prev, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
        outside = cv2.distanceTransform(np.pad(~prev, 1, constant_values=True).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
        near_click = np.zeros(gc.shape, np.uint8)
        for p in points:
            c = (int(round((p.x - origin[0]) * scale)), int(round((p.y - origin[1]) * scale)))
            cv2.circle(near_click, c, int(round(4 * band)), 1, -1)
        free = near_click.astype(bool)
        gc[(inside > band) & ~free & (gc == cv2.GC_PR_FGD)] = cv2.GC_FGD
        gc[(outside > band) & ~free & (gc == cv2.GC_PR_BGD)] = cv2.GC_BGD

    def _grabcut(self, image: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        gc = seeds.copy()
        cv2.setRNGSeed(0)  # GrabCut's GMM initialisation uses OpenCV's global RNG: keep it deterministic
        bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        cv2.grabCut(np.ascontiguousarray(image), gc, None, bgd, fgd, self.iterations, cv2.GC_INIT_WITH_MASK)
        return gc

    @staticmethod
    def _score(fg: np.ndarray, gc: np.ndarray) -> float:
        """A rough confidence: how much of the uncertain area GrabCut settled as foreground vs the
        share of foreground touching the crop frame (a mask that runs to the frame is doubtful)."""
        frame = np.concatenate([fg[0], fg[-1], fg[:, 0], fg[:, -1]])
        return float(max(0.0, 1.0 - frame.mean()) * (0.5 + 0.5 * min(1.0, fg.mean() * 4)))
