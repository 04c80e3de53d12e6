"""What every vision-language critic shares: turn the protocol's questions into prompts + images, hand
them to the backend's ask() in one go (batched or concurrent), parse every reply with the one parser.

A backend only implements ask(requests) -> answers and declares its coordinate convention."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from engine.critics.base import CriticView
from engine.critics.parsing import CoordMap, ParseResult, parse_anchors, parse_points, parse_square
from engine.critics.prompts import render_prompt
from engine.critics.secrets import redact_text
from engine.critics.verdict import Verdict
from engine.errors import CriticUnavailable
from engine.types import CriticReply, InstanceInfo

log = logging.getLogger("sam_sculpt.critics")


@dataclass
class VLMRequest:
    prompt_id: str
    prompt: str
    # RGB uint8, exactly what the model is shown (already <= vlm_max_side), or a function that renders it:
    # API critics then render the K squares of a round in their worker threads, overlapped with the requests
    image: np.ndarray | Callable[[], np.ndarray]
    max_tokens: int = 256

    def pixels(self) -> np.ndarray:
        if callable(self.image):
            self.image = self.image()
        return self.image


@dataclass
class VLMAnswer:
    text: str
    latency_s: float = 0.0
    attempts: int = 1
    error: str | None = None  # set when the request failed for good (then text is "")
    space: tuple[float, float] | None = None  # (w, h) of the model's pixel space, for the 'pixels' convention
    tokens: int = 0  # generated tokens, when the backend knows

    @property
    def ok(self) -> bool:
        return self.error is None


class RoundUnavailable(CriticUnavailable):
    """Some requests of a round failed for good; `partial` holds the replies that did arrive (None where
    one failed) so a fallback chain asks the next critic only for the missing ones."""

    def __init__(self, message: str, partial: list[CriticReply | None]) -> None:
        super().__init__(message)
        self.partial = partial


class VLMCritic:
    """Base class of the qwen / dashscope / openai critics."""

    name = "vlm"
    coords = "norm1000"  # the convention the backend answers in: pixels | norm1 | norm1000

    def ask(self, requests: Sequence[VLMRequest]) -> list[VLMAnswer]:
        raise NotImplementedError

    def coord_space(self, sent_w: int, sent_h: int) -> tuple[float, float]:
        """Size of the pixel space the model answers in for an image sent at sent_w x sent_h."""
        return float(sent_w), float(sent_h)

    def coord_map(self, answer: VLMAnswer, image_w: int, image_h: int, sent_w: int, sent_h: int) -> CoordMap:
        space = answer.space or self.coord_space(sent_w, sent_h)
        return CoordMap(self.coords, image_w, image_h, space[0], space[1])

    def coords_hint(self, sent_w: int, sent_h: int) -> str:
        sw, sh = self.coord_space(sent_w, sent_h)
        return CoordMap(self.coords, sent_w, sent_h, sw, sh).describe()

    def max_tokens(self, prompt_id: str) -> int:
        return 512 if prompt_id in ("anchors", "points") else 192

    def request(self, prompt_id: str, prompt: str, image: np.ndarray | Callable[[], np.ndarray]) -> VLMRequest:
        return VLMRequest(prompt_id, prompt, image, self.max_tokens(prompt_id))

    # ---- the protocol ------------------------------------------------------------------------
    def select_anchors(self, view: CriticView, instance: InstanceInfo, k: int) -> CriticReply:
        req = self.request("anchors", render_prompt("anchors", instance, k=k), view.anchor_overlay.image)
        answer = self.ask_one(req)
        return self.reply("anchors", req, answer, parse_anchors(answer.text, k, {a.id for a in view.anchors}))

    def judge_square(self, view: CriticView, anchor_id: int, instance: InstanceInfo) -> CriticReply:
        return self.judge_squares(view, [anchor_id], instance)[0]

    def judge_squares(self, view: CriticView, anchor_ids: Sequence[int], instance: InstanceInfo) -> list[CriticReply]:
        reqs = [self.request("square", render_prompt("square", instance, anchor_id=a), partial(_square_pixels, view, a))
                for a in anchor_ids]
        answers = self.ask(reqs)
        got: list[CriticReply | None] = [
            self.reply("square", req, ans, parse_square(ans.text, aid)) if ans.ok else None
            for aid, req, ans in zip(anchor_ids, reqs, answers, strict=True)
        ]
        failed = [f"square {aid}: {ans.error}" for aid, ans in zip(anchor_ids, answers, strict=True) if not ans.ok]
        if failed:
            raise RoundUnavailable(f"critic '{self.name}' failed {len(failed)}/{len(reqs)} square requests ({failed[0]})",
                                   got)
        return [r for r in got if r is not None]

    def propose_points(self, view: CriticView, instance: InstanceInfo, max_points: int) -> CriticReply:
        img = view.anchor_overlay.image
        sent_h, sent_w = img.shape[:2]
        prompt = render_prompt("points", instance, max_points=max_points, coords=self.coords_hint(sent_w, sent_h))
        req = self.request("points", prompt, img)
        answer = self.ask_one(req)
        coords = self.coord_map(answer, view.width, view.height, sent_w, sent_h)
        return self.reply("points", req, answer, parse_points(answer.text, coords, max_points))

    def verdict(self, before: CriticView, after: CriticView, instance: InstanceInfo) -> Verdict:
        """ONE request: both masks side by side (A before, B after), the instance, a fixed answer format.
        Raises CriticUnavailable when the request fails; an unusable reply is a fallback "same"."""
        from engine.critics.verdict_parsing import parse_verdict
        from engine.critics.verdict_render import render_verdict_pair

        req = self.request("verdict", render_prompt("verdict", instance), partial(render_verdict_pair, before, after))
        answer = self.ask_one(req)
        result = parse_verdict(answer.text)
        outcome, confidence, reason = result.parsed
        if result.fallback:
            log.warning("%s: unusable verdict reply (%s); keeping the round", self.name, result.error)
        return Verdict(outcome, reason, confidence, redact_text(answer.text), self.name, answer.latency_s,
                       result.error if result.fallback else None, result.fallback)

    # ---- helpers -----------------------------------------------------------------------------
    def ask_one(self, req: VLMRequest) -> VLMAnswer:
        answer = self.ask([req])[0]
        if not answer.ok:
            raise CriticUnavailable(f"critic '{self.name}' failed the {req.prompt_id} request: {answer.error}")
        return answer

    def reply(self, kind: str, req: VLMRequest, answer: VLMAnswer, result: ParseResult) -> CriticReply:
        if result.fallback:
            log.warning("%s: unusable %s reply (%s); using the fallback", self.name, req.prompt_id, result.error)
        error = result.error if result.fallback else None
        return CriticReply(kind, result.parsed, raw=redact_text(answer.text), backend=self.name, prompt_id=req.prompt_id,
                           latency_s=answer.latency_s, fallback=result.fallback, error=error)

    def info(self) -> dict:
        return {"name": self.name, "coords": self.coords}


def _square_pixels(view: CriticView, anchor_id: int) -> np.ndarray:
    return view.square_crop(anchor_id).image
