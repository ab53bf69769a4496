"""Pose estimation with MediaPipe Tasks `PoseLandmarker` (VIDEO mode, one person).

VIDEO mode keeps MediaPipe's tracker (the person detector is skipped while tracking holds) and its own
landmark smoothing, which needs strictly increasing timestamps: they come from the frames' monotonic
capture times, nudged forward by a millisecond if two frames share one.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import TracebackType

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.pose import Frame, PoseFrame


def to_pose_frame(
    result: vision.PoseLandmarkerResult, t_ns: int, size: tuple[int, int]
) -> PoseFrame | None:
    """Convert MediaPipe's result for one frame into the pure `PoseFrame` (None: nobody found)."""
    if not result.pose_landmarks:
        return None
    image = np.array(
        [(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in result.pose_landmarks[0]]
    )
    world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]])
    return PoseFrame(t_ns, image[:, :3], world, image[:, 3], image[:, 4], size)


class MediaPipePose:
    """The real pose estimator. Use as a context manager: closing it avoids errors at exit.

    Stage times of the last frame are kept in `stage_ms`: colour (downscale + BGR→RGB + wrapping),
    inference, convert (result → `PoseFrame`).
    """

    def __init__(
        self,
        model_path: Path,
        min_confidence: float = 0.5,
        max_side: int = 640,
        name: str | None = None,
    ) -> None:
        self.model = name or model_path.stem
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )
        try:
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except OSError as exc:  # MediaPipe's native library, or one it needs, is missing
            raise MotionMusicError(
                f"cannot start MediaPipe: {exc} (on Debian/Ubuntu: apt install libegl1 libgles2 libgl1)"
            ) from exc
        except (RuntimeError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise MotionMusicError(f"cannot load pose model {model_path}: {first}") from exc
        self._max_side = max_side
        self._last_ms = -1
        self.stage_ms: dict[str, float] = {}

    def _timestamp_ms(self, t_ns: int) -> int:
        ms = max(t_ns // 1_000_000, self._last_ms + 1)
        self._last_ms = ms
        return ms

    def estimate(self, frame: Frame) -> PoseFrame | None:
        """Find the pose in one BGR frame."""
        if frame.image is None:
            raise ValueError("MediaPipePose needs pixels; a trace carries its poses already")
        t0 = time.perf_counter_ns()
        rgb = cv2.cvtColor(self._fit(frame.image), cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        t1 = time.perf_counter_ns()
        result = self._landmarker.detect_for_video(image, self._timestamp_ms(frame.t_ns))
        t2 = time.perf_counter_ns()
        height, width = frame.image.shape[
            :2
        ]  # landmarks are normalised to the whole, unshrunk frame
        pose = to_pose_frame(result, frame.t_ns, (width, height))
        self.stage_ms = {
            "colour": (t1 - t0) / 1e6,
            "inference": (t2 - t1) / 1e6,
            "convert": (time.perf_counter_ns() - t2) / 1e6,
        }
        return pose

    def _fit(self, image: np.ndarray) -> np.ndarray:
        """Shrink pictures larger than `max_side` (the models see 224-256 px crops anyway).

        A 1080p frame costs ~10 ms more per frame in copies and conversions for no better landmarks;
        landmarks are normalised, so angles are unaffected by the scale.
        """
        height, width = image.shape[:2]
        scale = self._max_side / max(height, width)
        if scale >= 1.0:
            return image
        size = (round(width * scale), round(height * scale))
        return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
