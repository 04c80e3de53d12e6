"""The one orchestration of critic rounds: `iter_rounds(core, n)`, a generator whose yields are the
cancel points. The CLI's sculpt, batch, bench and the GUI's Auto all go through it.

Per round: propose -> (accept every proposal) -> apply -> verdict. A "worse" verdict reverts the round
(mode "revert": CLI, batch, bench) and the next round starts from the better mask with a smaller step
(half as many of the critic's proposals, best first; a kept round resets the step). In mode "record"
(the GUI) the verdict is only recorded; "off" asks for no verdict (the prototype's behaviour).

A critic failure never loses work: the failure (round, request, error) goes to `core.failures`,
`core.partial` is set, the mask stays the last good one and the generator ends."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from engine.sculpt.verdict import Verdict, judge
from engine.types import PointStatus, Round

if TYPE_CHECKING:
    from engine.sculpt.session import SculptSession

VERDICT_MODES = ("off", "record", "revert")


class EventKind(str, Enum):
    PROPOSED = "proposed"
    APPLIED = "applied"
    REVERTED = "reverted"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass
class RoundEvent:
    kind: EventKind
    round_index: int
    object_id: int | None = None
    proposals: int = 0
    iou_with_previous: float | None = None
    verdict: Verdict | None = None
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def one_line(exc: BaseException) -> str:
    from engine.errors import SculptError

    text = str(exc) if isinstance(exc, SculptError) else f"{type(exc).__name__}: {exc}"
    return (text.strip().splitlines() or [type(exc).__name__])[0][:500]


def verdict_mode(value: Any) -> str:
    """settings sculpt.verdict: true/"on" -> revert, false/"off" -> off, "record" -> record."""
    if value is True or value in ("on", "revert", "true", "yes", 1):
        return "revert"
    if value is False or value is None or value in ("off", "false", "no", 0):
        return "off"
    if value == "record":
        return "record"
    from engine.errors import InputError

    raise InputError(f"sculpt.verdict {value!r}: use on, off or record")


def record_failure(core: SculptSession, round_index: int, request: str, exc: BaseException | str, fatal: bool = True) -> dict:
    critic = getattr(core.critic, "name", None) if core.critic is not None else None
    entry = {"round": round_index, "request": request, "critic": critic,
             "error": exc if isinstance(exc, str) else one_line(exc), "fatal": fatal}
    try:
        from engine.critics.secrets import redact

        entry["error"] = redact(entry["error"])
    except Exception:  # noqa: BLE001 - redaction is best effort here; outputs go through strip_secrets too
        pass
    core.failures.append(entry)
    core.partial = True
    return entry


def iter_rounds(core: SculptSession, n: int | None = None, verdict: str | None = None,
                object_id: int | None = None) -> Iterator[RoundEvent]:
    """Run up to n rounds on one object's core; every proposal accepted. Yields after each step."""
    if not core.started:
        core.start()
    n = core.params.rounds if n is None else n
    mode = verdict_mode(core.params.verdict if verdict is None else verdict)
    core.stop_reason = "rounds done"
    for _ in range(n):
        index = len(core.rounds) + 1
        try:
            rnd = core.propose()
        except Exception as exc:  # noqa: BLE001 - any critic failure: keep the last good mask
            f = record_failure(core, index, core.stage or "propose", exc)
            core.stop_reason = f"critic failed in round {index} ({f['request']}): {f['error']}"
            yield RoundEvent(EventKind.FAILED, index, object_id, message=core.stop_reason)
            return
        _record_reply_errors(core, rnd)
        kept = _limit_step(core, rnd)
        yield RoundEvent(EventKind.PROPOSED, rnd.index, object_id, proposals=len(rnd.proposals))
        if not rnd.proposals:
            core.stop_reason = f"nothing proposed in round {rnd.index}"
            break
        before = core.state_refs()
        core.accept_all()
        core.apply()
        meta = core.round_meta.setdefault(rnd.index, {})
        meta["applied_proposals"] = kept
        v: Verdict | None = None
        verdict_failed = False
        if mode != "off":
            t = time.perf_counter()
            try:
                v, error = judge(core.critic, core.image, before["mask"], core.mask, core.box, core.instance,
                                 core.params.vlm_max_side)
            except Exception as exc:  # noqa: BLE001 - the round stays, unjudged; the result is partial
                error, v = one_line(exc), None
            if error is not None:  # a critic that gives verdicts could not answer: keep the round, stop here
                record_failure(core, rnd.index, "verdict", error)
                verdict_failed = True
            rnd.timings["verdict"] = time.perf_counter() - t
            if v is not None:
                meta["verdict"] = v.to_dict()
        if v is not None and v.worse and mode == "revert":
            revert_round(core, rnd, before, v)
            yield RoundEvent(EventKind.REVERTED, rnd.index, object_id, len(rnd.proposals), rnd.iou_with_previous, v,
                             f"round {rnd.index} reverted: {v.reason or 'worse'}")
            if kept <= 1:
                core.stop_reason = f"round {rnd.index} reverted with a single proposal: nothing smaller to try"
                break
            core.step = core.step / 2
            continue
        core.step = 1.0
        yield RoundEvent(EventKind.APPLIED, rnd.index, object_id, len(rnd.proposals), rnd.iou_with_previous, v)
        if verdict_failed:
            core.stop_reason = f"critic failed in round {rnd.index} (verdict): {core.failures[-1]['error']}"
            yield RoundEvent(EventKind.FAILED, rnd.index, object_id, message=core.stop_reason)
            return
        if rnd.iou_with_previous is not None and rnd.iou_with_previous >= core.params.early_stop_iou:
            core.stop_reason = f"converged in round {rnd.index} (IoU {rnd.iou_with_previous:.4f})"
            break
    yield RoundEvent(EventKind.STOPPED, len(core.rounds), object_id, message=core.stop_reason)


def revert_round(core: SculptSession, rnd: Round, before: dict[str, Any], v: Verdict | None = None) -> None:
    """Back to the mask before `rnd`; its points stop counting (kept, rejected, with the reason)."""
    core.restore_refs(before)
    why = f"reverted: {v.reason}" if v is not None and v.reason else "reverted"
    for p in rnd.proposals:
        if p.status is PointStatus.ACCEPTED:
            p.status = PointStatus.REJECTED
            p.reason = f"{p.reason} ({why})" if p.reason else why
    rnd.mask_area_after = int(core.mask.sum())
    meta = core.round_meta.setdefault(rnd.index, {})
    meta["reverted"] = True
    if v is not None:
        meta["verdict"] = v.to_dict()


def _limit_step(core: SculptSession, rnd: Round) -> int:
    """After a reverted round only the first ceil(step * n) proposals are applied (best first)."""
    n = len(rnd.proposals)
    keep = n if core.step >= 1 else max(1, math.ceil(n * core.step))
    for p in rnd.proposals[keep:]:
        p.status = PointStatus.REJECTED
        p.reason = f"{p.reason} (not applied: smaller step after a reverted round)".strip()
    meta = core.round_meta.setdefault(rnd.index, {})
    meta["step"] = round(core.step, 4)
    return keep


def _record_reply_errors(core: SculptSession, rnd: Round) -> None:
    for reply in rnd.replies:
        if reply.error:
            record_failure(core, rnd.index, reply.prompt_id or reply.kind, reply.error, fatal=False)
