"""Pose estimation with MediaPipe Tasks `PoseLandmarker`, one person per look, in a zone.

`estimate` runs VIDEO mode: MediaPipe's tracker (the person detector is skipped while tracking
holds) and its own landmark smoothing, which needs strictly increasing timestamps: they come from
the frames' monotonic capture times, nudged forward by a millisecond if two frames share one.
`find` runs IMAGE mode: a fresh detection that remembers nothing, for finding people (the
follower's scan) and for finding the client again without being held on whoever MediaPipe
tracked last. `forget` starts VIDEO mode afresh (about 50 ms, only when the client is re-found).

Both look only inside a zone of the picture: the Python API takes no region of interest, so the
picture is cropped, and the landmarks put back in the whole picture's coordinates. Asking for
more poses (`num_poses=2`) costs 1.8x on every frame and may return one person twice; one pose in
the client's zone costs what one pose costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.pose import WHOLE, Frame, PoseFrame, Zone, uncrop


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


def created(create: Callable[[Any], Any], options: Any, what: str, fix: str = "") -> Any:
    """A MediaPipe task made from `options`; a failure is one line: the native libraries
    missing (and what to install), or the model named by `what` unloadable (and `fix`)."""
    try:
        return create(options)
    except OSError as exc:  # MediaPipe's native library, or one it needs, is missing
        raise MotionMusicError(
            f"cannot start MediaPipe: {exc} (on Debian/Ubuntu: apt install libegl1 libgles2 libgl1)"
        ) from exc
    except (RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MotionMusicError(f"cannot load {what}: {first}{fix}") from exc


def fit(image: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink pictures larger than `max_side` (the models see 192-256 px crops anyway).

    A 1080p frame costs ~10 ms more per frame in copies and conversions for no better landmarks;
    landmarks are normalised, so angles are unaffected by the scale.
    """
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1.0:
        return image
    size = (round(width * scale), round(height * scale))
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)


class MediaPipePose:
    """The real pose estimator. Use as a context manager: closing it avoids errors at exit.

    Stage times of the last frame are kept in `stage_ms`: colour (downscale + BGR→RGB + wrapping),
    inference, convert (result → `PoseFrame`).
    """

    sees_people = True

    def __init__(
        self,
        model_path: Path,
        min_confidence: float = 0.5,
        max_side: int = 640,
        name: str | None = None,
    ) -> None:
        self.model = name or model_path.stem
        self._path, self._confidence = model_path, min_confidence
        self._trackers = {0: self._create(vision.RunningMode.VIDEO)}  # one per person followed
        self._finder = self._create(vision.RunningMode.IMAGE)  # made now, not in the loop
        self._max_side = max_side
        self._last_ms = -1
        self.stage_ms: dict[str, float] = {}

    def _create(self, mode: vision.RunningMode) -> vision.PoseLandmarker:
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self._path)),
            running_mode=mode,
            num_poses=1,
            min_pose_detection_confidence=self._confidence,
            min_pose_presence_confidence=self._confidence,
            min_tracking_confidence=self._confidence,
        )
        landmarker: vision.PoseLandmarker = created(
            vision.PoseLandmarker.create_from_options, options, f"pose model {self._path}"
        )
        return landmarker

    def _timestamp_ms(self, t_ns: int) -> int:
        ms = max(t_ns // 1_000_000, self._last_ms + 1)
        self._last_ms = ms
        return ms

    def estimate(self, frame: Frame, zone: Zone = WHOLE, slot: int = 0) -> PoseFrame | None:
        """The person MediaPipe tracks in `zone` of one BGR frame (VIDEO mode); each `slot` has a
        tracker of its own (group play), made the first time it is asked for."""
        if slot not in self._trackers:
            self._trackers[slot] = self._create(vision.RunningMode.VIDEO)
        return self._look(frame, zone, self._trackers[slot])

    def find(self, frame: Frame, zone: Zone = WHOLE) -> PoseFrame | None:
        """A person in `zone`, found afresh (IMAGE mode: no tracking, no smoothing)."""
        return self._look(frame, zone, None)

    def forget(self, slot: int = 0) -> None:
        """Track afresh from the next `estimate`: MediaPipe would hold on to whom it saw last."""
        old = self._trackers.pop(slot, None)
        if old is not None:
            old.close()

    def _look(
        self, frame: Frame, zone: Zone, tracker: vision.PoseLandmarker | None
    ) -> PoseFrame | None:
        """One pose in `zone`: tracked by `tracker` (VIDEO mode), or found afresh (None)."""
        if frame.image is None:
            raise ValueError("MediaPipePose needs pixels; a trace carries its poses already")
        t0 = time.perf_counter_ns()
        height, width = frame.image.shape[:2]  # landmarks come back normalised to the whole frame
        box = zone.pixels(width, height)
        crop = frame.image if zone.whole else frame.image[box[1] : box[3], box[0] : box[2]]
        rgb = cv2.cvtColor(fit(crop, self._max_side), cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        t1 = time.perf_counter_ns()
        if tracker is not None:
            result = tracker.detect_for_video(image, self._timestamp_ms(frame.t_ns))
        else:
            result = self._finder.detect(image)
        t2 = time.perf_counter_ns()
        pose = to_pose_frame(result, frame.t_ns, (box[2] - box[0], box[3] - box[1]))
        if pose is not None and not zone.whole:
            pose = uncrop(pose, box, (width, height))
        self.stage_ms = {
            "colour": (t1 - t0) / 1e6,
            "inference": (t2 - t1) / 1e6,
            "convert": (time.perf_counter_ns() - t2) / 1e6,
        }
        return pose

    def close(self) -> None:
        for tracker in self._trackers.values():
            tracker.close()
        self._trackers.clear()
        self._finder.close()

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
