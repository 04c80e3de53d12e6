"""bench on a two-box image (boxes from the box file): every box an object, COD metrics on the union;
the robot only runs on one-object images."""

from engine.io.dataset import aux_item
from engine.metrics.bench import BOX_ONLY, CLICKS_ONLY, BenchConfig, run_bench
from engine.settings import load_settings
from tests.objects.helpers import make_two_box_aux


def test_bench_sculpts_every_object(tmp_path):
    aux = make_two_box_aux(tmp_path / "aux")
    settings = load_settings(overrides={"sculpt": {"strategy": "direct"}})
    report = run_bench([aux_item(aux, "pair")], settings, [BenchConfig("oracle r2", "oracle", 2)], max_side=None,
                       box_from_gt=False, max_clicks=3, progress=False)
    assert report.images == 1 and not report.failures
    s = report.summary()["arms"]
    assert s[BOX_ONLY]["cod"]["mIoU"] > 0.8  # both discs: a one-box run would cover half the GT
    assert s["oracle r2"]["cod"]["mIoU"] >= s[BOX_ONLY]["cod"]["mIoU"] - 1e-4
    assert "robot" not in s.get(CLICKS_ONLY, {}) or s[CLICKS_ONLY]["robot"]["count"] == 0
