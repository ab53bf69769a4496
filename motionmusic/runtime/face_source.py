"""The face source: the client's face, found where the client is, measured into face features.

With the body tracked too, the face model looks only where the client's pose puts the head: the
face it finds there is the client's, by the body's own client lock, and nobody else's face is
ever looked at. Without the body (a face-only preset: a client seen from the shoulders up) the
face model tracks up to two faces over the picture and the client's is the one where the client's
face was (`core.place.PlaceLock`). A face elsewhere is someone else's: not played, not logged.
"""

from __future__ import annotations

import numpy as np

from motionmusic.core.client import Seen
from motionmusic.core.face import FaceFrame, measure_face
from motionmusic.core.features import Features
from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.place import PlaceLock
from motionmusic.core.pose import Frame, PoseFrame, Zone
from motionmusic.core.protocols import FaceEstimator

HEAD_POINTS = (
    L.NOSE,
    L.LEFT_EYE,
    L.RIGHT_EYE,
    L.LEFT_EAR,
    L.RIGHT_EAR,
    L.MOUTH_LEFT,
    L.MOUTH_RIGHT,
)
HEAD_SIDES = 3.2
"""The head zone's side, in ear-to-ear widths: the whole face with room for a nod."""


def head_zone(pose: PoseFrame) -> Zone | None:
    """Where the pose puts the head, as a zone of the picture (None: the head is not seen)."""
    points = pose.image[list(HEAD_POINTS), :2]
    if float(pose.visibility[L.NOSE]) < 0.5:
        return None
    width, height = pose.image_size
    ears = points[3] - points[4]
    side = HEAD_SIDES * max(float(np.hypot(ears[0] * width, ears[1] * height)), 12.0)
    cx, cy = float(points[:, 0].mean()) * width, float(points[:, 1].mean()) * height
    half = side / 2
    left, top = max(cx - half, 0.0) / width, max(cy - half, 0.0) / height
    right, bottom = min(cx + half, width) / width, min(cy + half, height) / height
    if right - left <= 0.0 or bottom - top <= 0.0:
        return None
    return Zone(left, top, right, bottom)


def _centre_and_width(face: FaceFrame) -> tuple[float, float, float]:
    left, top, right, bottom = face.box()
    width, height = face.image_size
    return (left + right) / 2 * width, (top + bottom) / 2 * height, (right - left) * width


class FaceSource:
    """Measures the client's face each frame; `face` is the last one found (for displays)."""

    def __init__(self, estimator: FaceEstimator) -> None:
        self.estimator = estimator
        self.face: FaceFrame | None = None
        self.lock = PlaceLock()

    @property
    def stage_ms(self) -> dict[str, float]:
        return self.estimator.stage_ms

    def release(self) -> None:
        """Let the lock go: the largest face is the client's from the next frame."""
        self.lock.release()

    def look(self, frame: Frame, pose: PoseFrame | None, body: bool) -> tuple[Features, Seen]:
        """The client's face features this frame, and whose face was seen. `body`: the body is
        tracked too, and `pose` (None: the client's body not seen) says where the head is."""
        self.face = self._client(frame, pose, body)
        if self.face is None:
            return Features.missing(frame.t_ns), Seen.NO_FACE
        return measure_face(self.face), Seen.CLIENT

    def _client(self, frame: Frame, pose: PoseFrame | None, body: bool) -> FaceFrame | None:
        if body:
            zone = head_zone(pose) if pose is not None else None
            faces = self.estimator.faces(frame, zone) if zone is not None else []
            return faces[0] if faces else None
        faces = self.estimator.faces(frame)
        chosen = self.lock.choose([_centre_and_width(face) for face in faces])
        return None if chosen is None else faces[chosen]
