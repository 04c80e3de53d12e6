"""sam-sculpt track --frames DIR|VIDEO --box x0,y0,x1,y1 | --points ... | --init-mask PNG [--frame K] --out DIR

Prompt frame K, propagate with a video tracker (SAM 2 / EdgeTAM), write <out>/<seq>/<frame>.png (DAVIS palette
PNGs, pixel value = object id) and <out>/<seq>/track.json; a killed run resumes. --gt DIR scores J/F/J&F."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

COMMAND = "track"
HELP = "video: prompt one frame, propagate through the sequence (SAM 2 / EdgeTAM), DAVIS-style masks + track.json"
ORDER = 25
log = logging.getLogger("sam_sculpt.track")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--frames", type=Path, required=True,
                   help="a folder of frames (sorted by name), a DAVIS/MoCA root (JPEGImages/<seq>/), or a video file")
    p.add_argument("--seq", help="the sequence of a DAVIS/MoCA root holding several")
    p.add_argument("--box", action="append", default=[], metavar="x0,y0,x1,y1",
                   help="an object's box on the prompt frame (repeat for several objects: ids 1, 2, ...)")
    p.add_argument("--points", action="append", default=[], metavar="x,y[,l];...",
                   help="an object's clicks on the prompt frame (label 1 positive, 0 negative); with one --box, "
                        "the clicks refine that box's object")
    p.add_argument("--init-mask", type=Path, help="a mask of the prompt frame instead of box/points: a 0/255 PNG "
                   "(one object) or a DAVIS palette PNG (one object per id)")
    p.add_argument("--frame", type=int, default=0, help="the prompt frame's index (0-based; default 0)")
    p.add_argument("--label", action="append", default=[], help="each object's label, in object order")
    p.add_argument("--segmenter", default="sam2", help="sam2 or edgetam (their video trackers), or a tracker name")
    p.add_argument("--out", type=Path, default=Path("outputs/track"), help="masks go to OUT/SEQ/FRAME.png (default: ./outputs/track)")
    p.add_argument("--max-frames", type=int, help="track only the first N frames")
    p.add_argument("--restart", action="store_true", help="ignore an earlier (interrupted) run in --out")
    p.add_argument("--correct", action="store_true", help="correct an earlier track in --out: the prompt on --frame J "
                   "(usually a fixed --init-mask) re-propagates from J away from the first prompt frame; an interrupted "
                   "correction resumes when asked again (--restart: redo it)")
    p.add_argument("--gt", type=Path, help="ground-truth masks of the sequence (<frame>.png): print J, F, J&F, "
                   "write eval.json next to track.json")
    p.add_argument("--score-only", action="store_true", help="with --gt: only score the masks already in "
                   "<out>/<seq>/ (from an earlier track or another tool), no tracking")
    p.add_argument("--device", help="cpu, cuda, auto (overrides track.device)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--settings", type=Path, help="a settings.json to use instead of the user's")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override any setting, e.g. --set track.model_dir=models/sam2.1-hiera-tiny")


def _objects(args: argparse.Namespace, shape: tuple[int, int]):
    from engine.errors import InputError
    from engine.io.annotations import parse_box_arg
    from engine.video.prompts import ObjectPrompt, parse_points, read_id_map, split_ids

    labels = list(args.label)

    def label(i: int) -> str:
        return labels[i] if i < len(labels) else "object"

    if args.init_mask is not None:
        if args.box or args.points:
            raise InputError("--init-mask cannot be combined with --box or --points")
        if not args.init_mask.is_file():
            raise InputError(f"{args.init_mask}: no such mask file")
        masks = split_ids(read_id_map(args.init_mask))
        if not masks:
            raise InputError(f"{args.init_mask}: the init mask is empty")
        return [ObjectPrompt(obj_id, label(i), mask=m) for i, (obj_id, m) in enumerate(sorted(masks.items()))]
    boxes = [parse_box_arg(b) for b in args.box]
    points = [parse_points(p) for p in args.points]
    if not boxes and not points:
        raise InputError("track needs a prompt: --box x0,y0,x1,y1, --points x,y[,label] or --init-mask PNG")
    h, w = shape
    for b in boxes:
        if not (b.is_valid() and b.x1 > 0 and b.y1 > 0 and b.x0 < w and b.y0 < h):
            raise InputError(f"--box {b.x0:g},{b.y0:g},{b.x1:g},{b.y1:g}: empty or outside the {w}x{h} px frame")
    if len(boxes) == 1 and len(points) == 1:
        return [ObjectPrompt(1, label(0), box=boxes[0], points=points[0])]
    objs = [ObjectPrompt(i + 1, label(i), box=b) for i, b in enumerate(boxes)]
    objs += [ObjectPrompt(len(objs) + i + 1, label(len(objs) + i), points=p) for i, p in enumerate(points)]
    return objs


def run(args: argparse.Namespace) -> int:
    from engine.cli.options import settings_from_args
    from engine.errors import InputError
    from engine.video.frames import open_frames
    from engine.video.propagate import track_sequence
    from engine.video.tracker import build_tracker, tracker_name, tracker_options

    seg = args.segmenter
    args.segmenter = None  # a tracker name is not an image segmenter setting
    settings = settings_from_args(args)
    if args.device:
        settings["track"]["device"] = args.device
    max_frames = args.max_frames if args.max_frames is not None else (settings["track"].get("max_frames") or None)
    if max_frames is not None and max_frames < 1:
        raise InputError(f"--max-frames {max_frames}: must be at least 1")
    source = open_frames(args.frames, args.seq, max_frames)
    if args.score_only:
        if args.gt is None:
            raise InputError("--score-only needs --gt DIR")
        from engine.io.safe_paths import safe_join

        return _score(safe_join(args.out, source.name, what="sequence name"), args.gt, source.name)
    if not 0 <= args.frame < len(source):
        raise InputError(f"--frame {args.frame}: {source.describe()} has frames 0..{len(source) - 1}")
    first = source.read(args.frame)
    objects = _objects(args, first.shape[:2])
    tracker = build_tracker(seg, **tracker_options(settings, seg))
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=len(source), desc=f"track {source.name}", unit="frame")

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.n = done
            bar.refresh()

    try:
        if args.correct:
            from engine.video.correct import repropagate

            summary = repropagate(source, tracker, objects, args.frame, args.out, progress=progress,
                                  restart=args.restart)
        else:
            summary = track_sequence(source, tracker, objects, args.frame, args.out, restart=args.restart,
                                     progress=progress)
    finally:
        if bar is not None:
            bar.close()
    print(f"{tracker_name(seg)}: {summary.total} frames -> {summary.out_dir} ({summary.computed} tracked, "
          f"{summary.reused} already done, {summary.fps:.2f} frames/s)")
    return _score(summary.out_dir, args.gt, source.name) if args.gt is not None else 0


def _score(pred_dir: Path, gt: Path, name: str) -> int:
    from engine.errors import InputError
    from engine.io.atomic import write_json
    from engine.metrics.video import evaluate_sequence

    if not gt.is_dir():
        raise InputError(f"{gt}: no such ground-truth folder")
    if not pred_dir.is_dir():
        raise InputError(f"{pred_dir}: no predicted masks to score")
    scores = evaluate_sequence(pred_dir, gt, name)
    write_json(pred_dir / "eval.json", scores.to_json())
    print(f"{name}: J={scores.j_mean:.4f} F={scores.f_mean:.4f} J&F={scores.jf_mean:.4f} "
          f"({len(scores.frames)} frame-objects, {len(scores.missing)} GT frames without a prediction)")
    return 0
