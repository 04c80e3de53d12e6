"""Regenerate the bundled samples in auxiliary/ (the prototype's layout, plus gt/ for evaluation)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.io.annotations import write_boxes  # noqa: E402
from engine.io.atomic import write_image, write_json, write_mask  # noqa: E402
from engine.samples import SAMPLE_SPECS, sample_scene  # noqa: E402


def main(root: Path) -> None:
    for name in SAMPLE_SPECS:
        scene = sample_scene(name)
        write_image(root / "images" / f"{name}.png", scene.image)
        write_boxes(root / "box_out" / name / f"{name}_sam_boxes.json", [scene.box])
        write_json(root / "llm_out" / f"{name}_output.json",
                   {"instance": scene.instance, "reason": f"synthetic camouflage scene: a textured {scene.instance} on a similar background"})
        write_mask(root / "gt" / f"{name}.png", scene.gt)
        print(f"{name}: {scene.image.shape[1]}x{scene.image.shape[0]}, box {[round(v) for v in scene.box.as_list()]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "auxiliary")
