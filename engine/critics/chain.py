"""A fallback chain of critics (settings critic.fallback_chain, e.g. dashscope -> qwen -> heuristic).

Each question goes to the first critic; if it cannot answer (no key, no model, timeouts/429/5xx after
its retries) the next one is asked. Critics are built lazily, so a local model loads only if the chain
actually reaches it. Every hop is logged and recorded in the reply (CriticReply.hops / fallback / error)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from engine.critics.base import CriticView
from engine.critics.secrets import redact
from engine.critics.verdict import Verdict
from engine.critics.vlm import RoundUnavailable
from engine.errors import BackendError, CriticUnavailable
from engine.types import CriticReply, InstanceInfo

log = logging.getLogger("sam_sculpt.critics")


class FallbackChain:
    def __init__(self, names: Sequence[str], factory: Callable[[str], Any]) -> None:
        if not names:
            raise BackendError("a fallback chain needs at least one critic")
        self.names = list(dict.fromkeys(names))  # order kept, duplicates dropped
        self.name = ">".join(self.names)
        self._factory = factory
        self._critics: dict[str, Any] = {}
        self._broken: dict[str, str] = {}  # critics that could not be built: asked never again
        self.events: list[str] = []  # every hop taken, for the GUI and tests

    def for_object(self, box: Any, initial_mask: Any) -> FallbackChain:
        """The chain for one object: a member with per-object ground truth (the oracle with GT instances) is
        bound to the object (its `for_object`); the others, the broken list and the hops are shared."""
        def bound(name: str) -> Any:
            if name not in self._critics:
                self._critics[name] = self._factory(name)
            critic = self._critics[name]
            bind = getattr(type(critic), "for_object", None)
            return bind(critic, box, initial_mask) if callable(bind) else critic

        chain = FallbackChain(self.names, bound)
        chain._broken, chain.events = self._broken, self.events
        return chain

    # ---- members -------------------------------------------------------------------------------
    def members(self) -> Iterator[tuple[str, Any]]:
        """(name, critic) in chain order, building each on first use; unbuildable ones are skipped."""
        for name in self.names:
            if name in self._broken:
                continue
            if name not in self._critics:
                try:
                    self._critics[name] = self._factory(name)
                except BackendError as exc:
                    self._broken[name] = redact(exc)
                    self._hop(name, f"could not be set up: {self._broken[name]}")
                    continue
            yield name, self._critics[name]

    def _hop(self, name: str, why: str) -> None:
        nxt = self._next_after(name)
        text = f"critic '{name}' {why}; " + (f"falling back to '{nxt}'" if nxt else "no critic left in the chain")
        self.events.append(text)
        log.warning("%s", text)

    def _next_after(self, name: str) -> str | None:
        later = self.names[self.names.index(name) + 1 :]
        return next((n for n in later if n not in self._broken), None)

    def _failed(self, what: str, errors: list[str]) -> CriticUnavailable:
        errors = self._setup_errors(self.names[-1]) + errors
        return CriticUnavailable(f"no critic in the chain {self.name} could answer {what}: {'; '.join(errors)}")

    def _setup_errors(self, before: str) -> list[str]:
        """Why the critics up to `before` could not be built."""
        earlier = self.names[: self.names.index(before) + 1]
        return [f"{n}: {self._broken[n]}" for n in earlier if n in self._broken]

    # ---- the protocol --------------------------------------------------------------------------
    def _single(self, what: str, call: Callable[[Any], CriticReply]) -> CriticReply:
        errors: list[str] = []
        for name, critic in self.members():
            try:
                reply = call(critic)
            except BackendError as exc:
                errors.append(f"{name}: {redact(exc)}")
                self._hop(name, f"failed ({redact(exc)})")
                continue
            return self._mark(reply, name, errors)
        raise self._failed(what, errors)

    def select_anchors(self, view: CriticView, instance: InstanceInfo, k: int) -> CriticReply:
        return self._single("the anchor question", lambda c: c.select_anchors(view, instance, k))

    def propose_points(self, view: CriticView, instance: InstanceInfo, max_points: int) -> CriticReply:
        return self._single("the point question", lambda c: c.propose_points(view, instance, max_points))

    def judge_square(self, view: CriticView, anchor_id: int, instance: InstanceInfo) -> CriticReply:
        return self.judge_squares(view, [anchor_id], instance)[0]

    def judge_squares(self, view: CriticView, anchor_ids: Sequence[int], instance: InstanceInfo) -> list[CriticReply]:
        done: dict[int, CriticReply] = {}
        errors: list[str] = []
        for name, critic in self.members():
            pending = [a for a in anchor_ids if a not in done]
            if not pending:
                break
            prior = list(errors)  # a square answered here carries only the failures of earlier hops
            try:
                got: list[CriticReply | None] = list(critic.judge_squares(view, pending, instance))
            except RoundUnavailable as exc:
                got = exc.partial
                errors.append(f"{name}: {redact(exc)}")
                self._hop(name, f"failed part of the round ({redact(exc)})")
            except BackendError as exc:
                got = [None] * len(pending)
                errors.append(f"{name}: {redact(exc)}")
                self._hop(name, f"failed ({redact(exc)})")
            for aid, reply in zip(pending, got, strict=False):
                if reply is not None:
                    done[aid] = self._mark(reply, name, prior)
        missing = [a for a in anchor_ids if a not in done]
        if missing:
            raise self._failed(f"squares {missing}", errors)
        return [done[a] for a in anchor_ids]

    def verdict(self, before: CriticView, after: CriticView, instance: InstanceInfo) -> Verdict:
        """The first critic of the chain that gives verdicts and can answer."""
        errors: list[str] = []
        for name, critic in self.members():
            fn = getattr(critic, "verdict", None)
            if fn is None:
                continue
            try:
                v = fn(before, after, instance)
            except BackendError as exc:
                errors.append(f"{name}: {redact(exc)}")
                self._hop(name, f"failed the verdict ({redact(exc)})")
                continue
            if name != self.names[0]:
                v.fallback = True
            errors = self._setup_errors(name) + errors
            if errors:  # the verdict is usable (error stays None unless the reply itself was not): note the hops
                v.reason = f"{v.reason} [answered by {name}; {'; '.join(errors)}]".strip()
            return v
        raise self._failed("the verdict", errors)

    def _mark(self, reply: CriticReply, answered_by: str, errors: list[str]) -> CriticReply:
        """hops = every critic up to the one that answered (the earlier ones broke or failed)."""
        reply.hops = self.names[: self.names.index(answered_by) + 1]
        if answered_by != self.names[0]:
            reply.fallback = True
        errors = self._setup_errors(answered_by) + errors
        if errors:
            hop_errors = "; ".join(errors)
            reply.error = f"{hop_errors}; {reply.error}" if reply.error else hop_errors
        return reply

    def info(self) -> dict:
        return {"name": self.name, "chain": self.names,
                "critics": {n: c.info() for n, c in self._critics.items()},
                "unavailable": dict(self._broken), "hops": list(self.events)}


def iter_critics(critic: Any) -> Iterator[tuple[str, Any]]:
    """The critics to try in order: a chain's members, or the critic itself."""
    if isinstance(critic, FallbackChain):
        yield from critic.members()
    else:
        yield getattr(critic, "name", type(critic).__name__), critic
