"""The one orchestration of critic rounds: `iter_rounds(core, n)`, a generator whose yields are the
cancel points. The CLI's sculpt, batch, bench and the GUI's Auto all go through it.

Per round: propose -> (accept every proposal) -> apply -> verdict. A "worse" verdict (mode "revert": CLI,
batch, bench) goes back to the mask before the round and tries the critic's best half of the proposals
(then a quarter, ... down to one: each try one segmenter call and one verdict); when every try is worse the
round is reverted (kept in sculpt.json with its verdict, reason and attempts) and the next round starts from
the better mask (a next round that proposes exactly the reverted points ends the rounds). In mode "record"
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
    RETRY = "retry"  # a worse verdict: the round is tried again with fewer of its proposals
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
    reverted_sig: frozenset | None = None
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
        yield RoundEvent(EventKind.PROPOSED, rnd.index, object_id, proposals=len(rnd.proposals))
        if not rnd.proposals:
            core.stop_reason = f"nothing proposed in round {rnd.index}"
            break
        sig = _signature(rnd)
        if reverted_sig is not None and sig == reverted_sig:
            core.reject_pending()
            core.stop_reason = f"round {rnd.index} proposed what a reverted round did: stopped"
            break
        before = core.state_refs()
        core.accept_all()
        meta = core.round_meta.setdefault(rnd.index, {})
        attempts: list[dict[str, Any]] = []
        k = len(rnd.proposals)
        while True:
            core.apply()
            v, verdict_failed = _judge(core, rnd, before, mode)
            attempts.append({"applied_proposals": k, "iou_with_previous": rnd.iou_with_previous,
                             "verdict": v.to_dict() if v is not None else None})
            if verdict_failed or v is None or not v.worse or mode != "revert" or k <= 1:
                break
            # a worse round: back to the mask before it and try a smaller step (the critic's best half)
            core.restore_refs(before)
            k = math.ceil(k / 2)
            _keep_first(rnd, k)
            yield RoundEvent(EventKind.RETRY, rnd.index, object_id, k, rnd.iou_with_previous, v,
                             f"round {rnd.index} worse ({v.reason or 'verdict'}): retrying with {k} proposal(s)")
        meta["applied_proposals"], meta["attempts"] = k, attempts
        if v is not None:
            meta["verdict"] = v.to_dict()
        if v is not None and v.worse and mode == "revert":
            revert_round(core, rnd, before, v)
            reverted_sig = sig
            yield RoundEvent(EventKind.REVERTED, rnd.index, object_id, len(rnd.proposals), rnd.iou_with_previous, v,
                             f"round {rnd.index} reverted: {v.reason or 'worse'}")
            continue
        yield RoundEvent(EventKind.APPLIED, rnd.index, object_id, len(rnd.proposals), rnd.iou_with_previous, v)
        if verdict_failed:
            core.stop_reason = f"critic failed in round {rnd.index} (verdict): {core.failures[-1]['error']}"
            yield RoundEvent(EventKind.FAILED, rnd.index, object_id, message=core.stop_reason)
            return
        if rnd.iou_with_previous is not None and rnd.iou_with_previous >= core.params.early_stop_iou:
            core.stop_reason = f"converged in round {rnd.index} (IoU {rnd.iou_with_previous:.4f})"
            break
    yield RoundEvent(EventKind.STOPPED, len(core.rounds), object_id, message=core.stop_reason)


def _judge(core: SculptSession, rnd: Round, before: dict[str, Any], mode: str) -> tuple[Verdict | None, bool]:
    """(verdict or None when off, whether a critic that gives verdicts failed: recorded, round kept)."""
    if mode == "off":
        return None, False
    t = time.perf_counter()
    try:
        v, error = judge(core.critic, core.image, before["mask"], core.mask, core.box, core.instance,
                         core.params.vlm_max_side)
    except Exception as exc:  # noqa: BLE001 - the round stays, unjudged; the result is partial
        v, error = None, one_line(exc)
    rnd.timings["verdict"] = rnd.timings.get("verdict", 0.0) + time.perf_counter() - t
    if error is not None:
        record_failure(core, rnd.index, "verdict", error)
        return v, True
    return v, False


def _signature(rnd: Round) -> frozenset:
    return frozenset((round(p.x), round(p.y), p.label.value) for p in rnd.proposals)


def _keep_first(rnd: Round, k: int) -> None:
    for i, p in enumerate(rnd.proposals):
        p.status = PointStatus.ACCEPTED if i < k else PointStatus.REJECTED
        if i >= k and "smaller step" not in p.reason:
            p.reason = f"{p.reason} (not applied: smaller step after a worse verdict)".strip()


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


def _record_reply_errors(core: SculptSession, rnd: Round) -> None:
    for reply in rnd.replies:
        if reply.error:
            record_failure(core, rnd.index, reply.prompt_id or reply.kind, reply.error, fatal=False)
