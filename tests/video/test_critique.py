"""engine.video.critique.critique_frame: the configured critic's proposals on one frame of a sequence (the
heuristic baseline by default, no weights), nothing applied; an empty mask is a one-line InputError."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import InputError
from engine.types import Box, PointSource, PointStatus
from engine.video.critique import critique_frame
from tests.video import tiny_video as tv


def test_heuristic_proposals_on_a_frame():
    frame, gt = tv.red_disk()
    mask = gt & (np.arange(gt.shape[1])[None, :] < 64)  # the right half of the disk is missing
    box = Box(30, 14, 98, 82)
    got = critique_frame(frame, mask, box, label="disk")
    assert got.critic == "heuristic" and len(got.anchors) == 8 and not got.errors
    assert got.proposals and all(p.label.value == "pos" and p.x > 64 for p in got.proposals)  # in the missing half
    for p in got.proposals:
        assert p.status is PointStatus.PENDING and p.source is PointSource.CRITIC
    assert got.to_json()["proposals"][0]["status"] == "pending"
    direct = critique_frame(frame, mask, None, settings={"sculpt": {"strategy": "direct"}})  # box from the mask
    assert direct.proposals and all(p.status is PointStatus.PENDING for p in direct.proposals)


def test_empty_mask_and_size_mismatch(blob):
    frames, _ = blob
    with pytest.raises(InputError, match="no mask on this frame"):
        critique_frame(frames[0], np.zeros(frames[0].shape[:2], bool))
    with pytest.raises(InputError, match="px"):
        critique_frame(frames[0], np.ones((3, 3), bool))
