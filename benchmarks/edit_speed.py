"""Speed and memory of the edit pipeline on this CPU (not a test).

    .venv/bin/python benchmarks/edit_speed.py [--steps 30] [--repeats 3] [--skip-full] [--threads N] [--json out.json]

Each part runs in its own process so its peak RSS is its own:
- tiny: every stage (localise, segment, inpaint, score) with the tiny CLIP, grabcut and the tiny SD
  inpainting pipeline (64 px) on a 512x384 generated scene; model load times; opencv for comparison.
- full: the full-size Stable Diffusion inpainting architecture (UNet and VAE of the
  runwayml/stable-diffusion-inpainting config, random weights; a 2-layer text encoder of the same width,
  whose cost is negligible) saved and loaded through the `sd` backend, 1 step at 512 px.
- big: a 2048x1536 image, a small mask: crop strategy (work on a crop at the model's resolution, paste
  back) vs the prototype's full-image inpainting (the whole image resized to the model's resolution,
  the output used as is) vs full image + paste back: time, pixels changed outside the mask and outside
  the dilated mask. With the full-size pipeline at 1 step (and the tiny one with --skip-full).
Random weights cost the same time as trained ones; the pictures they paint are noise."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from engine.edit.clip_model import load_clip  # noqa: E402
from engine.edit.inpainters.base import InpaintRequest  # noqa: E402
from engine.edit.pipeline import EditPipeline  # noqa: E402
from engine.registry import INPAINTERS, LOCALISERS, SEGMENTERS  # noqa: E402
from engine.samples import generate_scene  # noqa: E402
from tests.edit.tiny_models import build_sd_inpaint, build_tiny_clip, clip_tokenizer  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def full_size_unet_vae():
    from diffusers import AutoencoderKL, UNet2DConditionModel

    unet = UNet2DConditionModel(
        sample_size=64, in_channels=9, out_channels=4, layers_per_block=2, block_out_channels=(320, 640, 1280, 1280),
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=768, attention_head_dim=8,
    )
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(128, 256, 512, 512),
                        layers_per_block=2, sample_size=512,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    return unet, vae


def big_case(seed: int = 2):
    scene = generate_scene(seed=seed, size=(2048, 1536))
    mask = np.zeros(scene.gt.shape, bool)
    yy, xx = np.mgrid[0:1536, 0:2048]
    mask[((xx - 1200) / 180.0) ** 2 + ((yy - 700) / 120.0) ** 2 <= 1.0] = True  # a 360x240 ellipse
    return scene.image, mask


def compare_strategies(sd_dir: Path, steps: int) -> list[dict]:
    image, mask = big_case()
    rows = []
    for label, opts in (("crop + paste back (ours)", {"strategy": "crop"}),
                        ("full image, output as is (prototype)", {"strategy": "full", "paste_back": False}),
                        ("full image + paste back", {"strategy": "full"})):
        inp = INPAINTERS.create("sd", model_dir=str(sd_dir), **opts)
        inp.load()
        res, secs = timed(lambda inp=inp: inp.inpaint(image, mask, InpaintRequest("a red flower", steps=steps, seed=1)))
        diff = (res.image != image).any(axis=2)
        rows.append({"case": label, "seconds": round(secs, 3), "work_size": list(res.work_size),
                     "changed_outside_mask": int(diff[~mask].sum()), "changed_outside_dilated_mask": int(diff[~res.mask].sum()),
                     "pixels_outside_mask": int((~mask).sum()), "changed_inside_mask": round(float(diff[mask].mean()), 4)})
    return rows


def part_tiny(args, tmp: Path) -> dict:
    tok = clip_tokenizer()
    clip_dir, sd_dir = build_tiny_clip(tmp / "clip", tok), build_sd_inpaint(tmp / "sd", tok)
    scene = generate_scene(seed=7, size=(512, 384))
    clip, t_clip = timed(lambda: load_clip(str(clip_dir)))
    sd = INPAINTERS.create("sd", model_dir=str(sd_dir))
    _, t_sd = timed(sd.load)
    pipe = EditPipeline(sd, SEGMENTERS.create("grabcut"), LOCALISERS.create("clip", model_dir=str(clip_dir)), clip)
    request = InpaintRequest("a red crab", steps=args.steps, seed=1)
    pipe.run(scene.image, "a red crab", "crab", request=request)  # warm-up
    runs = [pipe.run(scene.image, "a red crab", "crab", request=request).timings for _ in range(args.repeats)]
    stages = {k: round(statistics.median(r[k] for r in runs), 4) for k in runs[0]}
    opencv = INPAINTERS.create("opencv")
    opencv.inpaint(scene.image, scene.gt)
    _, t_cv = timed(lambda: opencv.inpaint(scene.image, scene.gt))
    out = {"image": [512, 384], "steps": args.steps, "load_s": {"clip": round(t_clip, 3), "sd": round(t_sd, 3)},
           "stages_median_s": stages, "opencv_inpaint_s": round(t_cv, 4)}
    if args.skip_full:
        out["big_2048_tiny_sd"] = compare_strategies(sd_dir, args.steps)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def part_full(args, tmp: Path) -> dict:
    import torch

    tok = clip_tokenizer()
    unet, vae = full_size_unet_vae()
    n_unet = sum(p.numel() for p in unet.parameters())
    n_vae = sum(p.numel() for p in vae.parameters())
    t = time.perf_counter()
    build_sd_inpaint(tmp / "sd-full", tok, unet=unet, vae=vae)
    t_build = time.perf_counter() - t
    del unet, vae
    sd = INPAINTERS.create("sd", model_dir=str(tmp / "sd-full"))
    _, t_load = timed(sd.load)
    scene = generate_scene(seed=7, size=(512, 384))
    _, t_first = timed(lambda: sd.inpaint(scene.image, scene.gt, InpaintRequest("a red crab", steps=1, seed=1)))
    res, t_second = timed(lambda: sd.inpaint(scene.image, scene.gt, InpaintRequest("a red crab", steps=1, seed=1)))
    with torch.inference_mode():  # one bare UNet step at 64x64 latents, for the per-step figure
        pipe = sd.load()
        lat = torch.randn(2, 9, 64, 64)
        cond = torch.randn(2, 77, 768)
        _, t_unet = timed(lambda: pipe.unet(lat, 999, encoder_hidden_states=cond))
    return {"unet_params_m": round(n_unet / 1e6, 1), "vae_params_m": round(n_vae / 1e6, 1), "build_and_save_s": round(t_build, 2),
            "load_s": round(t_load, 2), "inpaint_1_step_first_s": round(t_first, 2), "inpaint_1_step_s": round(t_second, 2),
            "work_size": list(res.work_size), "unet_step_cfg_batch2_s": round(t_unet, 2),
            "big_2048_full_sd_1_step": compare_strategies(tmp / "sd-full", 1), "peak_rss_mb": round(peak_rss_mb(), 1)}


PARTS = {"tiny": part_tiny, "full": part_full}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30, help="diffusion steps for the tiny pipeline")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-full", action="store_true", help="no full-size SD (about 4 GB RAM, minutes per step on 2 cores)")
    ap.add_argument("--threads", type=int, help="torch and OpenCV threads (default: the libraries' own choice)")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--part", choices=sorted(PARTS), help=argparse.SUPPRESS)
    ap.add_argument("--part-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.threads:
        import cv2
        import torch

        torch.set_num_threads(args.threads)
        cv2.setNumThreads(args.threads)
    if args.part:
        with tempfile.TemporaryDirectory(prefix="edit_bench_") as tmp:
            result = PARTS[args.part](args, Path(tmp))
        args.part_out.write_text(json.dumps(result))
        return 0

    import torch

    results = {"cpu_threads": torch.get_num_threads(), "load_average": [round(v, 2) for v in os.getloadavg()]}
    for part in ["tiny"] + ([] if args.skip_full else ["full"]):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            out = Path(f.name)
        cmd = [sys.executable, __file__, "--part", part, "--part-out", str(out), "--steps", str(args.steps),
               "--repeats", str(args.repeats)] + (["--skip-full"] if args.skip_full else [])
        cmd += ["--threads", str(args.threads)] if args.threads else []
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        results[part] = json.loads(out.read_text())
        results[part]["wall_s"] = round(time.perf_counter() - t, 1)
        out.unlink()
        print(f"== {part}\n{json.dumps(results[part], indent=2)}", flush=True)
    results["load_average_end"] = [round(v, 2) for v in os.getloadavg()]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(summary_line(results))
    return 0


def summary_line(results: dict) -> str:
    """One line: the tiny pipeline's total, the OpenCV inpainter in the same run as the baseline, and the crop
    strategy against the prototype's full-image output on the 2048 px case (pixels changed outside the mask)."""
    tiny = results["tiny"]
    total = sum(tiny["stages_median_s"].values())
    fields = {"tiny_pipeline_s": f"{total:.3f}", "opencv_inpaint_s": f"{tiny['opencv_inpaint_s']:.4f}",
              "tiny_vs_opencv": f"{total / max(tiny['opencv_inpaint_s'], 1e-9):.1f}"}
    big = tiny.get("big_2048_tiny_sd") or results.get("full", {}).get("big_2048_full_sd_1_step") or []
    if len(big) >= 2:
        fields["crop_changed_outside"] = big[0]["changed_outside_dilated_mask"]
        fields["full_changed_outside"] = big[1]["changed_outside_mask"]
    if "full" in results:
        fields["full_sd_1_step_s"] = results["full"]["inpaint_1_step_s"]
    return "SUMMARY " + " ".join(f"{k}={v}" for k, v in fields.items())


if __name__ == "__main__":
    raise SystemExit(main())
