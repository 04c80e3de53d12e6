"""Ask a VLM critic for the target: a grounding box, or the 9 + 9 numbered strips (both strip images
go out together: one batched generate for qwen, two concurrent requests for the API critics)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.critics.chain import iter_critics
from engine.critics.parsing import ParseResult, parse_box, parse_strips
from engine.critics.prompts import render_prompt
from engine.critics.secrets import redact
from engine.errors import BackendError
from engine.io.annotations import write_boxes, write_instance
from engine.io.atomic import write_json
from engine.localise.strips import render_strips, strips_to_box
from engine.sculpt.render import resize_long_side
from engine.types import Box, CriticReply, InstanceInfo

log = logging.getLogger("sam_sculpt.locate")
MODES = ("auto", "grounding", "strips")


@dataclass
class LocateResult:
    box: Box | None
    replies: list[CriticReply] = field(default_factory=list)  # every answer, in order (auto may ask twice)
    critic: str = ""
    mode: str = ""
    notes: list[str] = field(default_factory=list)  # hops: critics skipped or failed
    boxes: list[Box] = field(default_factory=list)  # every target (locate --all); [box] otherwise

    def __post_init__(self) -> None:
        if not self.boxes and self.box is not None:
            self.boxes = [self.box]

    def to_dict(self) -> dict[str, Any]:
        return {"box": self.box.as_list() if self.box else None, "boxes": [b.as_list() for b in self.boxes],
                "critic": self.critic, "mode": self.mode, "replies": [r.to_dict() for r in self.replies],
                "notes": self.notes}


def locate(critic: Any, image: np.ndarray, instance: InstanceInfo, mode: str = "auto", max_side: int = 720,
           multiple: bool = False) -> LocateResult:
    """Try each critic of the chain in turn; 'auto' asks for a grounding box, then strips if the box is unusable.
    multiple: ask for every target (one grounding request listing boxes; strips, which find one, as the fallback)."""
    if mode not in MODES:
        raise BackendError(f"locate: unknown mode {mode!r} (use {', '.join(MODES)})")
    notes: list[str] = []
    for name, c in iter_critics(critic):
        if not hasattr(c, "ask"):
            notes.append(f"{name}: cannot localise (not a vision-language model)")
            continue
        try:
            result = _locate_with(c, image, instance, mode, max_side, multiple)
        except BackendError as exc:
            notes.append(f"{name}: {redact(exc)}")
            log.warning("locate: critic '%s' failed (%s); trying the next one", name, redact(exc))
            continue
        result.critic, result.notes = name, notes
        for reply in result.replies:
            reply.hops = [n.split(":")[0] for n in notes] + [name]
        return result
    raise BackendError("locate needs a vision-language critic (qwen, dashscope or openai): "
                       + ("; ".join(notes) or "none configured") + " - or draw the box by hand")


def _locate_with(critic: Any, image: np.ndarray, instance: InstanceInfo, mode: str, max_side: int,
                 multiple: bool = False) -> LocateResult:
    small, _ = resize_long_side(image, max_side)
    replies: list[CriticReply] = []
    if multiple and mode in ("auto", "grounding"):
        reply = _grounding_all(critic, image, small, instance)
        replies.append(reply)
        boxes = list(reply.parsed or [])
        if boxes or mode == "grounding":
            return LocateResult(boxes[0] if boxes else None, replies, mode="grounding", boxes=boxes)
    elif mode in ("auto", "grounding"):
        reply = _grounding(critic, image, small, instance)
        replies.append(reply)
        if reply.parsed is not None or mode == "grounding":
            return LocateResult(reply.parsed, replies, mode="grounding")
    reply = _strips(critic, image, small, instance)
    replies.append(reply)
    return LocateResult(reply.parsed, replies, mode="strips")


def _grounding(critic: Any, image: np.ndarray, small: np.ndarray, instance: InstanceInfo) -> CriticReply:
    sh, sw = small.shape[:2]
    req = critic.request("grounding", render_prompt("grounding", instance, coords=critic.coords_hint(sw, sh)), small)
    answer = critic.ask_one(req)
    coords = critic.coord_map(answer, image.shape[1], image.shape[0], sw, sh)
    return critic.reply("locate", req, answer, parse_box(answer.text, coords))


def _grounding_all(critic: Any, image: np.ndarray, small: np.ndarray, instance: InstanceInfo) -> CriticReply:
    from engine.localise.boxes import parse_all_boxes

    sh, sw = small.shape[:2]
    req = critic.request("grounding", render_prompt("grounding_all", instance, coords=critic.coords_hint(sw, sh)), small)
    req.max_tokens = max(req.max_tokens, 512)
    answer = critic.ask_one(req)
    coords = critic.coord_map(answer, image.shape[1], image.shape[0], sw, sh)
    return critic.reply("locate", req, answer, parse_all_boxes(answer.text, coords))


def _strips(critic: Any, image: np.ndarray, small: np.ndarray, instance: InstanceInfo) -> CriticReply:
    reqs = [critic.request("strips", render_prompt("strips", instance, axis=axis), render_strips(small, axis))
            for axis in ("horizontal", "vertical")]
    answers = critic.ask(reqs)
    failed = [a.error for a in answers if not a.ok]
    if failed:
        raise BackendError(f"strip request failed: {failed[0]}")
    rows, cols = (parse_strips(a.text) for a in answers)
    raw = f"horizontal: {answers[0].text}\nvertical: {answers[1].text}"
    if rows.fallback or cols.fallback:
        result = ParseResult(None, True, "; ".join(r.error for r in (rows, cols) if r.error))
    else:
        result = ParseResult(strips_to_box(rows.parsed, cols.parsed, image.shape[1], image.shape[0]))
    answer = answers[0]
    answer.text, answer.latency_s = raw, max(a.latency_s for a in answers)
    return critic.reply("locate", reqs[0], answer, result)


def write_locate_outputs(result: LocateResult, box_path: Path, llm_path: Path, instance: InstanceInfo) -> None:
    """box_out/{name}/{name}_sam_boxes.json, llm_out/{name}_output.json and, beside the box, the audit
    trail ({name}_locate.json: critic, mode, raw replies, hops)."""
    if result.box is None:
        raise BackendError("locate: no usable box to write")
    write_boxes(box_path, result.boxes or [result.box], [instance.name] * len(result.boxes) if len(result.boxes) > 1 else None)
    write_instance(llm_path, instance)
    write_json(box_path.with_name(box_path.name.replace("_sam_boxes.json", "_locate.json")), result.to_dict())
