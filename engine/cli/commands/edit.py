"""python main.py edit --image PATH --prompt TEXT [--target TEXT] [--mask PATH] ..."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from engine.cli.options import settings_from_args
from engine.errors import InputError
from engine.io.safe_paths import safe_join, sanitise_stem

COMMAND = "edit"
HELP = ("text-guided edit: CLIP finds the target, a segmenter masks it, an inpainter repaints the mask, "
        "CLIP scores the result; writes original.png, sam_mask.png, edited.png, edit.json")
ORDER = 60
log = logging.getLogger("sam_sculpt.edit")


def add_arguments(p: argparse.ArgumentParser) -> None:
    # the prototype's underscore spellings (--sam_ckpt, --num_inference_steps, ...) are accepted as aliases
    p.add_argument("--image", type=Path, required=True, help="the image to edit")
    p.add_argument("--prompt", required=True, help="what the masked area should become, e.g. 'a cat wearing sunglasses'")
    p.add_argument("--target", help="what CLIP should find (default: the prompt)")
    p.add_argument("--mask", type=Path, help="a mask to repaint (white = repaint); skips CLIP localisation and the segmenter")
    p.add_argument("--segmenter", help="segmenter that turns the CLIP points into a mask: grabcut, sam, sam-hf (default: settings)")
    p.add_argument("--sam-ckpt", "--sam_ckpt", dest="sam_ckpt", help="SAM checkpoint file (--segmenter sam) or Hugging Face SAM folder (--segmenter sam-hf)")
    p.add_argument("--clip-model", "--clip_model", dest="clip_model", help="local CLIP folder (openai/clip-vit-base-patch32 layout); needed unless --mask is given")
    p.add_argument("--sd-model", "--sd_model", dest="sd_model", help="local Stable Diffusion inpainting folder (runwayml/stable-diffusion-inpainting layout)")
    p.add_argument("--inpainter", help="sd or opencv (default: sd when an SD folder is known, else opencv)")
    p.add_argument("--steps", "--num_inference_steps", dest="steps", type=int, help="diffusion steps (default 30)")
    p.add_argument("--guidance", "--guidance_scale", dest="guidance", type=float, help="classifier-free guidance scale (default 7.5)")
    p.add_argument("--seed", type=int, help="random seed (default 42): the same seed gives the same edit")
    p.add_argument("--negative-prompt", help="what the repainted area should not look like")
    p.add_argument("--output-dir", "--output_dir", dest="output_dir", type=Path, help="where the files go (default: outputs/edit/<image name>)")
    p.add_argument("--settings", type=Path, help="a settings.json to use instead of the user's")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override any setting, e.g. --set edit.inpainter.options.sd.cpu_offload=true")


def _segmenter(args: argparse.Namespace, settings: dict[str, Any]):
    from engine.sculpt.runner import build_segmenter

    name = args.segmenter or ("sam" if args.sam_ckpt else settings["segmenter"]["name"])
    if args.sam_ckpt:
        option = settings["edit"].get("sam_ckpt_option", {}).get(name)
        if option is None:
            raise InputError(f"--sam-ckpt does not apply to --segmenter {name} (use sam or sam-hf)")
        node = settings["segmenter"].setdefault("options", {}).setdefault(name, {})
        node[option] = args.sam_ckpt
    return build_segmenter(settings, name)


def run(args: argparse.Namespace) -> int:
    from engine.edit import factory
    from engine.edit.outputs import write_edit_outputs
    from engine.edit.pipeline import EditPipeline
    from engine.io.images import load_image, load_mask

    settings = settings_from_args(args)
    if not args.prompt.strip():
        raise InputError("--prompt is empty")
    image = load_image(args.image, settings["io"]["max_pixels"])
    mask = None
    if args.mask is not None:
        mask = load_mask(args.mask, image.shape[:2])
        if not mask.any():
            raise InputError(f"{args.mask}: mask is empty (nothing to inpaint)")

    clip_dir = factory.clip_dir(settings, args.clip_model)
    if mask is None and not clip_dir:
        raise InputError("localisation needs a CLIP model: pass --clip-model DIR (a local openai/clip-vit-base-patch32 copy), "
                         "or give a --mask")
    inpainter = factory.build_inpainter(settings, args.inpainter, args.sd_model)
    localiser = segmenter = clip = None
    if clip_dir:
        from engine.edit.clip_model import load_clip

        clip = load_clip(clip_dir, factory.localiser_options(settings)[1].get("device", "auto"))
    if mask is None:
        localiser = factory.build_localiser(settings, clip_dir)
        segmenter = _segmenter(args, settings)

    request = factory.build_request(settings, args.prompt, args.steps, args.guidance, args.seed, args.negative_prompt)
    pipeline = EditPipeline(inpainter, segmenter, localiser, clip, extra_points=bool(settings["edit"].get("extra_points", True)))
    source = str(args.mask) if args.mask is not None else "given"
    result = pipeline.run(image, args.prompt, args.target, mask, request, mask_source=f"file:{source}")
    out_dir = args.output_dir or safe_join(Path("outputs") / "edit", sanitise_stem(args.image.stem))
    write_edit_outputs(out_dir, result, extra={"image_path": str(args.image), "mask_path": str(args.mask) if args.mask else None})

    if result.localisation is not None:
        x, y = result.localisation.best
        print(f"CLIP point for {result.target!r}: ({x:.0f}, {y:.0f})")
    print(f"mask: {int(result.mask.sum())} px from {result.mask_source}; inpainter {inpainter.name}")
    if result.scores:
        o, e = result.scores["original"], result.scores["edited"]
        print(f"CLIP score for {args.prompt!r}: original {o.whole:.2f} -> edited {e.whole:.2f} "
              f"(mask crop {o.crop:.2f} -> {e.crop:.2f})")
    else:
        print("CLIP score: skipped (no --clip-model)")
    print(f"{result.timings['total']:.2f}s -> {out_dir}")
    return 0
