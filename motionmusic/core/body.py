"""An anatomical frame (up, left, forward) fixed to the client's trunk.

Features are measured in this frame rather than against the image axes, so a client who leans or sits
crooked is not credited with range they did not move.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.pose import FloatArray, PoseFrame

VISIBLE = 0.5
"""Effective visibility at or above which a landmark is trusted."""

_VIEW = np.array([0.0, 0.0, 1.0])  # the camera's viewing direction, in image and world axes


@dataclass(frozen=True, slots=True)
class Body:
    """Landmarks of one space (2-D image pixels or 3-D world metres) with the trunk's axes.

    `up` runs from the hips' midpoint to the shoulders' midpoint (the trunk line). When the hips are
    not trusted (seated close to the camera, wheelchair, head-and-shoulders framing) it is the
    perpendicular to the shoulder line in the picture plane instead: the upper-body mode. `left`
    points to the client's own left, `forward` out of the client's chest.
    """

    points: FloatArray
    visibility: FloatArray
    up: FloatArray
    left: FloatArray
    forward: FloatArray
    trunk_from_hips: bool
    shoulder_width: float
    facing: float = 1.0
    """cos of the trunk's turn away from the camera (1 = square on), from 3-D world landmarks."""

    def vis(self, *landmarks: int) -> float:
        """The lowest effective visibility among `landmarks`."""
        return min(float(self.visibility[i]) for i in landmarks)

    def vec(self, start: int, end: int) -> FloatArray:
        """The vector from one landmark to another."""
        vector: FloatArray = self.points[end] - self.points[start]
        return vector


def cross(a: FloatArray, b: FloatArray) -> FloatArray:
    """3-vector cross product; `np.cross` costs ~35 µs a call in the per-frame path, this ~2 µs."""
    return np.array(
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    )


def norm(v: FloatArray) -> float:
    return math.sqrt(float(v @ v))


def effective_visibility(pose: PoseFrame) -> FloatArray:
    """Visibility, zeroed for landmarks the model guessed outside the picture."""
    return np.where(pose.in_frame(), pose.visibility, 0.0)


def build_body(points: FloatArray, visibility: FloatArray, planar: bool) -> Body | None:
    """The trunk frame for `points`, or None when the shoulders are not both visible.

    Args:
        points: (33, 3) landmark coordinates of one space.
        visibility: (33,) effective visibility (see `effective_visibility`).
        planar: drop depth, measuring in the picture plane only (2-D image landmarks).
    """
    if min(visibility[L.LEFT_SHOULDER], visibility[L.RIGHT_SHOULDER]) < VISIBLE:
        return None
    if planar:
        points = points * np.array([1.0, 1.0, 0.0])
    lateral = points[L.LEFT_SHOULDER] - points[L.RIGHT_SHOULDER]
    width = norm(lateral)
    if width < 1e-9:
        return None
    hips = min(visibility[L.LEFT_HIP], visibility[L.RIGHT_HIP]) >= VISIBLE
    if hips:
        up = (points[L.LEFT_SHOULDER] + points[L.RIGHT_SHOULDER]) / 2 - (
            points[L.LEFT_HIP] + points[L.RIGHT_HIP]
        ) / 2
    else:
        up = cross(lateral, _VIEW)
    up = up / norm(up)
    left = lateral - np.dot(lateral, up) * up
    left = left / norm(left)
    forward = cross(left, up)
    facing = math.sqrt(max(0.0, 1.0 - float(left @ _VIEW) ** 2))
    return Body(points, visibility, up, left, forward, hips, width, facing)


def square_on(body: Body, reference: Body) -> Body:
    """`body` with the camera-facing measure of `reference` (2-D pictures cannot tell turning)."""
    return replace(body, facing=reference.facing)


def frontal_weight(facing: float) -> float:
    """Trust in a 2-D (picture-plane) angle: full when turned < ~30° from the camera, none past ~55°.

    A frontal-plane angle read off the picture is only the real angle while the frontal plane is
    roughly the picture plane; a client turned side-on foreshortens it into nonsense.
    """
    return min(max((facing - 0.6) / 0.25, 0.0), 1.0)
