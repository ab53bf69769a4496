"""Hands with MediaPipe Tasks `HandLandmarker`: 21 points per hand, in the picture and in metres.

VIDEO mode over the whole picture, up to two hands, so the follower can keep to the client's hand
(the one nearest their wrist, or nearest where it was). MediaPipe's handedness is kept as it
says it: on both shared hand clips (unmirrored, a right hand) it says "Right" on every frame.
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
from motionmusic.core.hand import HAND_POINTS, HandFrame
from motionmusic.core.pose import Frame

SIDES = {"Left": "left", "Right": "right"}


def to_hands(
    result: vision.HandLandmarkerResult, t_ns: int, size: tuple[int, int]
) -> list[HandFrame]:
    """MediaPipe's result for one picture as pure `HandFrame`s (none: no hand found)."""
    hands = []
    for i, points in enumerate(result.hand_landmarks):
        if len(points) != HAND_POINTS:
            continue
        xyz = np.array([(p.x, p.y, p.z) for p in points], dtype=np.float64)
        world = np.array([(p.x, p.y, p.z) for p in result.hand_world_landmarks[i]])
        label = result.handedness[i][0].category_name if result.handedness[i] else ""
        hands.append(HandFrame(t_ns, xyz, world, SIDES.get(label or ""), size))
    return hands


class MediaPipeHand:
    """The real hand estimator. Use as a context manager, or `close` it."""

    def __init__(
        self, model_path: Path, max_hands: int = 2, max_side: int = 640, name: str | None = None
    ) -> None:
        self.model = name or model_path.stem
        self._path, self._max_side = model_path, max_side
        options = vision.HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_hands=max_hands,
        )
        fix = " (motionmusic model fetch hand, or model import PATH)"
        self._tracker: vision.HandLandmarker = created(
            vision.HandLandmarker.create_from_options, options, f"hand model {model_path}", fix
        )
        self._last_ms = -1
        self.stage_ms: dict[str, float] = {}

    def hands(self, frame: Frame) -> list[HandFrame]:
        """The hands in one BGR frame."""
        if frame.image is None:
            raise ValueError("MediaPipeHand needs pixels; a trace carries its features already")
        t0 = time.perf_counter_ns()
        height, width = frame.image.shape[:2]
        rgb = cv2.cvtColor(fit(frame.image, self._max_side), cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        ms = max(frame.t_ns // 1_000_000, self._last_ms + 1)
        self._last_ms = ms
        t1 = time.perf_counter_ns()
        result = self._tracker.detect_for_video(image, ms)
        self.stage_ms = {
            "hand": (time.perf_counter_ns() - t1) / 1e6,
            "hand_colour": (t1 - t0) / 1e6,
        }
        return to_hands(result, frame.t_ns, (width, height))

    def close(self) -> None:
        self._tracker.close()

    def __enter__(self) -> MediaPipeHand:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
