"""Write an edit's files atomically: original.png, sam_mask.png, edited.png, edit.json (and the CLIP
heatmap overlay when localisation ran)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from engine.edit.pipeline import EditResult
from engine.io.atomic import write_image, write_json, write_mask


def heatmap_overlay(image: np.ndarray, heatmap: np.ndarray, point: tuple[float, float] | None = None) -> np.ndarray:
    """The image under a JET-coloured heatmap, with the point as a white-ringed dot (RGB uint8)."""
    colour = cv2.applyColorMap(np.clip(heatmap * 255, 0, 255).astype(np.uint8), cv2.COLORMAP_JET)[:, :, ::-1]
    out = cv2.addWeighted(image, 0.5, colour, 0.5, 0)
    if point is not None:
        r = max(4, round(0.012 * max(image.shape[:2])))
        c = (round(point[0]), round(point[1]))
        cv2.circle(out, c, r + 2, (255, 255, 255), -1)
        cv2.circle(out, c, r, (255, 0, 0), -1)
    return out


def write_edit_outputs(out_dir: str | Path, result: EditResult, extra: dict[str, Any] | None = None) -> dict[str, Path]:
    out_dir = Path(out_dir)
    paths = {"original": out_dir / "original.png", "mask": out_dir / "sam_mask.png", "edited": out_dir / "edited.png",
             "json": out_dir / "edit.json"}
    write_image(paths["original"], result.original)
    write_mask(paths["mask"], result.mask)
    write_image(paths["edited"], result.edited)
    if result.localisation is not None:
        paths["heatmap"] = out_dir / "clip_heatmap.png"
        write_image(paths["heatmap"], heatmap_overlay(result.original, result.localisation.heatmap, result.localisation.best))
    data = {**(extra or {}), **result.to_dict(), "files": {k: p.name for k, p in paths.items()}}
    write_json(paths["json"], data)
    return paths
