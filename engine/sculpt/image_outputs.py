"""Write an ImageSession's outputs: final_mask.png (the union of the objects, 0/255), instances.png
(0 = background, k = the k-th entry of sculpt.json `objects`), instance_info.txt, sculpt.json and,
unless clean_output, the step visualisations (object 1 under the prototype's names, object k >= 2
prefixed `obj{k}_`). sculpt.json keeps the prototype's top-level fields (from object 1) and adds
`objects`, `labels`, `partial`, `failures`. All writes atomic; final_mask.png last (the done marker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from engine.critics.secrets import redact_provenance
from engine.io.atomic import write_image, write_json, write_mask, write_text
from engine.sculpt.image_session import ImageSession
from engine.sculpt.objects import SculptObject
from engine.sculpt.outputs import _final_visualisation
from engine.sculpt.render import render_points_overlay
from engine.settings import strip_secrets
from engine.types import PointSource, PointStatus
from engine.version import provenance_header


def rounds_with_meta(o: SculptObject) -> list[dict[str, Any]]:
    """Each round's record plus what really ran: params, backends, verdict, reverted, step."""
    out = []
    for r in o.core.rounds:
        d = r.to_dict()
        meta = o.core.round_meta.get(r.index, {})
        d.update({k: v for k, v in meta.items()})
        d.setdefault("reverted", False)
        out.append(d)
    return out


def review_summary(o: SculptObject) -> dict[str, int]:
    pts = o.core.points
    critic = [p for p in pts if p.source is PointSource.CRITIC]
    return {
        "critic_points": len(critic),
        "accepted": sum(p.status is PointStatus.ACCEPTED for p in critic),
        "rejected": sum(p.status is PointStatus.REJECTED for p in critic),
        "pending": sum(p.status is PointStatus.PENDING for p in critic),
        "moved": sum(p.moved_from is not None for p in critic),
        "flipped": sum(p.flipped for p in critic),
        "human_points": sum(p.source is PointSource.HUMAN for p in pts),
        "strokes": len(o.core.paint.strokes),
        "rounds_reverted": sum(bool(m.get("reverted")) for m in o.core.round_meta.values()),
    }


def object_record(session: ImageSession, o: SculptObject, index: int) -> dict[str, Any]:
    c = o.core
    initial = c.initial_mask if c.initial_mask is not None else c.mask
    return {
        "id": o.id,
        "index": index,
        "label": o.label,
        "class_id": session.labels.class_id(o.label),
        "instance": c.instance.to_dict(),
        "source": o.source.value,
        "score": o.score,
        "z": o.z,
        "box_initial": c.initial_box.as_list(),
        "box_final": c.box.as_list(),
        "mask_area_initial": int(initial.sum()),
        "mask_area": int(c.mask.sum()),
        "points": [p.to_dict() for p in c.points],
        "rounds": rounds_with_meta(o),
        "review": review_summary(o),
        "strokes": [s.to_dict() for s in c.paint.strokes],
        "painted_kept": c.paint.active,
        "stop_reason": c.stop_reason,
        "failures": list(c.failures),
        "partial": c.partial,
        "params": c.params.to_dict(),
        "backends": c._backends(),
        "timings_s": {k: round(v, 4) for k, v in c.timings.items()},
        **_oracle_gt(c.critic),
    }


def _oracle_gt(critic: Any) -> dict[str, Any]:
    """{"oracle_gt": the GT instance an oracle judged this object against} (per-object GT only), else {}."""
    m = getattr(critic, "__dict__", {}).get("gt_match")
    return {"oracle_gt": m} if isinstance(m, dict) else {}


def provenance(session: ImageSession, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    objects = [o for o in sorted(session.objects, key=lambda o: o.id) if o.active and o.started]
    records = [object_record(session, o, k + 1) for k, o in enumerate(objects)]
    doc: dict[str, Any] = {**provenance_header()}
    if objects:
        first = objects[0].core.result().provenance()
        first["rounds"] = records[0]["rounds"]
        doc.update(first)
    failures = [{"object": r["id"], **f} for r in records for f in r["failures"]]
    doc.update({
        "objects": records,
        "labels": list(session.labels.names),
        "partial": bool(failures),
        "failures": failures,
        "stop_reason": "; ".join(f"object {r['id']}: {r['stop_reason']}" for r in records) if len(records) > 1
        else (records[0]["stop_reason"] if records else "no objects"),
        "timings_s": {**(doc.get("timings_s") or {}), **{k: round(v, 4) for k, v in session.timings.items()}},
    })
    doc.update(extra or {})
    return doc


def write_image_outputs(out_dir: str | Path, session: ImageSession, clean_output: bool = False,
                        save_points_vis: bool = False, extra: dict[str, Any] | None = None) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    objects = [o for o in sorted(session.objects, key=lambda o: o.id) if o.active and o.started]
    for k, o in enumerate(objects, 1):
        prefix = "" if k == 1 else f"obj{k}_"
        result = o.core.result()
        if not clean_output:
            write_mask(out / f"{prefix}initial_mask.png", result.initial_mask)
            for index, view in o.core.views.items():
                write_image(out / f"{prefix}round{index}_context_for_vlm.png", view.anchor_overlay.image)
                for aid in sorted(view.squares or {}):
                    write_image(out / f"{prefix}round{index}_square_{aid}.png", view.square_crop(aid).image)
            write_image(out / f"{prefix}final_visualization.png", _final_visualisation(session.image, result))
        if save_points_vis or not clean_output:
            for rnd in result.rounds:
                pts = [p for p in result.points if p.round_index == rnd.index]
                write_image(out / f"{prefix}round{rnd.index}_points_overlay.png",
                            render_points_overlay(session.image, result.mask, result.box, pts))
    ids = session.instance_map()
    write_image(out / "instances.png", ids.astype(np.uint8) if ids.max(initial=0) < 256 else ids)
    write_json(out / "sculpt.json", redact_provenance(strip_secrets(provenance(session, extra))))
    names = [o.label for o in objects] or [session.default_label()]
    write_text(out / "instance_info.txt", "\n".join(names) + "\n")
    write_mask(out / "final_mask.png", session.union_mask())  # last: its presence marks the image as done
    return out
