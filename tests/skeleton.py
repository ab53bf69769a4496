"""Synthetic skeletons with known joint angles, for exact angle maths tests.

Built in camera axes (x right, y down, z away from the camera) for a client facing the camera:
the client's left is +x, up is -y, forward (towards the camera) is -z. World landmarks are these
points in metres; image landmarks are an orthographic picture of them.
"""

from __future__ import annotations

import math

import numpy as np

from motionmusic.core.landmarks import NUM_LANDMARKS
from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.pose import PoseFrame

UP = np.array([0.0, -1.0, 0.0])
DOWN = -UP
LEFT = np.array([1.0, 0.0, 0.0])
FORWARD = np.array([0.0, 0.0, -1.0])
UPPER_ARM, FOREARM = 0.30, 0.25
SIZE = (1280, 720)
PIXELS_PER_METRE = 300.0


def rotation(axis: np.ndarray, degrees: float) -> np.ndarray:
    """Rodrigues rotation matrix about a unit axis (right-handed)."""
    a = axis / np.linalg.norm(axis)
    t = math.radians(degrees)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.asarray(np.eye(3) + math.sin(t) * k + (1 - math.cos(t)) * (k @ k))


def arm_direction(flexion: float = 0.0, abduction: float = 0.0, left: bool = True) -> np.ndarray:
    """Unit upper-arm direction: flexion in the sagittal plane, or abduction in the frontal plane."""
    out = LEFT if left else -LEFT
    if abduction:
        return math.cos(math.radians(abduction)) * DOWN + math.sin(math.radians(abduction)) * out
    return math.cos(math.radians(flexion)) * DOWN + math.sin(math.radians(flexion)) * FORWARD


def skeleton(
    left_arm: np.ndarray | None = None,
    right_arm: np.ndarray | None = None,
    elbow: float = 0.0,
    head: np.ndarray | None = None,
) -> np.ndarray:
    """(33, 3) points in metres. `elbow` bends both forearms forward by that many degrees;
    `head` is a rotation matrix applied to the face about the neck."""
    p = np.zeros((NUM_LANDMARKS, 3))
    p[L.LEFT_HIP], p[L.RIGHT_HIP] = [0.12, 0.5, 0], [-0.12, 0.5, 0]
    p[L.LEFT_KNEE], p[L.RIGHT_KNEE] = [0.12, 0.95, 0], [-0.12, 0.95, 0]
    p[L.LEFT_ANKLE], p[L.RIGHT_ANKLE] = [0.12, 1.4, 0], [-0.12, 1.4, 0]
    for side, arm in ((True, left_arm), (False, right_arm)):
        sh, el, wr = (
            (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST)
            if side
            else (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST)
        )
        p[sh] = [0.2 if side else -0.2, 0.0, 0.0]
        direction = arm if arm is not None else DOWN
        p[el] = p[sh] + UPPER_ARM * direction
        axis = np.cross(direction, FORWARD) if abs(direction @ FORWARD) < 0.99 else LEFT
        p[wr] = p[el] + FOREARM * (rotation(axis, -elbow) @ direction if elbow else direction)
    neck = np.array([0.0, -0.1, 0.0])
    face = {
        L.LEFT_EAR: [0.08, -0.25, 0.0],
        L.RIGHT_EAR: [-0.08, -0.25, 0.0],
        L.NOSE: [0.0, -0.25 + 0.1 * math.sin(math.radians(10)), -0.1 * math.cos(math.radians(10))],
        L.LEFT_EYE: [0.035, -0.28, -0.08],
        L.RIGHT_EYE: [-0.035, -0.28, -0.08],
    }
    turn = head if head is not None else np.eye(3)
    for index, point in face.items():
        p[index] = neck + turn @ (np.array(point) - neck)
    return p


def pose_of(points: np.ndarray, image_points: np.ndarray | None = None, t_ns: int = 0) -> PoseFrame:
    """A PoseFrame whose world landmarks are `points` (hip-centred) and whose image landmarks are
    an orthographic picture of `image_points` (default: the same points), all fully visible."""
    world = points - (points[L.LEFT_HIP] + points[L.RIGHT_HIP]) / 2
    pic = points if image_points is None else image_points
    width, height = SIZE
    image = np.column_stack(
        [
            (pic[:, 0] * PIXELS_PER_METRE + width / 2) / width,
            (pic[:, 1] * PIXELS_PER_METRE + height / 3) / height,
            pic[:, 2] * PIXELS_PER_METRE / width,
        ]
    )
    ones = np.ones(NUM_LANDMARKS)
    return PoseFrame(t_ns, image, world, ones.copy(), ones.copy(), SIZE)
