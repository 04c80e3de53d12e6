"""`noisy-oracle`: the oracle with each judgement flipped with probability `noise` (evaluation only, like
`oracle`: refused without a GT mask). It answers the question "how accurate must my VLM be for the critic to
save clicks?": bench it at noise 0, 0.1, 0.2, ...

Flips: a square's answer goes to the other region (with that region's action; "leave it" becomes a random
region); a direct point's label is inverted; an anchor's intent is inverted; a better/worse verdict is
inverted. Per-object GT (`gt_instances`): as the oracle (OracleCritic.for_object). Reproducible: each flip is drawn from a generator seeded by (seed, the question, the mask it is
asked about), so the same inputs give the same answers whatever the order or the process."""

from __future__ import annotations

import json
import zlib

import numpy as np

from engine.critics.base import CriticView
from engine.critics.oracle import OracleCritic
from engine.critics.verdict import Outcome, Verdict
from engine.errors import BackendError
from engine.geometry.squares import default_action
from engine.registry import CRITICS
from engine.types import CriticReply, InstanceInfo, Intent, SquareJudgement

_QUESTIONS = {"anchors": 1, "square": 2, "points": 3, "verdict": 4}


@CRITICS.register("noisy-oracle")
class NoisyOracleCritic(OracleCritic):
    name = "noisy-oracle"

    def __init__(self, gt_mask: np.ndarray | None = None, noise: float = 0.2, seed: int = 0,
                 gt_instances: np.ndarray | None = None) -> None:
        if not 0.0 <= float(noise) <= 1.0:
            raise BackendError(f"critic 'noisy-oracle': noise must be in [0, 1], not {noise}")
        super().__init__(gt_mask, gt_instances)  # per-object GT: OracleCritic.for_object (a copy keeps noise/seed)
        self.noise = float(noise)
        self.seed = int(seed)

    def info(self) -> dict:
        return {"name": self.name, "kind": "ground-truth oracle with flipped judgements (evaluation only)",
                "noise": self.noise, "seed": self.seed}

    def _rng(self, question: str, mask: np.ndarray, extra: int = 0) -> np.random.Generator:
        digest = zlib.crc32(np.packbits(mask.astype(bool)).tobytes())
        return np.random.default_rng([self.seed, _QUESTIONS[question], digest, extra])

    def _flip(self, rng: np.random.Generator) -> bool:
        return bool(rng.random() < self.noise)

    def _tag(self, reply: CriticReply, flipped: int) -> CriticReply:
        reply.backend = self.name
        reply.prompt_id = reply.prompt_id.replace("oracle/", "noisy-oracle/")
        if flipped:
            reply.raw = json.dumps({"oracle": reply.raw, "flipped": flipped})
        return reply

    def select_anchors(self, view: CriticView, instance: InstanceInfo, k: int) -> CriticReply:
        reply = super().select_anchors(view, instance, k)
        rng = self._rng("anchors", view.mask)
        flipped = 0
        for choice in reply.parsed:
            if self._flip(rng):
                choice.intent = Intent.RECOVER_MISS if choice.intent is Intent.FIX_LEAK else Intent.FIX_LEAK
                choice.reason = f"(flipped) {choice.reason}"
                flipped += 1
        return self._tag(reply, flipped)

    def judge_square(self, view: CriticView, anchor_id: int, instance: InstanceInfo) -> CriticReply:
        reply = super().judge_square(view, anchor_id, instance)
        rng = self._rng("square", view.mask, anchor_id)
        j: SquareJudgement = reply.parsed
        if not self._flip(rng):
            return self._tag(reply, 0)
        region = (2 if j.region == 1 else 1) if j.region in (1, 2) else int(rng.integers(1, 3))
        reply.parsed = SquareJudgement(anchor_id, region, default_action(region), f"(flipped) {j.reason}", 1.0)
        return self._tag(reply, 1)

    def propose_points(self, view: CriticView, instance: InstanceInfo, max_points: int) -> CriticReply:
        reply = super().propose_points(view, instance, max_points)
        rng = self._rng("points", view.mask)
        flipped = 0
        for p in reply.parsed:
            if self._flip(rng):
                p.label = p.label.flipped()
                p.reason = f"(flipped) {p.reason}"
                flipped += 1
        return self._tag(reply, flipped)

    def verdict(self, before: CriticView, after: CriticView, instance: InstanceInfo) -> Verdict:
        v = super().verdict(before, after, instance)
        v.backend = self.name
        rng = self._rng("verdict", after.mask, zlib.crc32(np.packbits(before.mask.astype(bool)).tobytes()))
        if v.outcome is not Outcome.SAME and self._flip(rng):
            v.outcome = Outcome.WORSE if v.outcome is Outcome.BETTER else Outcome.BETTER
            v.reason = f"(flipped) {v.reason}"
        return v
