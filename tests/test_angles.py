"""Angle maths on synthetic skeletons with known angles (exact within 0.5°)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from motionmusic.core.angles import MEASURES, measure_body
from motionmusic.core.features import FEATURE_NAMES
from motionmusic.core.landmarks import Landmark as L
from tests.skeleton import DOWN, FORWARD, LEFT, UP, arm_direction, pose_of, rotation, skeleton

TOL = 0.5


@pytest.mark.parametrize("degrees", [0, 30, 60, 90, 120, 150, 175])
def test_shoulder_flexion_and_elevation(degrees):
    pose = pose_of(
        skeleton(left_arm=arm_direction(flexion=degrees), right_arm=arm_direction(flexion=degrees))
    )
    angles = measure_body(pose)
    for side in ("left", "right"):
        assert angles[f"{side}_shoulder_flexion"] == pytest.approx(degrees, abs=TOL)
        assert angles[f"{side}_shoulder_elevation"] == pytest.approx(degrees, abs=TOL)


@pytest.mark.parametrize("degrees", [0, 45, 90, 135, 170])
def test_shoulder_abduction(degrees):
    arms: dict[str, Any] = {
        "left_arm": arm_direction(abduction=degrees),
        "right_arm": arm_direction(abduction=degrees, left=False),
    }
    angles = measure_body(pose_of(skeleton(**arms)))
    for side in ("left", "right"):
        assert angles[f"{side}_shoulder_abduction"] == pytest.approx(degrees, abs=TOL)
        assert angles[f"{side}_shoulder_elevation"] == pytest.approx(degrees, abs=TOL)


def test_flexion_is_not_measured_when_the_arm_is_straight_out_sideways():
    angles = measure_body(pose_of(skeleton(left_arm=arm_direction(abduction=90))))
    assert math.isnan(angles["left_shoulder_flexion"])
    assert angles["left_shoulder_abduction"] == pytest.approx(90, abs=TOL)


@pytest.mark.parametrize("degrees", [0, 45, 90, 140])
def test_elbow_flexion(degrees):
    angles = measure_body(pose_of(skeleton(elbow=degrees)))
    assert angles["left_elbow_flexion"] == pytest.approx(degrees, abs=TOL)
    assert angles["right_elbow_flexion"] == pytest.approx(degrees, abs=TOL)


def test_wrist_height_in_shoulder_widths():
    overhead = measure_body(pose_of(skeleton(left_arm=UP)))
    hanging = measure_body(pose_of(skeleton()))
    reach = 0.30 + 0.25
    assert overhead["left_wrist_height"] == pytest.approx(reach / 0.4, abs=0.01)
    assert hanging["right_wrist_height"] == pytest.approx(-reach / 0.4, abs=0.01)


@pytest.mark.parametrize("degrees", [-40, -15, 0, 20, 45])
def test_head_turn_tilt_and_nod(degrees):
    turned = measure_body(
        pose_of(skeleton(head=rotation(DOWN, degrees)))
    )  # towards the client's right
    tilted = measure_body(
        pose_of(skeleton(head=rotation(FORWARD, degrees)))
    )  # right ear to right shoulder
    nodded = measure_body(pose_of(skeleton(head=rotation(LEFT, -degrees))))  # chin up
    assert turned["head_yaw"] == pytest.approx(degrees, abs=TOL)
    assert tilted["head_roll"] == pytest.approx(degrees, abs=TOL)
    assert nodded["head_pitch"] == pytest.approx(degrees, abs=TOL)


def _lean(points: np.ndarray, degrees: float) -> np.ndarray:
    """Tilt everything above the hips about the hips' midpoint, towards the client's right."""
    hip = (points[L.LEFT_HIP] + points[L.RIGHT_HIP]) / 2
    upper = np.ones(len(points), dtype=bool)
    upper[[L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE]] = False
    out = points.copy()
    out[upper] = (rotation(FORWARD, degrees) @ (points[upper] - hip).T).T + hip
    return out


@pytest.mark.parametrize("lean", [-20, -8, 0, 12, 25])
def test_leaning_client_is_not_credited_with_range(lean):
    """Trunk lean is reported on its own; arm angles stay relative to the trunk."""
    arms = skeleton(
        left_arm=arm_direction(abduction=60), right_arm=arm_direction(abduction=60, left=False)
    )
    angles = measure_body(pose_of(_lean(arms, lean)))
    assert angles["trunk_lean"] == pytest.approx(lean, abs=TOL)
    assert angles["left_shoulder_abduction"] == pytest.approx(60, abs=TOL)
    assert angles["right_shoulder_abduction"] == pytest.approx(60, abs=TOL)


def test_upper_body_mode_ignores_guessed_hips():
    """Hips out of frame (webcam framing): arms are measured from the shoulders alone."""
    points = skeleton(left_arm=arm_direction(abduction=80))
    pose = pose_of(points)
    guessed = pose.image.copy()
    guessed[[L.LEFT_HIP, L.RIGHT_HIP], 0] += [0.3, 0.35]  # wild guesses ...
    guessed[[L.LEFT_HIP, L.RIGHT_HIP], 1] = 1.3  # ... below the picture
    vis = pose.visibility.copy()
    vis[[L.LEFT_HIP, L.RIGHT_HIP]] = 0.9  # even if the model claims they are visible
    seated = type(pose)(pose.t_ns, guessed, pose.world, vis, pose.presence, pose.image_size)
    angles = measure_body(seated)
    assert angles["left_shoulder_abduction"] == pytest.approx(80, abs=TOL)
    assert math.isnan(angles["trunk_lean"])


def test_occluded_wrist_is_not_measured():
    pose = pose_of(skeleton())
    pose.visibility[L.LEFT_WRIST] = 0.05
    angles = measure_body(pose)
    assert math.isnan(angles["left_elbow_flexion"]) and math.isnan(angles["left_wrist_height"])
    assert not math.isnan(angles["right_elbow_flexion"])


RICH_POSE = skeleton(
    left_arm=arm_direction(flexion=70) * 0.6 + arm_direction(abduction=40) * 0.4,
    right_arm=arm_direction(abduction=110, left=False),
    elbow=35,
    head=rotation(DOWN, 12) @ rotation(FORWARD, -9),
)
REFERENCE = measure_body(pose_of(RICH_POSE))
assert (
    np.isnan(REFERENCE.values[: len(MEASURES)]).sum() == 1
)  # only the sideways right arm's flexion is undefined
IMAGE_ANGLES = [m.name for m in MEASURES if m.space == "image" and m.name != "trunk_lean"]
WORLD_ANGLES = [m.name for m in MEASURES if m.space == "world"]


def _close(a, b, names):
    for name in names:
        assert a[name] == pytest.approx(b[name], abs=TOL, nan_ok=True), name


@settings(max_examples=60, deadline=None)
@given(
    turn=st.floats(-180, 180),
    scale=st.floats(0.4, 1.6),
    shift=st.tuples(st.floats(-0.3, 0.3), st.floats(-0.2, 0.2)),
)
def test_picture_rotation_scale_and_shift_leave_angles_unchanged(turn, scale, shift):
    """Rolling the camera, zooming and panning change no body angle (only trunk lean, by design)."""
    spin = rotation(FORWARD, turn)
    moved = (spin @ RICH_POSE.T).T * scale + np.array([shift[0], shift[1], 0.0])
    pose = pose_of(moved)
    assume(pose.in_frame()[: L.LEFT_KNEE].all())  # the upper body stays in the picture
    angles = measure_body(pose)
    _close(angles, REFERENCE, [n for n in FEATURE_NAMES if n != "trunk_lean"])


@settings(max_examples=60, deadline=None)
@given(
    axis=st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.floats(-1, 1)).filter(
        lambda a: np.linalg.norm(a) > 0.1
    ),
    degrees=st.floats(-180, 180),
    scale=st.floats(0.5, 2.0),
)
def test_world_rotation_and_scale_leave_3d_angles_unchanged(axis, degrees, scale):
    world = (rotation(np.array(axis), degrees) @ RICH_POSE.T).T * scale
    angles = measure_body(pose_of(world, image_points=RICH_POSE))
    _close(angles, REFERENCE, WORLD_ANGLES)


def test_turned_away_client_gets_no_picture_plane_angles():
    """Side-on to the camera, frontal-plane angles read off the picture would be nonsense."""
    side_on = (rotation(UP, 75) @ RICH_POSE.T).T
    angles = measure_body(pose_of(side_on))
    for name in IMAGE_ANGLES:
        assert math.isnan(angles[name]), name
