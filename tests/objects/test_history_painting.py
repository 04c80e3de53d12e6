"""Undo/redo across objects, autosave restoring the history after a crash, and brush strokes that
survive the next click (unless re-run from the box). No Qt."""

import numpy as np

from engine.sculpt import commands as C
from engine.sculpt.autosave import load_session, save_session
from engine.sculpt.image_session import ImageSession
from engine.types import InstanceInfo
from tests.objects.helpers import BOX_A, BOX_B, grabcut


def make(scene):
    return ImageSession(scene[0], grabcut(), name="pair", instance=InstanceInfo("animal"))


def test_undo_redo_across_objects(scene):
    s = make(scene)
    ia = s.add_object(BOX_A, "crab")
    ib = s.add_object(BOX_B, "shell")
    s.execute(C.RelabelObject(ia, "fish"))
    s.execute(C.AddPoint(ib, 120, 65, True))
    assert s.history.labels()[-1][1] == "add point"
    s.undo()
    assert not s.object(ib).points and s.object(ia).label == "fish"
    s.undo()
    assert s.object(ia).label == "crab"
    s.undo()
    assert [o.id for o in s.objects] == [ia]
    s.redo()
    s.redo()
    assert s.object(ia).label == "fish" and [o.id for o in s.objects] == [ia, ib]
    s.execute(C.DeleteObject(ia))  # a new command drops the redo tail
    assert not s.history.can_redo and s.view().undo_label == "delete object"


def test_autosave_restores_history_after_a_crash(scene, tmp_path):
    s = make(scene)
    ia = s.add_object(BOX_A, "crab")
    s.paint(ia, [(5, 5), (15, 15)], 3)
    s.execute(C.AddPoint(ia, 40, 55))
    save_session(tmp_path / "work", s)
    assert not list((tmp_path / "work").glob("*.pkl"))
    fresh = make(scene)  # the process died; a new one opens the same image
    assert load_session(tmp_path / "work", fresh)
    assert fresh.history.labels() == s.history.labels()
    assert (fresh.object(ia).mask == s.object(ia).mask).all()
    assert np.array_equal(fresh.object(ia).core.logits, s.object(ia).core.logits)  # grabcut's +-1 prompt, 1 bit a pixel
    fresh.undo()  # undo works across the crash
    assert not fresh.object(ia).points and fresh.object(ia).mask[10, 10]
    fresh.undo()
    assert not fresh.object(ia).mask[10, 10]


def test_brush_stroke_survives_the_next_click(scene):
    s = make(scene)
    oid = s.add_object(BOX_A)
    assert not s.object(oid).mask[8, 8]
    s.paint(oid, [(4, 8), (14, 8)], 3)  # outside the disc: grabcut would never give these pixels
    s.paint(oid, [(40, 55)], 4, erase=True)  # a hole in the middle
    assert s.object(oid).mask[8, 8] and not s.object(oid).mask[55, 40]
    s.execute(C.AddPoint(oid, 40, 40, True))
    m = s.object(oid).mask
    assert m[8, 8] and not m[55, 40], "painted pixels must survive the click"
    assert s.view().objects[0].painted
    s.execute(C.Refine(oid, from_box=True))  # the explicit option: start again from the box
    m = s.object(oid).mask
    assert not m[8, 8] and m[55, 40] and not s.view().objects[0].painted


def test_stroke_runs_against_the_current_mask(scene):
    s = make(scene)
    oid = s.add_object(BOX_A)
    s.execute(C.AddPoint(oid, 40, 55, True))
    before = s.object(oid).mask.copy()
    s.paint(oid, [(60, 100)], 2)
    after = s.object(oid).mask
    changed = before != after
    assert changed.any() and not (changed & before).any()  # only the stroke's pixels changed
    assert np.array_equal(after & ~changed, before)
