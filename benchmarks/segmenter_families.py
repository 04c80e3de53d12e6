"""Encoder time, click latency and resident memory of each segmenter family on this CPU, against SAM 1 vit_b.

The REAL architecture of each family (its default / published config) with random weights (cost does not depend
on weight values), run through the backend's own prepare() and predict() on a generated 1024x768 scene. Each family
runs in its own child process so its peak resident memory is its own; SAM 1 vit_b (the `sam` backend) is measured
in the same run as the baseline of the ratios.

    nice .venv/bin/python benchmarks/segmenter_families.py [--families sam,sam2,edgetam,sam-hq,sam3]
        [--clicks 8] [--encoder-runs 1] [--json out.json]

Rows per family: params (M), encoder s per image (prepare of a new image, the mean of --encoder-runs), click
p50/p95 ms (box + accumulating points + previous logits, up to the full-resolution mask; decoder_threads=1), peak
RSS MB of the child, encoder ratio vs vit_b; for sam3 also the text prompt (find_all on the prepared image) p50 ms.
The CPU may be shared: wall seconds follow the machine's load, so process CPU seconds are printed too and the
SUMMARY's encoder ratios (`*_enc_ratio`) are CPU-time ratios against vit_b; the load average is printed before
and after. Ends with one SUMMARY line."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAMILIES = ["sam", "sam2", "edgetam", "sam-hq", "sam3"]
ARCH = {"sam": "SAM 1 vit_b", "sam2": "SAM 2.1 hiera-tiny", "edgetam": "EdgeTAM (RepViT-m1)",
        "sam-hq": "SAM-HQ vit_b", "sam3": "SAM 3 (ViT-L/14 1008 px, detector + tracker)"}


def real_model(name: str) -> tuple[Any, Any, dict]:
    """(model or models tuple, processor, config dict) of the family's real architecture, random weights."""
    import torch

    torch.manual_seed(0)
    if name == "sam2":
        from transformers import Sam2Config, Sam2ImageProcessor, Sam2Model, Sam2Processor

        cfg = Sam2Config()
        return Sam2Model(cfg).eval(), Sam2Processor(image_processor=Sam2ImageProcessor()), cfg.to_dict()
    if name == "edgetam":
        from transformers import (
            EdgeTamConfig,
            EdgeTamModel,
            Sam2ImageProcessor,
            Sam2Processor,
            TimmWrapperConfig,
        )

        backbone = TimmWrapperConfig(architecture="repvit_m1",
                                     model_args={"in_chans": 3, "features_only": True, "out_indices": [0, 1, 2, 3]})
        cfg = EdgeTamConfig(vision_config={"backbone_config": backbone})
        return EdgeTamModel(cfg).eval(), Sam2Processor(image_processor=Sam2ImageProcessor()), cfg.to_dict()
    if name == "sam-hq":
        from transformers import SamHQConfig, SamHQModel, SamHQProcessor, SamImageProcessor

        cfg = SamHQConfig(vision_config={"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                                         "global_attn_indexes": [2, 5, 8, 11]},
                          mask_decoder_config={"vit_dim": 768})
        return SamHQModel(cfg).eval(), SamHQProcessor(image_processor=SamImageProcessor()), cfg.to_dict()
    if name == "sam3":
        from transformers import Sam3Config, Sam3ImageProcessor, Sam3Model, Sam3Processor

        from engine.segmenters.sam3 import share_backbone, tracker_skeleton
        from tests.edit.tiny_models import clip_tokenizer  # the real CLIP BPE vocabulary, rebuilt offline

        detector = Sam3Model(Sam3Config()).eval()
        tracker = share_backbone(tracker_skeleton(detector, {}).eval(), detector)
        processor = Sam3Processor(image_processor=Sam3ImageProcessor(), tokenizer=clip_tokenizer())
        return (detector, tracker, processor), None, {"detector_config": detector.config.to_dict(), "tracker_config": {}}
    raise ValueError(name)


def make_segmenter(name: str, tmp: Path) -> tuple[Any, int]:
    """The backend object with its loader pointed at the in-memory random model; (segmenter, params)."""
    import torch

    from engine.registry import SEGMENTERS

    common = {"device": "cpu", "disk_cache": False, "decoder_threads": 1}
    if name == "sam":
        from segment_anything import sam_model_registry

        ckpt = tmp / "random_vit_b.pth"
        torch.manual_seed(0)
        model = sam_model_registry["vit_b"]()
        torch.save(model.state_dict(), ckpt)
        seg = SEGMENTERS.create("sam", checkpoint=str(ckpt), runtime="torch", **common)
        return seg, sum(p.numel() for p in model.parameters())
    loaded, processor, cfg = real_model(name)
    folder = tmp / name
    folder.mkdir()
    model_type = {"sam2": "sam2", "edgetam": "edgetam", "sam-hq": "sam_hq", "sam3": "sam3_video"}[name]
    (folder / "config.json").write_text(json.dumps({**cfg, "model_type": model_type}, default=str))
    (folder / "model.safetensors").write_bytes(b"0" * 64)  # stands in for the weights: the loader is replaced below
    seg = SEGMENTERS.create(name, model_dir=str(folder), **common)
    result = loaded if isinstance(loaded, tuple) else (loaded, processor)
    seg._load = lambda: result  # the backend's own encode/decode code runs on the real architecture
    models = [m for m in result if isinstance(m, torch.nn.Module)]
    params = sum(p.numel() for p in {id(p): p for m in models for p in m.parameters()}.values())
    return seg, params


def measure(name: str, clicks: int, encoder_runs: int) -> dict[str, Any]:
    """In the child process: one family's figures."""
    import torch

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from sam_latency import clicks_for

    from engine.samples import generate_scene

    scene = generate_scene(seed=5, size=(1024, 768))
    fig: dict[str, Any] = {"name": name, "arch": ARCH[name], "threads": torch.get_num_threads()}
    with tempfile.TemporaryDirectory(prefix="seg_families_") as tmp:
        t = time.perf_counter()
        seg, params = make_segmenter(name, Path(tmp))
        seg.model()
        fig["build_s"], fig["params_m"] = time.perf_counter() - t, params / 1e6
        times, cpu = [], []
        for i in range(encoder_runs):
            image = scene.image if i == 0 else np.ascontiguousarray(scene.image[:, ::-1])  # a new image each run
            t, c = time.perf_counter(), time.process_time()
            seg.prepare(image)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            assert seg.last_source == "computed"
        seg.prepare(scene.image)
        fig["encoder_s"], fig["encoder_cpu_s"] = float(np.mean(times)), float(np.mean(cpu))
        points = clicks_for(scene.gt, clicks)
        pred = seg.predict(scene.box, [])
        lat, c = [], time.process_time()
        for i in range(len(points)):
            t = time.perf_counter()
            pred = seg.predict(scene.box, points[: i + 1], pred.best_logits())
            lat.append(time.perf_counter() - t)
            assert pred.best_mask().shape == (768, 1024)
        fig["click_p50_ms"], fig["click_p95_ms"] = (float(np.percentile(np.array(lat) * 1000, q)) for q in (50, 95))
        fig["click_cpu_ms"] = (time.process_time() - c) * 1000 / max(1, len(points))
        if name == "sam3":
            seg.score_threshold = 0.0
            text = []
            for label in ("crab", "stone", "fish"):
                t = time.perf_counter()
                found = seg.find_all(scene.image, label)
                text.append(time.perf_counter() - t)
            fig["text_p50_ms"], fig["found"] = float(np.percentile(np.array(text) * 1000, 50)), len(found)
    fig["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return fig


def loadavg() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--clicks", type=int, default=8)
    ap.add_argument("--encoder-runs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=420, help="seconds one family may take (child process)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # child mode: measure one family, print its JSON
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if args.one:
        print("FIGURES " + json.dumps(measure(args.one, args.clicks, args.encoder_runs)))
        return 0
    names = [n.strip() for n in args.families.split(",") if n.strip()]
    if "sam" not in names:
        names.insert(0, "sam")  # the baseline is always measured in the same run
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    print(f"machine: {os.cpu_count()} CPUs, load average before {loadavg()}")
    rows = []
    for name in names:
        cmd = [sys.executable, __file__, "--one", name, "--clicks", str(args.clicks), "--encoder-runs", str(args.encoder_runs)]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"{name}: not measured (over --timeout {args.timeout:.0f} s on this machine now)", flush=True)
            continue
        line = next((ln for ln in res.stdout.splitlines() if ln.startswith("FIGURES ")), None)
        if res.returncode != 0 or line is None:
            print(f"{name}: failed ({(res.stderr.strip().splitlines() or ['no output'])[-1][:200]})")
            continue
        fig = json.loads(line[len("FIGURES "):])
        rows.append(fig)
        print(f"{fig['arch']:<46} params {fig['params_m']:7.1f} M  encoder {fig['encoder_s']:7.2f} s "
              f"(cpu {fig['encoder_cpu_s']:6.1f} s)  click p50 "
              f"{fig['click_p50_ms']:7.1f} ms p95 {fig['click_p95_ms']:7.1f} ms  peak RSS {fig['peak_rss_mb']:7.0f} MB"
              + (f"  text p50 {fig['text_p50_ms']:.0f} ms" if "text_p50_ms" in fig else ""), flush=True)
    base = next((r for r in rows if r["name"] == "sam"), None)
    if base is None:
        print("SUMMARY ok=0 reason=baseline_failed")
        return 1
    for r in rows:
        r["encoder_vs_vit_b"] = r["encoder_s"] / base["encoder_s"]
        r["encoder_cpu_vs_vit_b"] = r["encoder_cpu_s"] / base["encoder_cpu_s"]
        print(f"{r['name']:<8} encoder {r['encoder_vs_vit_b']:.2f}x vit_b wall, {r['encoder_cpu_vs_vit_b']:.2f}x cpu time")
        r["click_vs_vit_b"] = r["click_p50_ms"] / base["click_p50_ms"]
    print(f"load average after {loadavg()}")
    if args.json:
        from engine.io.atomic import write_json

        write_json(args.json, {"rows": rows, "load_average": loadavg()})
    parts = [f"{r['name'].replace('-', '_')}_enc_s={r['encoder_s']:.2f} {r['name'].replace('-', '_')}_enc_ratio="
             f"{r['encoder_cpu_vs_vit_b']:.2f} {r['name'].replace('-', '_')}_click_p50_ms={r['click_p50_ms']:.0f}" for r in rows]
    print(f"SUMMARY families={len(rows)} baseline=sam_vit_b " + " ".join(parts) + f" load={loadavg().split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
