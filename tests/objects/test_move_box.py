"""Redrawing an object's ROI box somewhere else (SetBox) starts its segmentation fresh from the new box:
no mask prompt from the old mask, no old paint, clicks outside the new box dropped; undo brings the old
box and mask back. GrabCut gave an empty mask here when it took the old mask as its initial labels."""

from typing import Any

import numpy as np
import pytest
import torch

from engine.registry import SEGMENTERS
from engine.sculpt import commands as C
from engine.sculpt.image_session import ImageSession
from engine.types import Box
from tests.objects.helpers import BOX_A, BOX_B, grabcut
from tests.sam.conftest import build_tiny_sam


class RecordingSegmenter:
    """Wraps a real segmenter and records the prev_logits each predict() got (not a stub: answers are real)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.prompts = inner, []
        self.name = inner.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def predict(self, box, points, prev_logits=None):
        self.prompts.append(prev_logits)
        return self.inner.predict(box, points, prev_logits)


def inside(mask: np.ndarray, box) -> bool:
    ys, xs = np.nonzero(mask)
    return bool(len(xs)) and xs.min() >= box.x0 - 1 and xs.max() <= box.x1 + 1 and ys.min() >= box.y0 - 1 \
        and ys.max() <= box.y1 + 1


def move_a_onto_b(s: ImageSession) -> tuple[int, np.ndarray]:
    oid = s.add_object(BOX_A)
    s.execute(C.AddPoint(oid, 40, 55, True))
    s.paint(oid, [(30, 50), (45, 50)], 3)
    old_mask = s.object(oid).mask.copy()
    assert old_mask.any()
    s.execute(C.SetBox(oid, BOX_B))
    return oid, old_mask


def test_moved_box_segments_the_new_object_with_grabcut(scene):
    img, a, b = scene
    seg = RecordingSegmenter(grabcut())
    s = ImageSession(img, seg, name="pair")
    oid, old_mask = move_a_onto_b(s)
    o = s.object(oid)
    assert seg.prompts[-1] is None  # the old mask is not the prompt
    assert o.core.box == BOX_B and o.core.points == [] and o.core.paint.on is None
    moved = o.mask.copy()
    assert moved.any() and inside(moved, BOX_B) and not (moved & a).any()
    fresh = ImageSession(img, grabcut(), name="pair")
    assert (moved == fresh.object(fresh.add_object(BOX_B)).mask).all()

    s.undo()
    o = s.object(oid)
    assert o.core.box == BOX_A and (o.mask == old_mask).all() and len(o.core.points) == 1
    s.redo()
    assert s.object(oid).core.box == BOX_B and (s.object(oid).mask == moved).all()


def test_clicks_inside_the_new_box_are_kept(scene):
    s = ImageSession(scene[0], grabcut(), name="pair")
    oid = s.add_object(BOX_A)
    s.execute(C.AddPoint(oid, 40, 55, True))
    s.execute(C.AddPoint(oid, 60, 80, False))
    s.execute(C.SetBox(oid, Box(BOX_A.x0, BOX_A.y0, 65, 85)))
    assert [(p.x, p.y) for p in s.object(oid).core.points] == [(40, 55), (60, 80)]
    assert s.object(oid).mask[55, 40]


@pytest.mark.slow
def test_moved_box_with_sam_does_not_carry_the_old_logits(scene, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    ckpt = tmp_path / "tiny.pth"
    torch.save(build_tiny_sam().state_dict(), ckpt)
    seg = RecordingSegmenter(SEGMENTERS.create("sam", checkpoint=str(ckpt), disk_cache=False))
    s = ImageSession(scene[0], seg, name="pair")
    oid, old_mask = move_a_onto_b(s)
    assert seg.prompts[-2] is not None  # the click took the previous logits as its prompt
    assert seg.prompts[-1] is None
    assert (s.object(oid).mask == s.object(s.add_object(BOX_B)).mask).all()
    s.undo()
    s.undo()
    assert s.object(oid).core.box == BOX_A and (s.object(oid).mask == old_mask).all()
