"""ImageSession without Qt: objects with labels, commands, overlaps, locking, find-all candidates."""

import numpy as np
import pytest

from engine.errors import BackendError, InputError
from engine.geometry.masks import iou
from engine.sculpt import commands as C
from engine.sculpt.image_session import ImageSession
from engine.sculpt.labels import parse_labels
from engine.segmenters.found import FoundObject
from engine.types import Box, InstanceInfo
from tests.objects.helpers import BOX_A, BOX_B, TextSegmenterStub, grabcut


def make(scene, **kw):
    img, _, _ = scene
    return ImageSession(img, kw.pop("segmenter", None) or grabcut(), name="pair", instance=InstanceInfo("animal"), **kw)


def test_two_objects_with_labels_and_instance_map(scene):
    _, a, b = scene
    s = make(scene, labels=parse_labels("crab #ff0000\nshell\n"))
    ia = s.add_object(BOX_A, "crab")
    ib = s.add_object(BOX_B, "shell")
    assert iou(s.object(ia).mask, a) > 0.8 and iou(s.object(ib).mask, b) > 0.8
    v = s.view()
    assert [o.label for o in v.objects] == ["crab", "shell"] and v.objects[0].colour == (255, 0, 0)
    ids = s.instance_map()
    assert set(np.unique(ids)) == {0, 1, 2} and (ids == 1).sum() == s.object(ia).mask.sum()
    assert (s.union_mask() == (s.object(ia).mask | s.object(ib).mask)).all()
    s.execute(C.RelabelObject(ib, "stone"))
    assert s.object(ib).label == "stone"
    s.execute(C.DeleteObject(ia))
    assert [o.id for o in s.objects] == [ib] and set(np.unique(s.instance_map())) == {0, 1}


def test_default_label_is_the_llm_instance(scene):
    s = make(scene)
    oid = s.add_object(BOX_A)
    assert s.object(oid).label == "animal"


def test_overlap_last_edited_on_top_unless_pinned(scene):
    s = make(scene)
    i1 = s.add_object(Box(10, 20, 80, 95))
    i2 = s.add_object(BOX_A)  # overlaps object 1
    s.execute(C.PaintStroke(i1, ((40.0, 55.0),), 6))  # object 1 edited last: on top
    assert s.instance_map()[55, 40] == 1
    s.execute(C.PaintStroke(i2, ((40.0, 55.0),), 6))
    assert s.instance_map()[55, 40] == 2
    s.execute(C.SetZOrder(i1, 100))  # pinned on top
    s.execute(C.PaintStroke(i2, ((41.0, 55.0),), 6))
    assert s.instance_map()[55, 40] == 1


def test_locked_object_refuses_edits_and_failed_command_leaves_no_trace(scene):
    s = make(scene)
    oid = s.add_object(BOX_A)
    s.execute(C.SetLocked(oid, True))
    with pytest.raises(InputError, match="locked"):
        s.execute(C.AddPoint(oid, 40, 55))
    s.execute(C.SetLocked(oid, False))
    n = len(s.history.entries)
    with pytest.raises(InputError):
        s.execute(C.AddPoint(oid, 4000, 55))
    assert len(s.history.entries) == n and not s.object(oid).points


def test_points_and_proposals_commands(scene):
    s = make(scene)
    oid = s.add_object(BOX_A)
    s.execute(C.AddPoint(oid, 40, 55, True))
    pid = s.object(oid).points[0].id
    s.execute(C.MovePoint(oid, pid, 42, 56))
    s.execute(C.FlipPoint(oid, pid))
    assert not s.object(oid).points[0].is_positive
    s.execute(C.DeletePoint(oid, (pid,)))
    assert not s.object(oid).points
    with pytest.raises(BackendError):
        s.execute(C.ProposeRound(oid))  # no critic


def test_find_all_makes_pending_objects_accepted_one_by_one(scene):
    _, a, b = scene
    seg = TextSegmenterStub([FoundObject(a, Box.from_mask(a), 0.9), FoundObject(b, Box.from_mask(b), 0.7)])
    s = make(scene, segmenter=seg)
    change = s.execute(C.FindAll("disc"))
    assert len(change.object_ids) == 2 and all(o.status.value == "pending" for o in s.objects)
    assert not s.instance_map().any()  # pending objects are not exported
    s.execute(C.AcceptObject(change.object_ids[0]))
    s.execute(C.RejectObject(change.object_ids[1]))
    assert [o.label for o in s.active_objects] == ["disc"] and len(s.objects) == 1
    assert (s.instance_map() == 1).sum() == a.sum()


def test_find_all_needs_a_text_segmenter(scene):
    s = make(scene)
    with pytest.raises(BackendError, match="text"):
        s.execute(C.FindAll("crab"))


def test_import_mask_as_new_object(scene):
    _, a, _ = scene
    s = make(scene)
    change = s.execute(C.ImportMask(a, label_name="crab"))
    assert change.created == 1 and (s.object(1).mask == a).all() and s.object(1).label == "crab"
