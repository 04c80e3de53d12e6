"""The robot protocol (issue 14): a robot click overrides the critic points it contradicts, so a wrong
critic point never blocks a later correction."""

from engine.metrics.robot import run_robot
from engine.sculpt.session import SculptSession
from engine.types import PointLabel, PointSource
from tests.objects.helpers import BOX_A, grabcut


def wrong_critic_session(scene):
    img, a, _ = scene
    s = SculptSession(img, BOX_A, grabcut())
    s.start()
    p = s.add_point(40, 55, PointLabel.NEG, source=PointSource.CRITIC)  # wrong: the middle of the disc
    s.refine()
    return s, a, p


def test_robot_click_overrides_a_contradicting_critic_point(scene):
    s, gt, p = wrong_critic_session(scene)
    run = run_robot(s, gt, max_clicks=3, stop_at=0.995)
    assert run.overridden == 1 and p.status.value == "rejected" and "overridden" in p.reason
    old, gt2, _ = wrong_critic_session(scene)
    old_run = run_robot(old, gt2, max_clicks=3, stop_at=0.995, override=False)
    assert run.ious[-1] >= old_run.ious[-1]
    assert run.noc(0.98, 3) <= old_run.noc(0.98, 3)
