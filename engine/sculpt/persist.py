"""Object states: captured in memory for the undo history (array references, never copies: the engine
replaces arrays, it never edits them in place) and turned into plain JSON + arrays for autosave.

Plain form: JSON-able dicts in which every array is {"$array": key, "kind": "bits"|"f16"|"u8", "shape": [...]};
the arrays go to an NPZ read with allow_pickle=False. The same array referenced by several states
(undo history) is stored once."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from engine.sculpt.painting import Stroke
from engine.types import (
    Anchor,
    AnchorChoice,
    Box,
    CriticReply,
    InstanceInfo,
    Intent,
    Point,
    PointLabel,
    Round,
    Square,
    SquareJudgement,
)


# ---- in memory ---------------------------------------------------------------------------------
def copy_points_rounds(points: list[Point], rounds: list[Round]) -> tuple[list[Point], list[Round]]:
    """Deep copies that keep Point objects shared between points and rounds, and share (not copy) arrays."""
    memo: dict[int, Any] = {}
    for r in rounds:
        for sq in r.squares:
            memo[id(sq.inner)], memo[id(sq.outer)] = sq.inner, sq.outer
    return copy.deepcopy((points, rounds), memo)


# ---- arrays --------------------------------------------------------------------------------------
class ArrayBank:
    """Arrays by key for one NPZ; dedup by identity."""

    def __init__(self, arrays: dict[str, np.ndarray] | None = None) -> None:
        self.arrays: dict[str, np.ndarray] = dict(arrays or {})
        self._by_id: dict[int, dict[str, Any]] = {}
        self._keep: list[np.ndarray] = []  # keeps ids stable while saving

    def put(self, arr: np.ndarray | None) -> dict[str, Any] | None:
        if arr is None:
            return None
        ref = self._by_id.get(id(arr))
        if ref is not None:
            return ref
        key = f"a{len(self.arrays)}"
        if arr.dtype == bool:
            self.arrays[key] = np.packbits(arr, axis=None)
            ref = {"$array": key, "kind": "bits", "shape": list(arr.shape)}
        elif arr.dtype.kind == "f" and arr.size > 4096 and bool(np.all(np.abs(arr) == 1)):
            self.arrays[key] = np.packbits(arr > 0, axis=None)  # a mask as +-1 logits (grabcut): 1 bit a pixel
            ref = {"$array": key, "kind": "pm1", "shape": list(arr.shape)}
        elif arr.dtype == np.uint8:
            self.arrays[key] = arr
            ref = {"$array": key, "kind": "u8", "shape": list(arr.shape)}
        else:
            self.arrays[key] = arr.astype(np.float16)
            ref = {"$array": key, "kind": "f16", "shape": list(arr.shape)}
        self._by_id[id(arr)] = ref
        self._keep.append(arr)
        return ref

    def get(self, ref: dict[str, Any] | None, cache: dict[str, np.ndarray] | None = None) -> np.ndarray | None:
        if ref is None:
            return None
        key = ref["$array"]
        if cache is not None and key in cache:
            return cache[key]
        if key not in self.arrays:
            raise ValueError(f"array {key} missing")
        raw, shape = self.arrays[key], tuple(int(v) for v in ref["shape"])
        if ref["kind"] == "bits":
            out = np.unpackbits(raw, count=int(np.prod(shape))).astype(bool).reshape(shape)
        elif ref["kind"] == "pm1":
            bits = np.unpackbits(raw, count=int(np.prod(shape))).reshape(shape)
            out = np.where(bits > 0, 1.0, -1.0).astype(np.float32)
        elif ref["kind"] == "u8":
            out = raw.astype(np.uint8).reshape(shape)
        else:
            out = raw.astype(np.float32).reshape(shape)
        if cache is not None:
            cache[key] = out
        return out


# ---- rounds ------------------------------------------------------------------------------------
def round_to_plain(r: Round, bank: ArrayBank) -> dict[str, Any]:
    return {
        "index": r.index,
        "anchors": [[a.id, a.x, a.y, a.nx, a.ny] for a in r.anchors],
        "selected": [c.to_dict() for c in r.selected],
        "squares": [{"anchor_id": s.anchor_id, "x0": s.x0, "y0": s.y0, "side": s.side, "clamped": s.clamped,
                     "inner": bank.put(s.inner), "outer": bank.put(s.outer)} for s in r.squares],
        "judgements": [j.to_dict() for j in r.judgements],
        "replies": [rep.to_dict() for rep in r.replies],
        "proposals": [p.to_dict() for p in r.proposals],
        "applied": r.applied,
        "iou_with_previous": r.iou_with_previous,
        "mask_area_before": r.mask_area_before,
        "mask_area_after": r.mask_area_after,
        "box_after": r.box_after.as_list() if r.box_after else None,
        "timings": dict(r.timings),
    }


def round_from_plain(d: dict[str, Any], bank: ArrayBank, points_by_id: dict[str, Point],
                     cache: dict[str, np.ndarray] | None = None) -> Round:
    r = Round(index=int(d["index"]))
    r.anchors = [Anchor(int(a[0]), float(a[1]), float(a[2]), float(a[3]), float(a[4])) for a in d.get("anchors", [])]
    r.selected = [AnchorChoice(int(c["anchor_id"]), Intent(c.get("intent", "fix_leak")), float(c.get("score", 0.0)),
                               c.get("reason", "")) for c in d.get("selected", [])]
    r.squares = [Square(int(s["anchor_id"]), int(s["x0"]), int(s["y0"]), int(s["side"]), bank.get(s["inner"], cache),
                        bank.get(s["outer"], cache), bool(s.get("clamped", False))) for s in d.get("squares", [])]
    r.judgements = [SquareJudgement(int(j["anchor_id"]), j.get("region"),
                                    PointLabel(j["action"]) if j.get("action") else None, j.get("reason", ""),
                                    float(j.get("confidence", 1.0))) for j in d.get("judgements", [])]
    r.replies = [CriticReply(rep.get("kind", ""), rep.get("parsed"), rep.get("raw", ""), rep.get("backend", ""),
                             rep.get("prompt_id", ""), float(rep.get("latency_s", 0.0)), bool(rep.get("fallback", False)),
                             rep.get("error"), list(rep.get("hops", []))) for rep in d.get("replies", [])]
    r.proposals = [points_by_id.get(p.get("id")) or Point.from_dict(p) for p in d.get("proposals", [])]
    r.applied = bool(d.get("applied", False))
    r.iou_with_previous = d.get("iou_with_previous")
    r.mask_area_before = int(d.get("mask_area_before", 0))
    r.mask_area_after = d.get("mask_area_after")
    r.box_after = Box(*d["box_after"]) if d.get("box_after") else None
    r.timings = {str(k): float(v) for k, v in (d.get("timings") or {}).items()}
    return r


# ---- object states ---------------------------------------------------------------------------------
ARRAY_KEYS = ("mask", "initial_mask", "logits", "paint_on", "paint_off", "imported")


def state_to_plain(state: dict[str, Any], bank: ArrayBank) -> dict[str, Any]:
    """An in-memory object state (ImageSession._capture_object) -> plain JSON + arrays in bank."""
    out: dict[str, Any] = {}
    for k, v in state.items():
        if k in ARRAY_KEYS:
            out[k] = bank.put(v)
        elif k in ("box", "initial_box"):
            out[k] = v.as_list() if v is not None else None
        elif k == "instance":
            out[k] = v.to_dict()
        elif k == "points":
            out[k] = [p.to_dict() for p in v]
        elif k == "rounds":
            out[k] = [round_to_plain(r, bank) for r in v]
        elif k == "strokes":
            out[k] = [s.to_dict() for s in v]
        elif k == "round_meta":
            out[k] = {str(i): m for i, m in v.items()}
        elif k in ("views", "pre_round"):
            continue  # in-memory only (images; references)
        else:
            out[k] = v
    return out


def state_from_plain(d: dict[str, Any], bank: ArrayBank, cache: dict[str, np.ndarray] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = dict(d)
    for k in ARRAY_KEYS:
        st[k] = bank.get(d.get(k), cache)
    for k in ("box", "initial_box"):
        st[k] = Box(*d[k]) if d.get(k) else None
    inst = d.get("instance") or {}
    st["instance"] = InstanceInfo(name=str(inst.get("instance", "object")), reason=str(inst.get("reason", "")),
                                  synonyms=list(inst.get("synonyms", [])), cues=list(inst.get("cues", [])),
                                  distractors=list(inst.get("distractors", [])))
    points = [Point.from_dict(p) for p in d.get("points", [])]
    by_id = {p.id: p for p in points}
    st["points"] = points
    st["rounds"] = [round_from_plain(r, bank, by_id, cache) for r in d.get("rounds", [])]
    st["strokes"] = [Stroke.from_dict(s) for s in d.get("strokes", [])]
    st["round_meta"] = {int(i): m for i, m in (d.get("round_meta") or {}).items()}
    st["views"], st["pre_round"] = {}, {}
    return st
