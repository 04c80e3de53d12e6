"""Pieces shared by the critic tests and the API trust tests (tests/trust): the loopback server fixture, a
critic view of the demo sample with a deliberately wrong mask, and a private copy of the demo sample's files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from engine.critics.base import CriticView
from engine.geometry.anchors import place_anchors
from engine.geometry.squares import make_squares

from .loopback import LoopbackVLMServer

AUX = Path(__file__).resolve().parents[2] / "auxiliary"


@pytest.fixture
def server():
    srv = LoopbackVLMServer().start()
    yield srv
    srv.stop()


def shifted_view(scene, max_side: int) -> CriticView:
    """The scene with its GT shifted 12 px as the mask, 8 anchors and squares for anchors 1-4."""
    mask = np.roll(scene.gt, 12, axis=1)
    anchors = place_anchors(mask, scene.box)
    v = CriticView(scene.image, mask, scene.box, anchors, max_side=max_side)
    v.squares = make_squares(mask, [a for a in anchors if a.id <= 4], scene.box, 0.6, 16)
    return v


def copy_demo_aux(dst: Path, llm_out: bool = False) -> Path:
    """The demo image and its boxes (and, with llm_out, its saved critic output) copied under dst."""
    (dst / "images").mkdir(parents=True)
    shutil.copy(AUX / "images" / "demo.png", dst / "images" / "demo.png")
    shutil.copytree(AUX / "box_out" / "demo", dst / "box_out" / "demo")
    if llm_out:
        (dst / "llm_out").mkdir()
        shutil.copy(AUX / "llm_out" / "demo_output.json", dst / "llm_out" / "demo_output.json")
    return dst
