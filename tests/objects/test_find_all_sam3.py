"""`sculpt --find-all TEXT` with a text-capable segmenter: a tiny random-weight sam3 folder (built by
tests/segmenters/tiny_families.py, loaded through the user's code path). Checks the flow, not quality:
the found instances become objects next to the box file's object, in instances.png and sculpt.json."""

import json

import numpy as np
import pytest
from PIL import Image

from engine.cli.app import main


@pytest.mark.slow
def test_sculpt_find_all_adds_objects(tmp_path, monkeypatch):
    from tests.edit.tiny_models import clip_tokenizer
    from tests.segmenters import tiny_families as tf

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    model = tf.build_sam3(tmp_path / "sam3", clip_tokenizer())
    code = main(["sculpt", "--name", "demo", "--out", str(tmp_path / "out"), "--clean-output", "--rounds", "0",
                 "--segmenter", "sam3", "--find-all", "crab",
                 "--set", f"segmenter.options.sam3.model_dir={model}", "--set", "segmenter.options.sam3.disk_cache=false",
                 "--set", "segmenter.options.sam3.score_threshold=0.0", "--set", "segmenter.options.sam3.max_objects=2"])
    assert code == 0
    doc = json.loads((tmp_path / "out" / "demo" / "sculpt.json").read_text())
    sources = [o["source"] for o in doc["objects"]]
    assert sources[0] == "box" and 1 <= sources.count("find_all") <= 2
    assert all(o["label"] == "crab" for o in doc["objects"])
    ids = np.asarray(Image.open(tmp_path / "out" / "demo" / "instances.png"))
    assert ids.max() <= len(doc["objects"])
