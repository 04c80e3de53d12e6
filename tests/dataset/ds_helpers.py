"""Synthetic datasets for the dataset tests (aux and cod layouts), made by engine.samples."""

from __future__ import annotations

from pathlib import Path

from engine.io.annotations import write_boxes
from engine.io.atomic import write_image, write_json, write_mask
from engine.samples import generate_scene

SIZE = (240, 180)  # small enough to be fast, large enough for GrabCut's box-only mask to be sensible
# scenes where GrabCut's box-only mask is not empty at SIZE (on some scenes it returns nothing)
GOOD_SEEDS = (100, 101, 102, 104, 105, 107, 108)


def make_aux_dataset(root: Path, n: int, size: tuple[int, int] = SIZE, seed0: int = 100) -> list[str]:
    names = []
    seeds = GOOD_SEEDS if size == SIZE and seed0 == 100 and n <= len(GOOD_SEEDS) else range(seed0, seed0 + n)
    for i, seed in enumerate(list(seeds)[:n]):
        name = f"s{i:02d}"
        scene = generate_scene(seed, size, "blob")
        write_image(root / "images" / f"{name}.png", scene.image)
        write_boxes(root / "box_out" / name / f"{name}_sam_boxes.json", [scene.box])
        write_json(root / "llm_out" / f"{name}_output.json", {"instance": "blob"})
        write_mask(root / "gt" / f"{name}.png", scene.gt)
        names.append(name)
    return names


def make_cod_dataset(root: Path, n: int, size: tuple[int, int] = SIZE, seed0: int = 200) -> list[str]:
    names = []
    for i in range(n):
        name = f"c{i:02d}"
        scene = generate_scene(seed0 + i, size, "blob")
        write_image(root / "Imgs" / f"{name}.png", scene.image)
        write_mask(root / "GT" / f"{name}.png", scene.gt)
        names.append(name)
    return names
