"""The face's features: blendshape scores (0 at rest .. 1 at most) and the head's turn, nod and
tilt, from what a face model found in one frame.

MediaPipe's face landmarker gives 478 points, 52 blendshape scores and the transform that puts
its canonical face where the face is. The scores are what a face does (a jaw opening, a brow
raised, an eye closed) whatever the head does, so they are what a client plays; the transform
gives the head's pose without the body's landmarks, for clients seen only from the shoulders up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from motionmusic.core.features import BLENDSHAPES, FEATURE_INDEX, Features, FloatArray

FACE_POINTS = 478


@dataclass(frozen=True, slots=True)
class FaceFrame:
    """One face at one instant, as plain arrays.

    Attributes:
        t_ns: capture time of the frame (monotonic ns).
        points: (478, 3) normalised image coordinates, x and y 0..1 (y down), z on x's scale.
        scores: the blendshape scores by MediaPipe's names ("jawOpen": 0.12, ...).
        transform: (4, 4) canonical face → camera (cm; x right, y up, z towards the camera).
        image_size: (width, height) of the picture.
    """

    t_ns: int
    points: FloatArray
    scores: dict[str, float]
    transform: FloatArray
    image_size: tuple[int, int]

    def __post_init__(self) -> None:
        if self.points.shape != (FACE_POINTS, 3):
            raise ValueError(f"FaceFrame.points must have shape ({FACE_POINTS}, 3)")

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the face in the picture, as fractions."""
        x, y = self.points[:, 0], self.points[:, 1]
        return float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))

    @property
    def nose(self) -> tuple[float, float]:
        """The nose tip in the picture, as fractions (the head pointer's point)."""
        return float(self.points[NOSE_TIP, 0]), float(self.points[NOSE_TIP, 1])


NOSE_TIP = 1


def head_pose(transform: FloatArray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from the face transform's rotation, in the body's
    conventions: yaw + turned to the client's right, pitch + looking up, roll + towards the right
    shoulder. The camera sees the client mirror-wise: their right is the picture's left."""
    r = transform[:3, :3] / np.linalg.norm(transform[:3, 0])
    yaw = math.degrees(math.atan2(float(r[0, 2]), float(r[2, 2])))
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, float(-r[1, 2])))))
    roll = math.degrees(math.atan2(float(r[1, 0]), float(r[0, 0])))
    return -yaw, -pitch, roll


def measure_face(face: FaceFrame) -> Features:
    """Every face feature of one face (the other sources' features: not measured)."""
    features = Features.missing(face.t_ns)
    values = features.values
    for name, shape in BLENDSHAPES.items():
        values[FEATURE_INDEX[name]] = face.scores.get(shape, math.nan)
    left, right = (
        values[FEATURE_INDEX["left_eye_closed"]],
        values[FEATURE_INDEX["right_eye_closed"]],
    )
    values[FEATURE_INDEX["eyes_closed"]] = min(left, right)
    values[FEATURE_INDEX["left_wink"]] = max(left - right, 0.0)  # one eye: the other stays open
    values[FEATURE_INDEX["right_wink"]] = max(right - left, 0.0)
    smiles = values[FEATURE_INDEX["left_smile"]], values[FEATURE_INDEX["right_smile"]]
    values[FEATURE_INDEX["smile"]] = max(smiles)
    brows = [values[FEATURE_INDEX[n]] for n in ("brow_inner_up", "left_brow_up", "right_brow_up")]
    values[FEATURE_INDEX["brows_up"]] = max(brows)
    yaw, pitch, roll = head_pose(face.transform)
    values[FEATURE_INDEX["face_yaw"]] = yaw
    values[FEATURE_INDEX["face_pitch"]] = pitch
    values[FEATURE_INDEX["face_roll"]] = roll
    features.confidence[~np.isnan(values)] = 1.0  # the face model gives no per-score doubt
    return features
