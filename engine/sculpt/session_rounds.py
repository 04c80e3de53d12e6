"""ImageSession's critic rounds: the ProposeRound / Accept / Reject / ApplyRound / RevertRound handlers and
iter_rounds, the one orchestration (CLI, batch, bench, the GUI's Auto). A mixin used by ImageSession only."""

from __future__ import annotations

from collections.abc import Iterator

from engine.errors import BackendError, InputError
from engine.sculpt import commands as C
from engine.sculpt.rounds import EventKind, RoundEvent, revert_round, verdict_mode
from engine.sculpt.verdict import judge
from engine.types import PointStatus


class SessionRoundsMixin:
    def _propose(self, cmd: C.ProposeRound) -> int:
        o = self.object(cmd.object_id)
        if o.core.critic is None:
            o.core.critic = self.critic
        if o.core.critic is None:
            raise BackendError("no critic configured")
        o.core.propose()
        return o.id

    def _decide(self, object_id: int, ids: tuple[str, ...], status: PointStatus) -> int:
        o = self.object(object_id)
        for i in ids:
            self._point(o, i).status = status
        return o.id

    def _accept_proposal(self, cmd: C.AcceptProposal) -> int:
        return self._decide(cmd.object_id, cmd.point_ids, PointStatus.ACCEPTED)

    def _reject_proposal(self, cmd: C.RejectProposal) -> int:
        return self._decide(cmd.object_id, cmd.point_ids, PointStatus.REJECTED)

    def _apply_round(self, cmd: C.ApplyRound) -> int:
        o = self.object(cmd.object_id)
        core = o.core
        if not core.rounds:
            raise InputError("propose a round first")
        before = core.state_refs()
        rnd = core.apply()
        core.pre_round[rnd.index] = before
        meta = core.round_meta.setdefault(rnd.index, {})
        if verdict_mode(self.params.verdict) != "off":
            v, error = judge(core.critic, self.image, before["mask"], core.mask, core.box, core.instance,
                             self.params.vlm_max_side)
            meta["verdict"] = v.to_dict()
            if error:
                meta["verdict_error"] = error
        self._touch(o)
        return o.id

    def _revert_round(self, cmd: C.RevertRound) -> int:
        o = self.object(cmd.object_id)
        core = o.core
        applied = [r for r in core.rounds if r.applied and not core.round_meta.get(r.index, {}).get("reverted")]
        if not applied or applied[-1].index not in core.pre_round:
            raise InputError(f"object {o.id}: no applied round to revert")
        rnd = applied[-1]
        revert_round(core, rnd, core.pre_round.pop(rnd.index))
        return o.id

    # ---- the one orchestration ------------------------------------------------------------------------
    def iter_rounds(self, n: int | None = None, object_ids: list[int] | None = None,
                    verdict: str | None = None) -> Iterator[RoundEvent]:
        """Critic rounds on each object (active, unlocked; default all), every proposal accepted. Yields
        RoundEvents: the cancel points (close() the generator to stop). One undo step at the end."""
        targets = [self.object(i) for i in object_ids] if object_ids is not None else self.active_objects
        done: list[int] = []
        try:
            for o in targets:
                if o.locked:
                    continue
                if o.core.critic is None:
                    o.core.critic = self.critic
                if o.core.critic is None:
                    raise BackendError("no critic configured")
                self.prepare()
                done.append(o.id)
                for ev in o.core.iter_rounds(n, verdict, object_id=o.id):
                    if ev.kind in (EventKind.APPLIED, EventKind.REVERTED):
                        self._touch(o)
                    yield ev
        finally:
            if done:
                self._commit(f"auto ({n if n is not None else self.params.rounds} rounds)", tuple(done))

    def run(self, n: int | None = None, verdict: str | None = None) -> list[RoundEvent]:
        return list(self.iter_rounds(n, verdict=verdict))

    @property
    def partial(self) -> bool:
        return any(o.core.partial for o in self.objects)
