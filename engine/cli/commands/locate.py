"""python main.py locate --name NAME --target "scorpionfish" [--critic qwen|dashscope|openai] [--mode ...]"""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.options import settings_from_args
from engine.errors import BackendError, InputError
from engine.io.annotations import read_instance
from engine.io.dataset import aux_item
from engine.io.images import load_image
from engine.io.safe_paths import safe_join, sanitise_stem
from engine.localise.locate import MODES, locate, write_locate_outputs
from engine.sculpt.runner import build_critic

COMMAND = "locate"
HELP = "find the target with a VLM critic (grounding box or 9+9 numbered strips); writes box_out + llm_out for sculpt"
ORDER = 20


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--name", help="an image of the aux layout: <aux-dir>/images/NAME.png|jpg")
    src.add_argument("--image", type=Path, help="any image file (outputs go to <aux-dir>/box_out and llm_out under its stem)")
    p.add_argument("--target", help="what to find, e.g. 'scorpionfish' (default: the instance in llm_out)")
    p.add_argument("--all", action="store_true", help="find every target (several boxes -> several objects in sculpt)")
    p.add_argument("--mode", choices=MODES, default="auto", help="grounding box, strips, or auto (box, then strips)")
    p.add_argument("--aux-dir", type=Path, default=Path("auxiliary"))
    p.add_argument("--critic", help="critic backend (qwen, dashscope, openai; the fallback chain applies)")
    p.add_argument("--vlm-max-side", type=int, help="long side of the image sent to the VLM")
    p.add_argument("--settings", type=Path, help="a settings.json to use instead of the user's")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override any setting")


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    aux: Path = args.aux_dir
    if args.name is not None:
        item = aux_item(aux, args.name)
        name, image_path = item.name, item.image_path
    else:
        if not args.image.exists():
            raise InputError(f"{args.image}: file not found")
        name, image_path = sanitise_stem(args.image.stem), args.image
    box_path = safe_join(aux / "box_out", name, f"{name}_sam_boxes.json", what="image name")
    llm_path = safe_join(aux / "llm_out", f"{name}_output.json", what="image name")
    instance = read_instance(llm_path)
    if args.target:
        instance.name = args.target.strip()
    if not instance.name or instance.name == "object" and not args.target:
        raise InputError(f"{name}: say what to find with --target (no instance in {llm_path})")
    image = load_image(image_path, settings["io"]["max_pixels"])
    critic = build_critic(settings)
    result = locate(critic, image, instance, args.mode, int(settings["sculpt"]["vlm_max_side"]), multiple=args.all)
    if result.box is None:
        reply = result.replies[-1]
        raise BackendError(f"{name}: critic '{result.critic}' gave no usable location ({reply.error}); "
                           f"raw reply: {reply.raw[:200]!r}")
    write_locate_outputs(result, box_path, llm_path, instance)
    where = ", ".join("[{}, {}, {}, {}]".format(*b.as_int_tuple()) for b in result.boxes)
    count = f"{len(result.boxes)} x " if len(result.boxes) > 1 else ""
    print(f"{name}: {count}'{instance.name}' at {where} via {result.critic} ({result.mode}) -> {box_path}, {llm_path}")
    return 0
