"""Painting with a SAM backend (tiny random weights): the painted mask goes back as SAM's low-res
mask prompt (the right shape for the decoder) and the painted pixels are kept after the click."""

import pytest
import torch

from engine.registry import SEGMENTERS
from engine.sculpt import commands as C
from engine.sculpt.image_session import ImageSession
from tests.objects.helpers import BOX_A
from tests.sam.conftest import build_tiny_sam


@pytest.mark.slow
def test_sam_takes_the_painted_mask_as_prompt(scene, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    ckpt = tmp_path / "tiny.pth"
    torch.save(build_tiny_sam().state_dict(), ckpt)
    seg = SEGMENTERS.create("sam", checkpoint=str(ckpt), disk_cache=False)
    s = ImageSession(scene[0], seg, name="pair")
    oid = s.add_object(BOX_A)
    s.paint(oid, [(4, 8), (14, 8)], 3)
    prompt = s.object(oid).core.logits
    assert prompt is not None and prompt.shape == (256, 256) and prompt.max() > 0
    s.execute(C.AddPoint(oid, 40, 55, True))  # the decoder accepts the prompt
    assert s.object(oid).mask[8, 8] and s.object(oid).mask[8, 14]
