"""The sculpting parameters. Their defaults and limits are engine.config.sections.SculptSection's
(the one source of truth; resources/settings/defaults.json agrees with it, section "sculpt")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from pydantic import ValidationError

from engine.config.base import describe_errors
from engine.config.sections import SculptSection
from engine.errors import InputError

STRATEGIES = ("anchors", "direct")
_D = SculptSection()


@dataclass
class SculptParams:
    strategy: str = _D.strategy
    rounds: int = _D.rounds
    ratio: float = _D.ratio  # square side / ROI short side
    min_square_side: int = _D.min_square_side  # lower clamp in pixels (recorded when it overrides the ratio)
    anchors_k: int = _D.anchors_k
    max_points: int = _D.max_points  # strategy direct
    vlm_max_side: int = _D.vlm_max_side
    early_stop_iou: float = _D.early_stop_iou
    roi_expand_margin: float = _D.roi_expand_margin  # fraction of the image's long side added around an outside positive
    direct_roi_factor: float = _D.direct_roi_factor  # strategy direct: points outside this expansion of the ROI are dropped
    local_gating: bool = _D.local_gating
    gating_radius_factor: float = _D.gating_radius_factor  # gating area = the round's squares scaled by this
    keep_largest_component: bool = _D.keep_largest_component
    verdict: str = _D.verdict  # on: a "worse" critic verdict reverts the round; off: no verdict; record: verdict only
    keep_painted: bool = _D.keep_painted  # brush/eraser pixels survive the next segmenter call

    def __post_init__(self) -> None:
        try:
            checked = SculptSection.model_validate(asdict(self))
        except ValidationError as exc:
            raise InputError(f"sculpt parameters: {describe_errors(exc, SculptSection, 'sculpt')}") from None
        for f in fields(self):  # normalised (e.g. 3.0 -> 3)
            object.__setattr__(self, f.name, getattr(checked, f.name))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SculptParams:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
