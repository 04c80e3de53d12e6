"""How accurate must my VLM be for the critic to save clicks? (not a test)

The `noisy-oracle` critic answers from the GT with each judgement flipped with probability p: a VLM that is
right (1 - p) of the time. For p in --noises, three ways to use it before the robot annotator's clicks
(engine/metrics/robot.py, the issue-14 protocol: critic points never block a correction):
  applied  every proposal applied (verdict off), as `sculpt --verdict off` does;
  review   a simulated reviewer accepts only the proposals the GT confirms; each reviewed proposal costs
           --review-cost clicks (settings eval.review_cost, default 0.25), counted in NoC;
  verdict  every proposal applied, the (equally noisy) verdict on: a "worse" round is retried smaller/reverted.
Baseline measured in the same run: clicks only (the robot from the box-only mask). Reports NoC@85 / NoC@90 /
mIoU@k per arm, a table (benchmarks/results/critic_accuracy.md/.json) and a plot (.png), then ONE SUMMARY line.

    nice -n 10 .venv/bin/python benchmarks/critic_accuracy.py [--limit 20] [--budget-s 480] [--max-side 640]
        [--max-clicks 20] [--rounds 3] [--noises 0,0.1,0.2,0.3,0.4] [--grabcut-side 512] [--data DIR]

Images are taken spread over the set; with --budget-s no new image starts once the budget is spent (the
number of images is printed). Skips with a message when ../shared/data/camo-test is absent."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import DEFAULT_DATA, RESULTS, camo_missing, grabcut_settings  # noqa: E402
from engine.io.dataset import DatasetItem  # noqa: E402
from engine.metrics.robot import RobotRun, miou_curve, review_rounds, run_robot, summarise  # noqa: E402
from engine.settings import deep_merge  # noqa: E402

MODES = ("applied", "review", "verdict")
CLICKS = "clicks only"


def camo_items(root: Path, limit: int) -> list[DatasetItem]:
    """`limit` images spread over the set (images/ + masks/, same stem)."""
    images = sorted(p for p in (root / "images").iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    pairs = [(p, root / "masks" / f"{p.stem}.png") for p in images]
    pairs = [(p, m) for p, m in pairs if m.exists()]
    if limit and limit < len(pairs):
        step = len(pairs) / limit
        pairs = [pairs[int(i * step)] for i in range(limit)]
    return [DatasetItem(name=p.stem, image_path=p, gt_path=m) for p, m in pairs]


def arm_name(mode: str, p: float) -> str:
    return f"{mode} p={p:g}"


def bench_image(loaded: Any, settings: dict, segmenter: Any, noises: list[float], rounds: int, max_clicks: int,
                stop_at: float, review_cost: float, modes: tuple[str, ...] = MODES) -> dict[str, RobotRun]:
    """Every arm's robot run on one (prepared, one-object) image."""
    from engine.metrics.bench import _session
    from engine.sculpt.runner import build_critic

    gt = loaded.gt
    runs: dict[str, RobotRun] = {}
    s0 = _session(loaded, settings, segmenter, None)
    runs[CLICKS] = run_robot(s0.objects[0].core, gt, max_clicks=max_clicks, stop_at=stop_at)
    for p in noises:
        for mode in modes:
            over = {"sculpt": {"rounds": rounds, "verdict": "on" if mode == "verdict" else "off"},
                    "critic": {"name": "noisy-oracle", "options": {"noisy-oracle": {"noise": p}}}}
            cfg = deep_merge(settings, over)
            s = _session(loaded, cfg, segmenter, build_critic(cfg, gt_mask=gt))
            core = s.objects[0].core
            reviewed = 0
            if mode == "review":
                reviewed = review_rounds(core, gt, rounds)
            else:
                for _ in s.iter_rounds(rounds):
                    pass
            n_critic = sum(pt.source.value == "critic" and pt.status.value == "accepted" for pt in core.points)
            run = run_robot(core, gt, max_clicks=max_clicks, stop_at=stop_at)
            run.critic_points, run.cost = n_critic, reviewed * review_cost
            runs[arm_name(mode, p)] = run
    return runs


def table(summary: dict[str, Any], ks: tuple[int, ...]) -> list[str]:
    head = "| arm | NoC@85 | NoC@90 | " + " | ".join(f"mIoU@{k}" for k in ks) + " | review cost | critic pts | undone |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, s in summary.items():
        cells = [f"{s['NoC@85']:.2f}", f"{s['NoC@90']:.2f}"] + [f"{s.get(f'mIoU@{k}', float('nan')):.4f}" for k in ks]
        cells += [f"{s['review_cost']:.2f}", f"{s['critic_points']:.1f}", str(s["undone"])]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def plot(summary: dict[str, Any], noises: list[float], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, t in zip(axes, ("NoC@85", "NoC@90"), strict=True):
        ax.axhline(summary[CLICKS][t], color="k", ls="--", label=CLICKS)
        for mode in MODES:
            ys = [summary[arm_name(mode, p)][t] for p in noises if arm_name(mode, p) in summary]
            ax.plot(noises[: len(ys)], ys, marker="o", label=f"critic first: {mode}")
        ax.set_xlabel("critic error rate p (noisy-oracle)")
        ax.set_ylabel(f"{t} (clicks, lower is better)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("How accurate must the critic be to save clicks?")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)


def saves_up_to(summary: dict[str, Any], noises: list[float], mode: str) -> float | None:
    """The largest p such that at every p' <= p critic-first needs no more clicks than clicks only (NoC@85 and
    NoC@90) and is ahead after one click (mIoU@1); None when it does not even at p = 0."""
    base, best = summary[CLICKS], None
    for p in sorted(noises):
        s = summary[arm_name(mode, p)]
        if s["NoC@85"] > base["NoC@85"] + 1e-9 or s["NoC@90"] > base["NoC@90"] + 1e-9 \
                or s.get("mIoU@1", 0.0) <= base.get("mIoU@1", 0.0):
            break
        best = p
    return best


def write_report(doc: dict[str, Any], out: Path) -> None:
    """benchmarks/results/critic_accuracy.md/.json/.png from the run's document; prints it and the SUMMARY line."""
    summary, noises, ks = doc["arms"], doc["noises"], tuple(doc.get("ks") or (0, 1, 3, 5, 10, 20))
    ks = tuple(k for k in ks if k <= doc["max_clicks"])
    base = summary[CLICKS]
    best = {mode: saves_up_to(summary, noises, mode) for mode in MODES}
    words = {mode: ("never (not even p=0)" if v is None else f"p <= {v:g}") for mode, v in best.items()}
    lines = [f"# Critic accuracy vs clicks (noisy-oracle, grabcut, strategy direct, {doc['rounds']} rounds)", "",
             f"{doc['images']} CAMO-test images spread over the set, {doc['max_side']} px, ROI = GT box, grabcut working "
             f"size {doc['grabcut_side']}, robot cap {doc['max_clicks']} clicks (stops at IoU {doc['stop_at']}), review "
             f"cost {doc['review_cost']} click per reviewed proposal, {doc['seconds']:.0f} s.", "",
             f"Command: `{doc.get('command', 'benchmarks/critic_accuracy.py')}`", "",
             *table(summary, ks), "",
             "Images whose NoC@90 critic-first is above clicks-only: "
             + ", ".join(f"{k} {v}" for k, v in doc["images_noc90_raised"].items()), "",
             "The critic saves clicks (NoC@85 and NoC@90 no higher than clicks only, mIoU@1 higher, at this error rate "
             "and every lower one): " + "; ".join(f"{mode}: {w}" for mode, w in words.items()) + "."]
    out.parent.mkdir(parents=True, exist_ok=True)
    from engine.io.atomic import write_json

    write_json(out.with_suffix(".json"), doc)
    out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    plot(summary, noises, out.with_suffix(".png"))
    print("\n".join(lines))
    for f in doc.get("failures", []):
        print(f"  failed: {f}")
    parts = [f"images={doc['images']}", f"clicks_noc85={base['NoC@85']:.2f}", f"clicks_noc90={base['NoC@90']:.2f}"]
    for mode in MODES:
        for p in noises:
            parts.append(f"{mode}_p{p:g}_noc90={summary[arm_name(mode, p)]['NoC@90']:.2f}")
    parts += [f"{mode}_saves_up_to_p={'none' if v is None else f'{v:g}'}" for mode, v in best.items()]
    print("SUMMARY " + " ".join(parts))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=20, help="images spread over the set")
    ap.add_argument("--budget-s", type=float, default=0, help="no new image starts after this many seconds (0: none)")
    ap.add_argument("--max-side", type=int, default=640)
    ap.add_argument("--max-clicks", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--noises", default="0,0.1,0.2,0.3,0.4")
    ap.add_argument("--review-cost", type=float, help="clicks per reviewed proposal (default settings eval.review_cost)")
    ap.add_argument("--grabcut-side", type=int, help="grabcut's working size (default its setting, 512)")
    ap.add_argument("--out", type=Path, default=RESULTS / "critic_accuracy")
    ap.add_argument("--from-json", type=Path, help="only rewrite the table, plot and SUMMARY from a saved .json")
    args = ap.parse_args()
    if args.from_json:
        write_report(json.loads(args.from_json.read_text(encoding="utf-8")), args.out)
        return 0
    if camo_missing((args.data / "images").is_dir(), args.data):
        return 0
    from engine.metrics.bench import _prepare
    from engine.sculpt.runner import build_segmenter

    settings = grabcut_settings(args.grabcut_side)
    review_cost = float(settings["eval"]["review_cost"] if args.review_cost is None else args.review_cost)
    stop_at = float(settings["eval"]["robot_stop_iou"])
    noises = [float(x) for x in args.noises.split(",") if x.strip()]
    segmenter = build_segmenter(settings)
    all_runs: dict[str, list[RobotRun]] = {}
    names: list[str] = []
    failures: list[str] = []
    t0 = time.perf_counter()
    for item in camo_items(args.data, args.limit):
        if args.budget_s and time.perf_counter() - t0 > args.budget_s:
            break
        try:
            loaded = _prepare(item, settings, args.max_side, True)
            runs = bench_image(loaded, settings, segmenter, noises, args.rounds, args.max_clicks, stop_at, review_cost)
        except Exception as exc:  # noqa: BLE001 - reported, the benchmark goes on
            failures.append(f"{item.name}: {exc}")
            continue
        names.append(item.name)
        for k, r in runs.items():
            all_runs.setdefault(k, []).append(r)
        print(f"  {len(names):3d} {item.name}: clicks NoC@90 {runs[CLICKS].noc(0.9, args.max_clicks):.2f}  "
              f"{time.perf_counter() - t0:.0f}s", flush=True)
    if not names:
        print("no image could be benchmarked: " + "; ".join(failures[:3]))
        print("SUMMARY images=0")
        return 1
    ks = tuple(k for k in (0, 1, 3, 5, 10, 20) if k <= args.max_clicks)
    summary = {k: summarise(v, args.max_clicks, ks) for k, v in all_runs.items()}
    seconds = time.perf_counter() - t0
    # per image: critic first never worse than clicks only?
    raised = {k: sum(r.noc(0.9, args.max_clicks) > c.noc(0.9, args.max_clicks) + 1e-9
                     for r, c in zip(v, all_runs[CLICKS], strict=True)) for k, v in all_runs.items() if k != CLICKS}
    doc = {"images": len(names), "names": names, "max_side": args.max_side, "max_clicks": args.max_clicks,
           "rounds": args.rounds, "review_cost": review_cost, "stop_at": stop_at, "noises": noises,
           "grabcut_side": int(settings["segmenter"]["options"]["grabcut"]["max_side"]), "seconds": seconds,
           "failures": failures, "arms": summary, "images_noc90_raised": raised, "ks": list(ks),
           "command": "nice -n 10 .venv/bin/python benchmarks/critic_accuracy.py " + " ".join(sys.argv[1:]),
           "per_image_noc": {k: [[r.noc(0.85, args.max_clicks), r.noc(0.9, args.max_clicks)] for r in v]
                             for k, v in all_runs.items()},
           "miou_curves": {k: miou_curve(v, args.max_clicks) for k, v in all_runs.items()}}
    write_report(doc, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
