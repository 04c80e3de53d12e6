"""Report plots (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from engine.io.atomic import write_bytes  # noqa: E402


def _save(fig, path: Path) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    write_bytes(path, buf.getvalue())
    return path


def plot_iou_per_image(box_only: dict[str, float], sculpted: dict[str, dict[str, float]], path: str | Path) -> Path:
    """Per-image IoU, images sorted by their box-only IoU; one line per sculpted configuration."""
    names = sorted(box_only, key=lambda n: box_only[n])
    fig, ax = plt.subplots(figsize=(9, 4))
    xs = range(len(names))
    ax.plot(xs, [box_only[n] for n in names], "k.-", lw=1, label="box only")
    for label, ious in sculpted.items():
        ax.plot(xs, [ious.get(n, float("nan")) for n in names], ".", label=label, alpha=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("image (sorted by box-only IoU)")
    ax.set_ylabel("IoU")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, Path(path))


def plot_miou_vs_clicks(curves: dict[str, list[float]], path: str | Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4))
    styles = ["-", "--", ":", "-."]
    for i, (label, curve) in enumerate(curves.items()):
        # distinct dashes and widths: identical curves (a critic that proposed nothing) stay visible
        ax.plot(range(len(curve)), curve, marker=".", ls=styles[i % len(styles)], lw=2.5 - 0.5 * (i % 3), label=label)
    for t in (0.85, 0.9):
        ax.axhline(t, color="grey", lw=0.6, ls="--")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("robot clicks")
    ax.set_ylabel("mIoU")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, Path(path))
