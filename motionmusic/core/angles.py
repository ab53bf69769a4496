"""The body's features: joint angles in degrees (and wrist height in shoulder widths), each with a
confidence.

Conventions (client's own sides; 0 is the anatomical rest position):
- shoulder flexion: upper arm in the sagittal plane, 0 hanging, 90 forward, 180 overhead, < 0 extension.
- shoulder abduction: upper arm in the frontal plane, 0 hanging, 90 sideways, 180 overhead.
- shoulder elevation: 3-D angle between upper arm and trunk-down, whatever the plane (arm "height").
- elbow flexion: 0 straight arm, ~150 fully bent.
- wrist height: (wrist - shoulder) along the trunk's up axis, in shoulder widths; > 0 above.
- head yaw / roll: positive towards the client's right; head pitch positive looking up.
- trunk lean: trunk line against the picture's vertical, positive towards the client's right.

Each angle is measured in the space that proved steadier on real clips (`benchmarks/angle_space.py`):
frontal-plane angles from 2-D image pixels, depth-dependent ones from 3-D world landmarks. An angle is
NaN ("not measured") when its confidence is below `VISIBLE`: guessed landmarks are never trusted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from motionmusic.core.body import (
    VISIBLE,
    Body,
    build_body,
    effective_visibility,
    frontal_weight,
    norm,
    square_on,
)
from motionmusic.core.features import BODY, Features, source_slice
from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.pose import FloatArray, PoseFrame

Measure = Callable[[Body], tuple[float, float]]
"""Body → (value, confidence)."""

NEUTRAL_HEAD_PITCH = 10.0
"""Degrees the nose sits below the ears' line when looking straight ahead (measured on clips)."""


def _wrap(deg: float) -> float:
    """Map an atan2 result to [-90, 270): overhead stays near 180 instead of flipping sign."""
    return deg + 360.0 if deg < -90.0 else deg


def _in_plane(along: float, down: float, length: float) -> float:
    """Confidence that an in-plane angle is defined: 0 when the segment points out of the plane."""
    ratio = math.hypot(along, down) / max(length, 1e-9)
    return min(max((ratio - 0.25) / 0.25, 0.0), 1.0)


def _plane_angle(body: Body, start: int, end: int, axis: FloatArray) -> tuple[float, float]:
    seg = body.vec(start, end)
    down, along = float(-seg @ body.up), float(seg @ axis)
    value = _wrap(math.degrees(math.atan2(along, down)))
    return value, body.vis(start, end) * _in_plane(along, down, norm(seg))


def _arm(left: bool) -> tuple[int, int, int]:
    if left:
        return L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST
    return L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST


def shoulder_flexion(left: bool) -> Measure:
    def measure(body: Body) -> tuple[float, float]:
        shoulder, elbow, _ = _arm(left)
        return _plane_angle(body, shoulder, elbow, body.forward)

    return measure


def shoulder_abduction(left: bool) -> Measure:
    def measure(body: Body) -> tuple[float, float]:
        shoulder, elbow, _ = _arm(left)
        return _plane_angle(body, shoulder, elbow, body.left if left else -body.left)

    return measure


def shoulder_elevation(left: bool) -> Measure:
    def measure(body: Body) -> tuple[float, float]:
        shoulder, elbow, _ = _arm(left)
        seg = body.vec(shoulder, elbow)
        cos = float(-seg @ body.up) / max(norm(seg), 1e-9)
        return math.degrees(math.acos(min(max(cos, -1.0), 1.0))), body.vis(shoulder, elbow)

    return measure


def _between(a: FloatArray, b: FloatArray) -> float:
    cos = float(a @ b) / max(norm(a) * norm(b), 1e-12)
    return math.degrees(math.acos(min(max(cos, -1.0), 1.0)))


def elbow_flexion(left: bool) -> Measure:
    def measure(body: Body) -> tuple[float, float]:
        shoulder, elbow, wrist = _arm(left)
        inner = _between(body.vec(elbow, shoulder), body.vec(elbow, wrist))
        return 180.0 - inner, body.vis(shoulder, elbow, wrist)

    return measure


def wrist_height(left: bool) -> Measure:
    def measure(body: Body) -> tuple[float, float]:
        shoulder, _, wrist = _arm(left)
        height = float(body.vec(shoulder, wrist) @ body.up) / body.shoulder_width
        return height, body.vis(wrist, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)

    return measure


def _head(body: Body) -> tuple[FloatArray, float]:
    ears = (body.points[L.LEFT_EAR] + body.points[L.RIGHT_EAR]) / 2
    return body.points[L.NOSE] - ears, body.vis(L.NOSE, L.LEFT_EAR, L.RIGHT_EAR)


def head_yaw(body: Body) -> tuple[float, float]:
    nose, vis = _head(body)
    right, ahead = float(nose @ -body.left), float(nose @ body.forward)
    conf = vis * _in_plane(right, ahead, norm(nose))
    return math.degrees(math.atan2(right, ahead)), conf


def head_pitch(body: Body) -> tuple[float, float]:
    nose, vis = _head(body)
    level = math.hypot(float(nose @ body.forward), float(nose @ body.left))
    return math.degrees(math.atan2(float(nose @ body.up), level)) + NEUTRAL_HEAD_PITCH, vis


def head_roll(body: Body) -> tuple[float, float]:
    ears = body.vec(L.RIGHT_EAR, L.LEFT_EAR)
    value = math.degrees(math.atan2(float(ears @ body.up), float(ears @ body.left)))
    return value, body.vis(L.LEFT_EAR, L.RIGHT_EAR)


def trunk_lean(body: Body) -> tuple[float, float]:
    if not body.trunk_from_hips:
        return math.nan, 0.0
    value = math.degrees(math.atan2(-body.up[0], -body.up[1]))
    return value, body.vis(L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)


@dataclass(frozen=True, slots=True)
class BodyMeasure:
    """How one body feature is measured: in which landmark space, by which function."""

    name: str
    space: str  # "image" (2-D pixels) or "world" (3-D metres)
    measure: Measure


def _sides(name: str, make: Callable[[bool], Measure], space: str) -> list[BodyMeasure]:
    return [
        BodyMeasure(f"{side}_{name}", space, make(side == "left")) for side in ("left", "right")
    ]


MEASURES: tuple[BodyMeasure, ...] = (
    *_sides("shoulder_flexion", shoulder_flexion, "world"),
    *_sides("shoulder_abduction", shoulder_abduction, "image"),
    *_sides("shoulder_elevation", shoulder_elevation, "world"),
    *_sides("elbow_flexion", elbow_flexion, "world"),
    *_sides("wrist_height", wrist_height, "world"),
    BodyMeasure("head_yaw", "world", head_yaw),
    BodyMeasure("head_pitch", "world", head_pitch),
    BodyMeasure("head_roll", "image", head_roll),
    BodyMeasure("trunk_lean", "image", trunk_lean),
)
assert tuple(m.name for m in MEASURES) == tuple(spec.name for spec in BODY)
BODY_PART = source_slice("body")


def bodies(pose: PoseFrame) -> dict[str, Body | None]:
    """The trunk frame in each landmark space."""
    vis = effective_visibility(pose)
    world = build_body(pose.world, vis, planar=False)
    image = build_body(pose.image_points(), vis, planar=True)
    if image is not None and world is not None:
        image = square_on(image, world)
    return {"image": image, "world": world}


def measure_body(pose: PoseFrame, measures: tuple[BodyMeasure, ...] = MEASURES) -> Features:
    """Every body feature of one pose (the other sources' features: not measured).

    Picture-plane ("image") angles lose confidence as the client turns away from the camera.
    """
    frames = bodies(pose)
    features = Features.missing(pose.t_ns)
    values, confidence = features.values[BODY_PART], features.confidence[BODY_PART]
    for i, spec in enumerate(measures):
        body = frames[spec.space]
        if body is not None:
            values[i], confidence[i] = spec.measure(body)
            if spec.space == "image":
                confidence[i] *= frontal_weight(body.facing)
    values[confidence < VISIBLE] = np.nan
    return features
