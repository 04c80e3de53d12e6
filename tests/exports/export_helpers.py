"""Synthetic outputs folders for the export tests: as `sculpt` writes them (ImageSession +
write_image_outputs), made without a model: the objects come in through ImportMask, which never
calls the segmenter (a stub here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.io.atomic import write_image, write_text
from engine.sculpt import commands as C
from engine.sculpt.image_outputs import write_image_outputs
from engine.sculpt.image_session import ImageSession
from engine.sculpt.labels import LabelList

W, H = 200, 150
LABELS_TXT = "shell #00ff00\ncrab\nunused\n"  # class order shell, crab, unused


class StubSegmenter:
    """A stub: ImportMask needs no segmenter call; any call would fail the test."""

    name = "stub"

    def prepare(self, image: np.ndarray) -> None:
        pass

    def info(self) -> dict:
        return {"name": "stub"}

    def predict(self, *args, **kwargs):
        raise AssertionError("the stub segmenter was called")


def scene_objects() -> dict[str, list[tuple[str, np.ndarray]]]:
    yy, xx = np.mgrid[0:H, 0:W]
    ring = ((xx - 60) ** 2 + (yy - 55) ** 2 <= 40**2) & ~((xx - 62) ** 2 + (yy - 52) ** 2 <= 14**2)  # a hole
    two = ((xx - 150) ** 2 / 30**2 + (yy - 40) ** 2 / 18**2 <= 1) | ((xx >= 130) & (xx < 185) & (yy >= 95) & (yy < 130))
    two &= ~ring
    small = ((xx - 40) ** 2 + (yy - 125) ** 2 <= 12**2)
    single = ((xx - 100) ** 2 / 50**2 + (yy - 75) ** 2 / 35**2 <= 1)
    return {"two": [("crab", ring), ("shell", two), ("crab", small)], "one": [("shell", single)]}


def _image(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (H, W, 3), dtype=np.uint8)


def make_outputs(root: Path) -> Path:
    out = root / "outputs"
    for seed, (name, objects) in enumerate(scene_objects().items()):
        image = _image(seed)
        image_path = root / "dataset" / "images" / f"{name}.png"
        write_image(image_path, image)
        session = ImageSession(image, StubSegmenter(), None, name=name, labels=LabelList(["crab", "shell"]))
        for label, mask in objects:
            session.execute(C.ImportMask(mask=mask, label_name=label))
        write_image_outputs(out / name, session, clean_output=True, extra={"image_path": str(image_path)})
    write_text(out / "labels.txt", LABELS_TXT)
    return out
