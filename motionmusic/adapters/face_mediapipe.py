"""Faces with MediaPipe Tasks `FaceLandmarker`: 478 points, 52 blendshape scores, head transform.

On the whole picture it runs VIDEO mode (the face detector is skipped while tracking holds) and
returns up to `max_faces` faces, so the follower can keep to the client's. Inside a zone (the
head, where the body's pose puts it) it runs IMAGE mode on the crop: a crop that follows the
head would mislead VIDEO mode's tracker, and the detector on a head-sized crop costs little.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import TracebackType

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from motionmusic.adapters.pose_mediapipe import created, fit
from motionmusic.core.face import FACE_POINTS, FaceFrame
from motionmusic.core.pose import WHOLE, Frame, Zone


def to_faces(
    result: vision.FaceLandmarkerResult, t_ns: int, size: tuple[int, int]
) -> list[FaceFrame]:
    """MediaPipe's result for one picture as pure `FaceFrame`s (none: no face found)."""
    faces = []
    for i, points in enumerate(result.face_landmarks):
        if len(points) != FACE_POINTS:
            continue
        xyz = np.array([(p.x, p.y, p.z) for p in points], dtype=np.float64)
        scores = {c.category_name: float(c.score) for c in result.face_blendshapes[i]}
        transform = np.array(result.facial_transformation_matrixes[i], dtype=np.float64)
        faces.append(FaceFrame(t_ns, xyz, scores, transform, size))
    return faces


def uncrop_face(
    face: FaceFrame, box: tuple[int, int, int, int], size: tuple[int, int]
) -> FaceFrame:
    """A face found in the crop `box` (x0, y0, x1, y1 pixels) in the whole picture's terms."""
    x0, y0, x1, y1 = box
    width, height = size
    points = face.points.copy()
    points[:, 0] = (points[:, 0] * (x1 - x0) + x0) / width
    points[:, 1] = (points[:, 1] * (y1 - y0) + y0) / height
    points[:, 2] = points[:, 2] * (x1 - x0) / width
    return FaceFrame(face.t_ns, points, face.scores, face.transform, size)


class MediaPipeFace:
    """The real face estimator. Use as a context manager, or `close` it."""

    def __init__(
        self, model_path: Path, max_faces: int = 2, max_side: int = 640, name: str | None = None
    ) -> None:
        self.model = name or model_path.stem
        self._path, self._max_faces, self._max_side = model_path, max_faces, max_side
        self._tracker = self._create(vision.RunningMode.VIDEO, max_faces)
        self._finder = self._create(vision.RunningMode.IMAGE, 1)
        self._last_ms = -1
        self.stage_ms: dict[str, float] = {}

    def _create(self, mode: vision.RunningMode, faces: int) -> vision.FaceLandmarker:
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self._path)),
            running_mode=mode,
            num_faces=faces,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        fix = " (motionmusic model fetch face, or model import PATH)"
        landmarker: vision.FaceLandmarker = created(
            vision.FaceLandmarker.create_from_options, options, f"face model {self._path}", fix
        )
        return landmarker

    def faces(self, frame: Frame, zone: Zone = WHOLE) -> list[FaceFrame]:
        """The faces in `zone` of one BGR frame: tracked over the whole picture, found afresh in
        a zone."""
        if frame.image is None:
            raise ValueError("MediaPipeFace needs pixels; a trace carries its features already")
        t0 = time.perf_counter_ns()
        height, width = frame.image.shape[:2]
        box = zone.pixels(width, height)
        crop = frame.image if zone.whole else frame.image[box[1] : box[3], box[0] : box[2]]
        rgb = cv2.cvtColor(fit(crop, self._max_side), cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        t1 = time.perf_counter_ns()
        if zone.whole:
            ms = max(frame.t_ns // 1_000_000, self._last_ms + 1)
            self._last_ms = ms
            result = self._tracker.detect_for_video(image, ms)
        else:
            result = self._finder.detect(image)
        t2 = time.perf_counter_ns()
        faces = to_faces(result, frame.t_ns, (box[2] - box[0], box[3] - box[1]))
        if not zone.whole:
            faces = [uncrop_face(face, box, (width, height)) for face in faces]
        self.stage_ms = {"face": (t2 - t1) / 1e6, "face_colour": (t1 - t0) / 1e6}
        return faces

    def close(self) -> None:
        self._tracker.close()
        self._finder.close()

    def __enter__(self) -> MediaPipeFace:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
