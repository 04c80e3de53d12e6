"""Write a session's outputs in the prototype's layout: final_mask.png (0/255), instance_info.txt,
sculpt.json (provenance) and, unless clean_output, the step visualisations. All writes atomic."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.critics.secrets import redact_provenance
from engine.io.atomic import write_image, write_json, write_mask, write_text
from engine.sculpt.render import blend_mask, render_points_overlay
from engine.sculpt.session import SculptSession
from engine.settings import strip_secrets
from engine.types import SculptResult
from engine.version import provenance_header


def write_outputs(out_dir: str | Path, session: SculptSession, result: SculptResult | None = None,
                  clean_output: bool = False, save_points_vis: bool = False, extra: dict | None = None) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = result or session.result()
    if not clean_output:
        write_mask(out / "initial_mask.png", result.initial_mask)
        for index, view in session.views.items():
            write_image(out / f"round{index}_context_for_vlm.png", view.anchor_overlay.image)
            if view.squares:
                for aid in sorted(view.squares):
                    write_image(out / f"round{index}_square_{aid}.png", view.square_crop(aid).image)
        write_image(out / "final_visualization.png", _final_visualisation(session.image, result))
    if save_points_vis or not clean_output:
        for rnd in result.rounds:
            pts = [p for p in result.points if p.round_index == rnd.index]
            write_image(out / f"round{rnd.index}_points_overlay.png",
                        render_points_overlay(session.image, result.mask, result.box, pts))
    provenance = {**provenance_header(), **result.provenance(), **(extra or {})}
    write_json(out / "sculpt.json", redact_provenance(strip_secrets(provenance)))
    write_text(out / "instance_info.txt", result.instance.name + "\n")
    write_mask(out / "final_mask.png", result.mask)  # last: its presence marks the image as done
    return out


def _final_visualisation(image: np.ndarray, result: SculptResult) -> np.ndarray:
    left = blend_mask(image, result.initial_mask, (255, 160, 0))
    right = render_points_overlay(image, result.mask, result.box, result.points)
    gap = np.full((image.shape[0], 8, 3), 255, np.uint8)
    return np.concatenate([left, gap, right], axis=1)
