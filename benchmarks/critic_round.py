"""Benchmark (not a test): the cost of one critic round of K square judgements.

1. API critic (`openai`, real SDK) against a loopback OpenAI-compatible server with a fixed injected latency:
   one request alone, the prototype's way (K requests one after another) and ours (K concurrent), same run.
2. Local `qwen` critic on a tiny random-weight Qwen2.5-VL: the K squares one by one vs ONE batched
   generate call; wall time and generated tokens/s.

    .venv/bin/python benchmarks/critic_round.py [--latency-ms 300] [--k 4] [--repeats 3] [--skip-qwen]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from engine.critics.base import CriticView  # noqa: E402
from engine.geometry.anchors import place_anchors  # noqa: E402
from engine.geometry.squares import make_squares  # noqa: E402
from engine.registry import CRITICS  # noqa: E402
from engine.samples import sample_scene  # noqa: E402
from engine.types import InstanceInfo  # noqa: E402
from tests.critics.loopback import LoopbackVLMServer, Recorded, Step, max_overlap  # noqa: E402


def make_view(k: int) -> CriticView:
    scene = sample_scene("demo")
    anchors = place_anchors(scene.gt, scene.box)
    view = CriticView(scene.image, scene.gt, scene.box, anchors)
    view.squares = make_squares(scene.gt, anchors[:k], scene.box, 0.6, 16)
    return view


def timed(fn, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def _serve(port_queue: multiprocessing.Queue, latency_s: float) -> None:
    server = LoopbackVLMServer(default=Step('{"region": 2, "action": "pos", "reason": "bench"}'), latency_s=latency_s)
    server.start()
    port_queue.put(server.port)
    threading.Event().wait()


def _intervals(port: int) -> list[Recorded]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/requests") as resp:
        return [Recorded("", {}, {}, start, end) for start, end in json.load(resp)]


def bench_api(latency_ms: float, k: int, repeats: int) -> dict[str, float]:
    os.environ.setdefault("OPENAI_API_KEY", "sk-benchmark-not-a-real-key")
    # the server runs in its own process, like a real one: in-process it would compete with the client for the GIL
    queue: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
    proc = multiprocessing.get_context("fork").Process(target=_serve, args=(queue, latency_ms / 1000), daemon=True)
    proc.start()
    port = queue.get(timeout=30)
    try:
        critic = CRITICS.create("openai", model="bench-vl", base_url=f"http://127.0.0.1:{port}/v1", concurrency=k,
                                timeout_s=30)
        view, info = make_view(k), InstanceInfo("crab")
        ids = sorted(view.squares)
        critic.judge_squares(view, ids[:1], info)  # warm-up: connection, imports
        one = timed(lambda: critic.judge_squares(view, ids[:1], info), repeats)
        sequential = timed(lambda: [critic.judge_squares(view, [a], info) for a in ids], repeats)
        ours = timed(lambda: critic.judge_squares(view, ids, info), repeats)
        overlap = max_overlap(_intervals(port)[-k:])
    finally:
        proc.terminate()
        proc.join(5)
    print(f"API critic 'openai' on loopback, injected latency {latency_ms:.0f} ms, K={k} squares, median of {repeats}:")
    print(f"  one request                      {one * 1000:8.1f} ms")
    print(f"  prototype (sequential)           {sequential * 1000:8.1f} ms")
    print(f"  ours (concurrent, limit {k})      {ours * 1000:8.1f} ms   max requests in flight: {overlap}")
    print(f"  ours / one request = {ours / one:.2f}x (goal <= 1.5x); sequential / ours = {sequential / ours:.2f}x faster")
    return {"api_one_ms": one * 1000, "api_sequential_ms": sequential * 1000, "api_ours_ms": ours * 1000,
            "api_ours_vs_one": ours / one, "api_speedup_vs_sequential": sequential / ours, "api_max_in_flight": overlap}


def bench_qwen(k: int, repeats: int, qwen_dir: Path | None, reply_tokens: int) -> dict[str, float]:
    from engine.critics.prompts import render_prompt
    from engine.critics.vlm import VLMRequest

    tmp = None
    if qwen_dir is None:
        from tests.critics.tiny_qwen import build_tiny_qwen

        tmp = tempfile.TemporaryDirectory(prefix="qwen-bench-")
        t = time.perf_counter()
        qwen_dir = build_tiny_qwen(Path(tmp.name) / "tiny")
        print(f"(built a tiny random-weight Qwen2.5-VL in {time.perf_counter() - t:.1f}s)")
    critic = CRITICS.create("qwen", model_path=str(qwen_dir), device="auto", max_reply_length=reply_tokens,
                            min_pixels=28 * 28 * 64, max_pixels=28 * 28 * 144)
    view, info = make_view(k), InstanceInfo("crab")
    reqs = [VLMRequest("square", render_prompt("square", info, anchor_id=a), view.square_crop(a).image, reply_tokens)
            for a in sorted(view.squares)]
    critic.ask(reqs[:1])  # load + warm-up
    counts: dict[str, int] = {}

    def one_by_one() -> None:
        counts["one"] = sum(critic.ask([r])[0].tokens for r in reqs)

    def batched() -> None:
        counts["batch"] = sum(a.tokens for a in critic.ask(reqs))

    t_one = timed(one_by_one, repeats)
    t_batch = timed(batched, repeats)
    print(f"Local critic 'qwen' ({critic.device}, {qwen_dir.name}), K={k} squares, <= {reply_tokens} new tokens each, "
          f"median of {repeats}:")
    print(f"  one by one (K generate calls)    {t_one * 1000:8.1f} ms   {counts['one'] / t_one:7.1f} tokens/s")
    print(f"  batched (one generate call)      {t_batch * 1000:8.1f} ms   {counts['batch'] / t_batch:7.1f} tokens/s")
    print(f"  one-by-one / batched = {t_one / t_batch:.2f}x")
    critic.unload("benchmark done")
    if tmp is not None:
        tmp.cleanup()
    return {"qwen_one_by_one_ms": t_one * 1000, "qwen_batched_ms": t_batch * 1000, "qwen_batched_speedup": t_one / t_batch}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--latency-ms", type=float, default=300.0)
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--skip-qwen", action="store_true")
    p.add_argument("--qwen-dir", type=Path, help="a real Qwen2.5-VL folder instead of the tiny random one")
    p.add_argument("--reply-tokens", type=int, default=16)
    args = p.parse_args()
    figures = {"k": args.k, **bench_api(args.latency_ms, args.k, args.repeats)}
    if not args.skip_qwen:
        figures.update(bench_qwen(args.k, args.repeats, args.qwen_dir, args.reply_tokens))
    print("SUMMARY " + " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
