"""Click-to-mask latency of the `sam` backend (its default runtime: the ONNX decoder when onnxruntime is
installed and the export matches torch) vs the package's SamPredictor.predict, in the same run.

Random weights of the real vit_b architecture (cost does not depend on weight values), saved as a
checkpoint and loaded through the backend's normal path; a generated 1024x768 scene; one process.

    .venv/bin/python benchmarks/sam_latency.py [--clicks 50] [--runtime auto|onnx|torch] [--int8] [--json out.json]

Rows: encoder time (prepare of a new image); our click latency p50/p95 over N accumulating clicks
(box + points + previous logits, up to a full-resolution boolean mask) at the default decoder threads
(onnxruntime's choice for the ONNX decoder) and at 2; SamPredictor.predict over the same clicks with its embedding already set; the minimum IoU of
our masks vs the fp32 torch decoder's masks for the same prompts; the same clicks through SamOnnxModel's
one-graph decoder layout (the split's gain) and the split's per-embedding image graph; optionally the int8 decoder; the
prototype's way (set_image + predict per click, a few clicks); the disk-cache reload of the embedding.
The last line is `SUMMARY click_p50_ms=.. click_p95_ms=.. runtime=.. predictor_p50_ms=..
speedup_vs_predictor=.. mask_iou_min=.. encoder_s=..`."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from engine.process_env import prefer_huge_pages  # noqa: E402

prefer_huge_pages()  # as sam_sculpt/launcher.py does for the app, before torch loads (both sides of the run share it)
import torch  # noqa: E402

from engine.cache import embeddings as emb_cache  # noqa: E402
from engine.io.atomic import write_json  # noqa: E402
from engine.models.manager import get_manager  # noqa: E402
from engine.samples import generate_scene  # noqa: E402
from engine.segmenters.onnx_common import mask_iou  # noqa: E402
from engine.segmenters.sam import SamSegmenter  # noqa: E402
from engine.segmenters.sam_common import use_multimask  # noqa: E402
from engine.types import Point, PointLabel  # noqa: E402


def clicks_for(gt: np.ndarray, n: int, seed: int = 0) -> list[Point]:
    """Alternating positive clicks inside the object and negative ones just outside it."""
    import cv2

    rng = np.random.default_rng(seed)
    ring = cv2.dilate(gt.astype(np.uint8), np.ones((41, 41), np.uint8)).astype(bool) & ~gt
    inside, outside = np.argwhere(gt), np.argwhere(ring)
    pts = []
    for i in range(n):
        y, x = (inside if i % 2 == 0 else outside)[rng.integers(len(inside if i % 2 == 0 else outside))]
        pts.append(Point(float(x), float(y), PointLabel.POS if i % 2 == 0 else PointLabel.NEG))
    return pts


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def time_clicks(seg, box, points, reference=None, predictor=None) -> tuple[list[float], float, list[float]]:
    """Accumulating clicks (previous logits fed back); with a reference segmenter, the minimum IoU of
    its mask for the very same prompt (same previous logits) vs ours; with a SamPredictor, its predict
    timed on the same click right after ours (interleaved, so both see the same machine load)."""
    lat, worst, plain = [], 1.0, []
    pred = seg.predict(box, [])
    logits = None
    for i in range(len(points)):
        prev = pred.best_logits()
        t = time.perf_counter()
        pred = seg.predict(box, points[: i + 1], prev)
        mask = pred.best_mask()
        lat.append(time.perf_counter() - t)
        if reference is not None:
            worst = min(worst, mask_iou(mask, reference.predict(box, points[: i + 1], prev).best_mask()))
        if predictor is not None:
            ps = points[: i + 1]
            t = time.perf_counter()
            masks, scores, low = predictor.predict(np.array([[p.x, p.y] for p in ps]), np.array([int(p.is_positive) for p in ps]),
                                                   np.array(box.as_list()), logits, multimask_output=use_multimask(box, ps))
            _best = masks[int(np.argmax(scores))]
            plain.append(time.perf_counter() - t)
            logits = low[int(np.argmax(scores))][None]
    return lat, worst, plain


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", default="vit_b", choices=["vit_b", "vit_l", "vit_h"])
    ap.add_argument("--clicks", type=int, default=50)
    ap.add_argument("--runtime", default="auto", choices=["auto", "onnx", "torch"], help="ours (default: the backend's)")
    ap.add_argument("--int8", action="store_true", help="also time the int8 ONNX decoder and its mask agreement")
    ap.add_argument("--proto-clicks", type=int, default=2, help="prototype-way clicks (each re-runs the encoder)")
    ap.add_argument("--size", default="1024x768", help="image WxH")
    ap.add_argument("--threads", type=int, help="torch threads for the encoder (default: torch's choice)")
    ap.add_argument("--no-standard", action="store_true",
                    help="skip timing the one-graph (SamOnnxModel layout) ONNX decoder on the same clicks")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    print(f"load average at start: {load()}")
    if args.threads:
        torch.set_num_threads(args.threads)
    w, h = (int(v) for v in args.size.lower().split("x"))
    scene = generate_scene(seed=5, size=(w, h))
    image, box = scene.image, scene.box
    points = clicks_for(scene.gt, args.clicks)
    default_threads = torch.get_num_threads()
    fig: dict[str, float | int | str] = {"variant": args.variant, "image": f"{w}x{h}", "threads": default_threads,
                                         "torch": torch.__version__, "clicks": len(points)}

    with tempfile.TemporaryDirectory(prefix="sam_bench_") as tmp:
        from segment_anything import SamPredictor, sam_model_registry

        ckpt = Path(tmp) / f"random_{args.variant}.pth"
        torch.manual_seed(0)
        torch.save(sam_model_registry[args.variant]().state_dict(), ckpt)
        cache = str(Path(tmp) / "cache")

        def make(**kw) -> SamSegmenter:
            return SamSegmenter(checkpoint=str(ckpt), cache_dir=cache, device="cpu", **kw)

        seg = make(runtime=args.runtime)
        t = time.perf_counter()
        seg.model()  # includes the one-time ONNX export + check for runtime onnx / auto
        fig["load_s"] = time.perf_counter() - t
        fig["runtime"] = seg.decoder_runtime
        rec = seg.onnx_record
        fig["onnx_export_s"] = rec.export_s if rec is not None else 0.0
        t = time.perf_counter()
        seg.prepare(image)
        fig["encoder_s"] = time.perf_counter() - t
        assert seg.last_source == "computed"
        ref = make(runtime="torch")  # the fp32 torch decoder on the same (cached) embedding
        ref.prepare(image)
        # the package's SamPredictor.predict with its embedding already set (no re-encode), same clicks
        predictor = SamPredictor(ref.model())
        emb = ref._emb  # the same embedding handed over (set_image would run the encoder once more)
        predictor.original_size, predictor.input_size = tuple(emb.original_size), tuple(emb.input_size)
        predictor.features, predictor.is_image_set = emb.features, True

        lat, worst, plain = time_clicks(seg, box, points, ref if fig["runtime"] != "torch" else None, predictor)
        fig["click_p50_ms"], fig["click_p95_ms"], fig["mask_iou_min"] = pct(lat, 50), pct(lat, 95), worst
        fig["predictor_p50_ms"], fig["predictor_p95_ms"] = pct(plain, 50), pct(plain, 95)
        fig["speedup_vs_predictor"] = fig["predictor_p50_ms"] / fig["click_p50_ms"]
        split = getattr(seg.model(), "_sculpt_onnx", None)
        if split is not None and hasattr(split, "image_side") and not args.no_standard:
            feats = seg._emb.features.detach().float().cpu().numpy()
            t = time.perf_counter()
            split.image_side(feats)  # without a key: computed, not remembered
            fig["image_graph_ms"] = (time.perf_counter() - t) * 1000
            from engine.segmenters.onnx_common import DecoderSession
            from engine.segmenters.onnx_export import export_decoder

            # the same clicks through SamOnnxModel's one-graph layout (what `models export-onnx` writes)
            seg.model()._sculpt_onnx = DecoderSession.open(export_decoder(seg.model()), providers="cpu")
            lat_std, _, _ = time_clicks(seg, box, points)
            seg.model()._sculpt_onnx = split
            fig["standard_p50_ms"] = pct(lat_std, 50)
            fig["speedup_vs_standard"] = fig["standard_p50_ms"] / fig["click_p50_ms"]
        get_manager().unload(seg.model_key)  # ORT sessions fix their threads: load again with decoder_threads 2
        one = make(runtime=args.runtime, decoder_threads=2)
        one.prepare(image)
        lat1, _, _ = time_clicks(one, box, points)
        fig["click_p50_ms_2t"], fig["click_p95_ms_2t"] = pct(lat1, 50), pct(lat1, 95)
        get_manager().unload(one.model_key)
        if args.int8:
            q = make(runtime="onnx", quantize="int8")
            q.prepare(image)
            lq, wq, _ = time_clicks(q, box, points, ref)
            fig["int8_p50_ms"], fig["int8_iou_min"] = pct(lq, 50), wq
            fig["int8_check_iou"] = q.onnx_record.int8_iou_min
            get_manager().unload(q.model_key)

        proto = []  # the prototype's way: set_image inside every refine call
        for i in range(min(args.proto_clicks, len(points))):
            ps = points[: i + 1]
            t = time.perf_counter()
            predictor.set_image(image)
            masks, scores, _ = predictor.predict(np.array([[p.x, p.y] for p in ps]), np.array([int(p.is_positive) for p in ps]),
                                                 np.array(box.as_list()), multimask_output=True)
            best = masks[int(np.argmax(scores))]
            proto.append(time.perf_counter() - t)
            assert best.shape == (h, w)
        if proto:
            fig["proto_p50_ms"] = pct(proto, 50)
            fig["speedup_vs_proto"] = fig["proto_p50_ms"] / fig["click_p50_ms"]

        emb_cache._SHARED.clear()  # a fresh process-level cache (as after a restart) reading the .npz
        seg2 = make(runtime="torch")
        t = time.perf_counter()
        seg2.prepare(image)
        fig["disk_reload_ms"] = (time.perf_counter() - t) * 1000
        assert seg2.last_source == "disk"
        fig["disk_file_mb"] = seg2.cache.disk_used() / 2**20

    rows = [
        (f"model load (random-weight checkpoint){' + one-time ONNX export and check' if fig['onnx_export_s'] else ''}",
         f"{fig['load_s']:.2f} s (export {fig['onnx_export_s']:.1f} s)"),
        (f"image encoder (prepare, new image), {default_threads} threads", f"{fig['encoder_s']:.2f} s"),
        (f"click -> full-res mask, ours ({fig['runtime']} decoder), p50 / p95 over {len(lat)} accumulating clicks, default decoder_threads",
         f"{fig['click_p50_ms']:.1f} / {fig['click_p95_ms']:.1f} ms"),
        (f"the same, decoder_threads 2 ({fig['runtime']})", f"{fig['click_p50_ms_2t']:.1f} / {fig['click_p95_ms_2t']:.1f} ms"),
        (f"SamPredictor.predict, embedding set, p50 / p95 over {len(plain)} clicks (interleaved), {default_threads} threads",
         f"{fig['predictor_p50_ms']:.1f} / {fig['predictor_p95_ms']:.1f} ms"),
        ("speed-up, ours vs SamPredictor.predict (p50)", f"{fig['speedup_vs_predictor']:.2f}x"),
        *([("the same clicks through the one-graph ONNX decoder (SamOnnxModel layout), p50",
            f"{fig['standard_p50_ms']:.1f} ms (ours {fig['speedup_vs_standard']:.2f}x faster)"),
           ("our split decoder's image graph, once per embedding", f"{fig['image_graph_ms']:.1f} ms")]
          if "standard_p50_ms" in fig else []),
        ("minimum mask IoU, ours vs the fp32 torch decoder, same prompts", f"{fig['mask_iou_min']:.4f}"),
    ]
    if args.int8:
        rows.append(("int8 ONNX decoder: click p50 / minimum mask IoU vs fp32 torch",
                     f"{fig['int8_p50_ms']:.1f} ms / {fig['int8_iou_min']:.4f}"))
    if proto:
        rows.append((f"prototype's way (set_image + predict), p50 over {len(proto)} clicks (~1 encoder run each)",
                     f"{fig['proto_p50_ms']:.0f} ms ({fig['speedup_vs_proto']:.0f}x ours)"))
    rows.append((f"embedding reload from the disk cache ({fig['disk_file_mb']:.1f} MB .npz)", f"{fig['disk_reload_ms']:.1f} ms"))
    print(f"\nSAM click latency: {args.variant} random weights, {w}x{h} image, CPU, torch {torch.__version__}")
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(width)} | value |\n|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    goal = fig["click_p50_ms"] < 50 and fig["speedup_vs_predictor"] >= 2 and fig["mask_iou_min"] >= 0.99
    print(f"goal (p50 < 50 ms, >= 2x SamPredictor.predict, IoU >= 0.99 on every click): {'met' if goal else 'NOT met'}")
    print(f"load average at end: {load()}")
    if args.json:
        write_json(args.json, {k: round(v, 4) if isinstance(v, float) else v for k, v in fig.items()})
    print(f"SUMMARY click_p50_ms={fig['click_p50_ms']:.1f} click_p95_ms={fig['click_p95_ms']:.1f} runtime={fig['runtime']} "
          f"predictor_p50_ms={fig['predictor_p50_ms']:.1f} speedup_vs_predictor={fig['speedup_vs_predictor']:.2f} "
          f"mask_iou_min={fig['mask_iou_min']:.4f} encoder_s={fig['encoder_s']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
