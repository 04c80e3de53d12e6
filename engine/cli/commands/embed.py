"""python main.py embed --dataset DIR [--layout auto|aux|cod|folder] [--segmenter sam|sam-hf] [--model PATH]"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from tqdm import tqdm

from engine.cli.options import settings_from_args
from engine.errors import BackendError, InputError, SculptError
from engine.io.dataset import list_dataset
from engine.prefetch import Prefetcher
from engine.registry import SEGMENTERS
from engine.sculpt.runner import build_segmenter

COMMAND = "embed"
HELP = "precompute the SAM image embeddings of a folder into the disk cache, so opening each image skips the encoder"
ORDER = 40
log = logging.getLogger("sam_sculpt.embed")
MODEL_OPTION = {"sam": "checkpoint", "sam-hf": "model_dir"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", type=Path, required=True, help="a dataset folder (aux, COD Imgs/+GT/, or a plain folder)")
    p.add_argument("--layout", default="auto", choices=["auto", "aux", "cod", "folder"], help="layout of --dataset")
    p.add_argument("--segmenter", default="sam", help="an embedding backend: sam (default) or sam-hf")
    p.add_argument("--model", type=Path, help="sam: the checkpoint .pth; sam-hf: the model folder (default: found in models/)")
    p.add_argument("--cache-dir", type=Path, help="where the embeddings go (default: the segmenter's cache_dir setting, "
                   "else the user cache dir); e.g. DIR/.sam_cache to keep them with the project")
    p.add_argument("--limit", type=int, help="only the first N images")
    p.add_argument("--settings", type=Path, help="a settings.json to use instead of the user's")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override any setting")


def run(args: argparse.Namespace) -> int:
    name = args.segmenter
    if not hasattr(SEGMENTERS.factory(name), "embed_with_source"):
        raise BackendError(f"segmenter '{name}' has no image embedding to precompute (use sam or sam-hf)")
    extra = [f"segmenter.options.{name}.disk_cache=true"]
    if args.model is not None:
        if name not in MODEL_OPTION:
            raise InputError(f"--model: segmenter '{name}' takes no model path (use --set)")
        extra.append(f"segmenter.options.{name}.{MODEL_OPTION[name]}={args.model}")
    if args.cache_dir is not None:
        extra.append(f"segmenter.options.{name}.cache_dir={args.cache_dir}")
    args.set = list(args.set) + extra  # ours last: the disk cache is the point of this command
    settings = settings_from_args(args)
    items = list_dataset(args.dataset, args.layout)[: args.limit]
    if not items:
        raise InputError(f"{args.dataset}: no images found")
    segmenter = build_segmenter(settings, name)
    counts = {"computed": 0, "cached": 0, "failed": 0}
    t0 = time.perf_counter()
    with Prefetcher(segmenter, max_pixels=settings["io"]["max_pixels"]) as pf:
        bar = tqdm(pf.iterate([it.image_path for it in items]), total=len(items), unit="img", desc=f"embed ({name})")
        for path, got in bar:
            if isinstance(got, BackendError):  # the model itself failed: every image would
                raise got
            if isinstance(got, Exception):
                counts["failed"] += 1
                bar.write(f"error: {got}" if isinstance(got, SculptError) else f"error: {path}: {got}")
            else:
                counts["computed" if got.source == "computed" else "cached"] += 1
            bar.set_postfix(counts, refresh=False)
        bar.close()
    cache = segmenter.cache
    print(f"embed: {len(items)} image(s) in {time.perf_counter() - t0:.1f}s: {counts['computed']} computed, "
          f"{counts['cached']} already cached, {counts['failed']} failed -> {cache.disk_dir} "
          f"({cache.disk_used() / 2**20:.1f} MB)")
    return 1 if counts["failed"] else 0
