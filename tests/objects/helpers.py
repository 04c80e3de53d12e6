"""A tiny two-object scene (two coloured discs on a noisy background) in the aux layout, and stubs."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from engine.errors import CriticUnavailable
from engine.io.atomic import write_image, write_json, write_mask
from engine.segmenters.grabcut import GrabCutSegmenter
from engine.types import Box, CriticReply, Point, PointLabel, PointSource

W, H = 160, 120
BOX_A = Box(10, 20, 70, 90)
BOX_B = Box(90, 30, 150, 100)


def two_disc_scene(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image RGB, gt A, gt B)."""
    rng = np.random.default_rng(seed)
    img = rng.integers(90, 140, (H, W, 3), dtype=np.uint8)
    a = np.zeros((H, W), np.uint8)
    b = np.zeros((H, W), np.uint8)
    cv2.circle(a, (40, 55), 24, 1, -1)
    cv2.ellipse(b, (120, 65), (24, 28), 0, 0, 360, 1, -1)
    img[a > 0] = (200, 40, 40)
    img[b > 0] = (40, 60, 210)
    return img, a.astype(bool), b.astype(bool)


def make_two_box_aux(root: Path, name: str = "pair", labels: tuple[str, str] | None = ("crab", "shell")) -> Path:
    img, a, b = two_disc_scene()
    write_image(root / "images" / f"{name}.png", img)
    doc = {"boxes": [BOX_A.as_list(), BOX_B.as_list()]}
    if labels:
        doc["labels"] = list(labels)
    write_json(root / "box_out" / name / f"{name}_sam_boxes.json", doc)
    write_json(root / "llm_out" / f"{name}_output.json", {"instance": "animal"})
    write_mask(root / "gt" / f"{name}.png", a | b)
    return root


def grabcut() -> GrabCutSegmenter:
    return GrabCutSegmenter()


class FailingCriticStub:
    """A STUB critic (not a model): proposes one point per round from the GT, and raises
    CriticUnavailable from round `fail_round` on, like an API that starts answering 500."""

    name = "failing-stub"

    def __init__(self, gt: np.ndarray, fail_round: int = 2) -> None:
        self.gt, self.fail_round, self.calls = gt, fail_round, 0

    def info(self) -> dict:
        return {"name": self.name, "kind": "test stub"}

    def propose_points(self, view, instance, max_points):
        self.calls += 1
        if self.calls >= self.fail_round:
            raise CriticUnavailable("critic 'failing-stub' failed the direct/points request: HTTP 500")
        b = view.box  # one positive point near the box corner: it always changes the mask
        pts = [Point(float(b.x0 + 4), float(b.y0 + 4), PointLabel.POS, PointSource.CRITIC)]
        return CriticReply("points", pts, raw="stub", backend=self.name, prompt_id="stub/points")

    def select_anchors(self, view, instance, k):
        raise NotImplementedError

    def judge_squares(self, view, anchor_ids, instance):
        raise NotImplementedError


class TextSegmenterStub(GrabCutSegmenter):
    """A STUB text-capable segmenter: grabcut for clicks, and find_all(text) answering with fixed masks."""

    name = "text-stub"

    def __init__(self, found: list) -> None:
        super().__init__()
        self.found = found

    def find_all(self, image, text, box=None):
        return list(self.found)
