"""The largest UI event-loop stall while the GUI's worker thread computes a vit_b-sized SAM image
embedding and runs a critic round. Goal: under 50 ms.

Random weights of the real vit_b architecture (cost does not depend on weight values) are saved as a
checkpoint and loaded through the `sam` backend's normal path; the real MainWindow runs (offscreen)
on a bundled sample; a 10 ms QTimer on the UI thread records the gap between its ticks.

    .venv/bin/python benchmarks/ui_responsiveness.py [--segmenter sam|sam-onnx] [--sample moth] [--threads N] [--json out.json]

Each stall over 50 ms is printed with what the worker said it was doing when the stall began and
ended (its progress text), so the cause can be found. The last line is
`SUMMARY max_stall_ms=.. p99_ms=.. phase=..` (the worst phase).

Phases, each timed from the job's submission to its result on screen:
  open      image embedding (the expensive one) + first mask; with --no-preload also the model load
            (the app loads the model before its window is interactive: gui/warmup.py)
  propose   one critic round (heuristic critic by default)
  apply     decoder-only refine with the accepted proposals
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.io.atomic import write_json  # noqa: E402
from engine.process_env import HUGE_PAGES_VAR, prefer_huge_pages  # noqa: E402
from engine.settings import deep_merge, load_settings  # noqa: E402


class TickMeter:
    def __init__(self, label=lambda: "") -> None:
        self.label = label  # what the worker is doing (its progress text), read on each tick
        self.stalls: list[tuple[float, str, str]] = []
        self._last_label = ""
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.ends: list[float] = []
        self.last = self.t0 = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self.last
        self.gaps.append(gap)
        self.ends.append(now - self.t0)
        self.last = now
        label = self.label()
        if gap > 0.05:
            self.stalls.append((gap, self._last_label, label))
        self._last_label = label

    def start(self) -> None:
        self.gaps, self.ends, self.stalls = [], [], []
        self._last_label = self.label()
        self.last = self.t0 = time.perf_counter()
        self.timer.start()

    def stop(self) -> dict:
        self.timer.stop()
        g = sorted(self.gaps) or [float("nan")]
        return {"ticks": len(self.gaps), "max_ms": round(g[-1] * 1000, 1),
                "p99_ms": round(g[min(len(g) - 1, int(0.99 * len(g)))] * 1000, 1),
                "median_ms": round(statistics.median(g) * 1000, 1),
                "over_50ms": sum(x > 0.05 for x in g),
                "worst_at_s": [round(e - d, 2) for d, e in sorted(zip(self.gaps, self.ends, strict=True))[-5:]],
                "stalls": [(round(g * 1000, 1), a, b) for g, a, b in sorted(self.stalls, reverse=True)[:5]]}


def wait_for(app: QApplication, cond, timeout_s: float) -> bool:
    loop = QEventLoop()
    t0 = time.perf_counter()
    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(lambda: loop.quit() if cond() or time.perf_counter() - t0 > timeout_s else None)
    poll.start()
    loop.exec()
    poll.stop()
    return bool(cond())


def build_checkpoint(folder: Path, variant: str) -> Path:
    import torch
    from segment_anything import sam_model_registry

    t = time.perf_counter()
    model = sam_model_registry[variant](checkpoint=None)
    path = folder / f"sam_{variant}_random.pth"
    torch.save(model.state_dict(), path)
    print(f"built a random-weight {variant} checkpoint ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f}s")
    return path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sample", default="moth")
    p.add_argument("--variant", default="vit_b")
    p.add_argument("--critic", default="heuristic")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads for the sam backend (default: the GUI's, all cores but one; 0: all cores)")
    p.add_argument("--rounds", type=int, default=3, help="propose/apply rounds to time")
    p.add_argument("--json", type=Path)
    p.add_argument("--segmenter", default="sam", choices=["sam", "sam-onnx"],
                   help="sam: the torch encoder; sam-onnx: the same weights exported to ONNX (`models export-onnx`), "
                        "the encoder one onnxruntime call")
    p.add_argument("--no-preload", action="store_true",
                   help="load the model on the worker while the window runs (the old behaviour, for comparison)")
    p.add_argument("--no-freeze", action="store_true",
                   help="skip the app's gc.freeze() of the start-up objects (for comparison)")
    p.add_argument("--no-huge-pages", action="store_true",
                   help=f"run torch without {HUGE_PAGES_VAR}=1, which the app sets (for comparison)")
    args = p.parse_args()
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if not args.no_huge_pages:
        prefer_huge_pages()  # as sam_sculpt/launcher.py does, before torch loads
    elif os.environ.get(HUGE_PAGES_VAR):
        del os.environ[HUGE_PAGES_VAR]

    app = QApplication(sys.argv[:1])
    from gui.compat import guard_none_refcount
    from gui.main_window import MainWindow

    guard_none_refcount()
    tmp = Path(tempfile.mkdtemp(prefix="ui-bench-"))
    os.environ["SAM_SCULPT_QSETTINGS"] = str(tmp / "qsettings.ini")
    ckpt = build_checkpoint(tmp, args.variant)
    sam_opts = {"checkpoint": str(ckpt), "device": "cpu", "disk_cache": False}
    if args.segmenter == "sam-onnx":
        import argparse as _argparse

        from engine.models import export_onnx_cmd

        t = time.perf_counter()
        export_onnx_cmd.run(_argparse.Namespace(checkpoint=ckpt, out=tmp / "onnx", name="bench", quantize="none",
                                                no_encoder=False))
        print(f"exported to ONNX in {time.perf_counter() - t:.1f}s")
        sam_opts = {"encoder": str(tmp / "onnx" / "bench.encoder.onnx"), "disk_cache": False}
    if args.threads:
        sam_opts["threads"] = args.threads
    settings = deep_merge(load_settings(tmp / "none.json"), {
        "gui": {"prefetch": False, "leave_core_for_ui": args.threads != 0},
        "segmenter": {"name": args.segmenter, "options": {args.segmenter: sam_opts}},
        "critic": {"name": args.critic, "options": {"heuristic": {"min_evidence": 0.1}}},
    })
    segmenter = None
    if not args.no_preload:
        from gui.warmup import preload_segmenter

        t = time.perf_counter()
        segmenter = preload_segmenter(settings)
        print(f"preload   {time.perf_counter() - t:7.2f}s  (before the window is shown, as the app does)")
    w = MainWindow(settings, tmp / "out", tmp / "work", segmenter=segmenter)
    w.resize(1400, 900)
    if not args.no_freeze:
        from gui.app import settle_startup_objects

        settle_startup_objects()  # as gui/app.py does before it shows the window
    w.show()
    meter = TickMeter(lambda: w.log_panel.status.text())
    rows: dict[str, dict] = {}

    def phase(name: str, submit, done, timeout_s: float = 900) -> None:
        before = w.snapshot.state_id if w.snapshot else 0
        submit()
        wait_for(app, lambda: w.busy, 10)
        meter.start()
        t0 = time.perf_counter()
        ok = wait_for(app, lambda: w.snapshot is not None and w.snapshot.state_id > before and not w.busy and done(), timeout_s)
        row = meter.stop()
        row["seconds"] = round(time.perf_counter() - t0, 2)
        row["ok"] = ok
        rows[name] = row
        print(f"{name:9s} {row['seconds']:7.2f}s  max stall {row['max_ms']:6.1f} ms  p99 {row['p99_ms']:5.1f} ms  "
              f"median {row['median_ms']:4.1f} ms  gaps>50ms {row['over_50ms']:3d}  ticks {row['ticks']}  "
              f"(5 worst start at {row['worst_at_s']} s)")
        for ms, a, b in row["stalls"]:
            print(f"          stall {ms:6.1f} ms while: {a!r} -> {b!r}")

    print(f"sample {args.sample}, {args.variant} random weights on cpu ({args.segmenter}), critic {args.critic}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}")
    phase("open", lambda: w.open_folder(ROOT / "auxiliary", select=args.sample),
          lambda: w.snapshot.mask is not None)
    for r in range(1, args.rounds + 1):
        phase(f"propose{r}", lambda: w.submit("propose"), lambda r=r: len(w.snapshot.rounds) == r)
        pending = [p.id for p in w.snapshot.points if p.status == "pending"]
        if pending:
            w.submit("decide", ids=pending, decision="accept")
            wait_for(app, lambda: not w.busy and all(p.status != "pending" for p in w.snapshot.points), 60)
        phase(f"apply{r}", lambda: w.submit("apply"), lambda: w.snapshot.rounds[-1].applied)
    worst = max(r["max_ms"] for r in rows.values())
    worst_phase = max(rows, key=lambda k: rows[k]["max_ms"])
    print(f"largest UI stall: {worst:.1f} ms (goal < 50 ms) - {'met' if worst < 50 else 'NOT met'}; "
          f"load at the end {os.getloadavg()[0]:.2f}")
    if args.json:
        write_json(args.json, {"sample": args.sample, "variant": args.variant, "segmenter": args.segmenter, "critic": args.critic,
                               "cpu_count": os.cpu_count(), "threads": args.threads, "phases": rows, "worst_ms": worst,
                               "huge_pages": os.environ.get(HUGE_PAGES_VAR) == "1", "gc_freeze": not args.no_freeze})
    w.close()
    print(f"SUMMARY max_stall_ms={worst:.1f} p99_ms={rows[worst_phase]['p99_ms']:.1f} phase={worst_phase} "
          f"preload={'no' if args.no_preload else 'yes'} segmenter={args.segmenter} "
          f"huge_pages={'yes' if os.environ.get(HUGE_PAGES_VAR) == '1' else 'no'} gc_freeze={'no' if args.no_freeze else 'yes'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
