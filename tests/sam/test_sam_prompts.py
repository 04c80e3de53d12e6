"""engine/segmenters/sam_prompts.py: the torch-free plumbing `sam-onnx` and SamBackendBase share (embedding
cache, model handle, prepare/predict flow, prompt mapping). Stays importable where torch is not installed."""

from __future__ import annotations

import numpy as np
import pytest

from engine.cache.embeddings import Embedding
from engine.errors import BackendError
from engine.segmenters.base import Prediction
from engine.segmenters.onnx_common import use_multimask
from engine.segmenters.sam_prompts import SamPlumbing, SamPrompts, map_prompts
from engine.types import Box, Point, PointLabel
from tests.package.blocker import run_blocked


class StubSam(SamPlumbing):
    """A stub backend (no model): the 'encoder' counts calls, the 'decoder' returns the prompts it got."""

    name = "stub-sam"

    def __init__(self, multimask: str = "auto") -> None:
        self.multimask = multimask
        self._init_embeddings(8, False, None, None)
        self.seen: list[SamPrompts] = []

    @property
    def model_key(self) -> str:
        return "stub-sam:model"

    @property
    def model_id(self) -> str:
        return "stub-sam"

    def _load(self) -> str:
        return "stub model"

    def _encode(self, model, image):
        assert model == "stub model"
        return Embedding(np.zeros((1, 2, 4, 4), np.float32), (768, 1024), tuple(image.shape[:2]))

    def _predict_prompts(self, emb, prompts, prev_logits):
        self.seen.append(prompts)
        oh, ow = emb.original_size
        return Prediction(np.ones((1, oh, ow), bool), np.ones(1, np.float32), None)


def test_prompts_map_into_the_resized_input_and_the_box_is_clipped():
    emb = Embedding(None, (768, 1024), (240, 320))  # 3.2x in both directions
    pts = [Point(10, 20, PointLabel.POS), Point(300, 200, PointLabel.NEG)]
    p = map_prompts(emb, Box(-5, 10, 400, 100), pts, "auto")
    np.testing.assert_allclose(p.coords, [[32, 64], [960, 640]])
    assert p.labels.tolist() == [1, 0] and p.coords.dtype == np.float32 and p.labels.dtype == np.int64
    np.testing.assert_allclose(p.box, [0, 32, 320 * 3.2, 320])
    assert p.multimask == use_multimask(Box(-5, 10, 400, 100), pts)
    assert map_prompts(emb, None, pts[:1], "always").multimask is True
    assert map_prompts(emb, None, pts[:1], "never").multimask is False
    only_box = map_prompts(emb, Box(0, 0, 10, 10), [], "auto")
    assert only_box.coords is None and only_box.labels is None


def test_the_flow_caches_the_embedding_and_answers_empty_prompts_without_the_decoder():
    seg = StubSam()
    with pytest.raises(BackendError, match="prepare"):
        seg.predict(None, [Point(1, 1)])
    image = np.zeros((240, 320, 3), np.uint8)
    seg.prepare(image)
    seg.prepare(image)
    assert seg.encoder_calls == 1 and seg.last_source == "memory" and seg.is_cached(image)
    empty = seg.predict(None, [])
    assert empty.masks.shape == (1, 240, 320) and not empty.masks.any() and seg.seen == []
    seg.predict(Box(0, 0, 100, 100), [])
    assert len(seg.seen) == 1 and seg.seen[0].box is not None
    with pytest.raises(BackendError, match="RGB uint8"):
        seg.embed(np.zeros((4, 4), np.uint8))
    assert seg.unload() is True


def test_sam_onnx_and_the_plumbing_import_where_torch_cannot():
    r = run_blocked("""
        import engine.segmenters.sam_onnx as so
        from engine.segmenters.sam_prompts import SamPlumbing
        print("SUB", issubclass(so.SamOnnxSegmenter, SamPlumbing))
        print("TORCH", sorted(m for m in sys.modules if m.split(".")[0] == "torch" and sys.modules[m] is not None))
    """, blocked=("torch", "torchvision", "segment_anything", "transformers"))
    assert r.returncode == 0, r.stderr[-2000:]
    assert "SUB True" in r.stdout and "TORCH []" in r.stdout
