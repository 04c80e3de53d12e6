"""The sculpting parameters (defaults in resources/settings/defaults.json, section "sculpt")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from engine.errors import InputError

STRATEGIES = ("anchors", "direct")


@dataclass
class SculptParams:
    strategy: str = "anchors"
    rounds: int = 1
    ratio: float = 0.6  # square side / ROI short side
    min_square_side: int = 16  # lower clamp in pixels (recorded when it overrides the ratio)
    anchors_k: int = 3
    max_points: int = 10  # strategy direct
    vlm_max_side: int = 720
    early_stop_iou: float = 0.99
    roi_expand_margin: float = 0.05  # fraction of the image's long side added around a positive point outside the ROI
    direct_roi_factor: float = 1.1  # strategy direct: points outside this expansion of the ROI are dropped
    local_gating: bool = False
    gating_radius_factor: float = 1.0  # gating area = the round's squares scaled by this
    keep_largest_component: bool = False

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise InputError(f"strategy {self.strategy!r}: use one of {', '.join(STRATEGIES)}")
        if not 0 < self.ratio <= 4:
            raise InputError(f"ratio {self.ratio}: must be in (0, 4]")
        if self.rounds < 0 or self.anchors_k < 1 or self.anchors_k > 8:
            raise InputError(f"rounds {self.rounds} / anchors_k {self.anchors_k}: rounds >= 0 and 1 <= anchors_k <= 8")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SculptParams:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
