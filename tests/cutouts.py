"""People cut out of the test media by MediaPipe's own person mask, to be set into new rooms.

A therapy room looks like none of the clips: several people seated close together, a table in
front, a camera at the back of the room. Such pictures are built from the people the media holds:
each is cut out along the segmentation mask the pose model gives with its landmarks (soft edges,
no box around them), then scaled and set into a room by where their shoulders are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
import numpy.typing as npt
from mediapipe.tasks.python import BaseOptions, vision

from motionmusic.core.landmarks import Landmark as L

Image = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Cutout:
    """One person: pixels and mask cropped to them, and where their body is in that crop."""

    name: str
    pixels: Image
    alpha: Mask  # 0..1: how much of each pixel is the person
    landmarks: npt.NDArray[np.float64]  # 33 x 2 image landmarks, pixels of the crop
    origin: tuple[int, int] = (0, 0)  # the crop's top left corner in the picture it came from

    @property
    def shoulders(self) -> npt.NDArray[np.float64]:
        return np.asarray((self.landmarks[L.LEFT_SHOULDER] + self.landmarks[L.RIGHT_SHOULDER]) / 2)

    @property
    def hips(self) -> npt.NDArray[np.float64]:
        return np.asarray((self.landmarks[L.LEFT_HIP] + self.landmarks[L.RIGHT_HIP]) / 2)

    @property
    def shoulder_width(self) -> float:
        return float(
            np.linalg.norm(self.landmarks[L.LEFT_SHOULDER] - self.landmarks[L.RIGHT_SHOULDER])
        )

    def scaled(self, factor: float) -> Cutout:
        size = (
            max(round(self.pixels.shape[1] * factor), 1),
            max(round(self.pixels.shape[0] * factor), 1),
        )
        pixels = np.asarray(cv2.resize(self.pixels, size, interpolation=cv2.INTER_AREA), np.uint8)
        alpha = np.asarray(cv2.resize(self.alpha, size, interpolation=cv2.INTER_AREA), np.float32)
        return Cutout(self.name, pixels, alpha, self.landmarks * factor)

    @property
    def height(self) -> int:
        """Head to foot (of what is seen), in pixels."""
        rows = np.flatnonzero(np.max(self.alpha, axis=1) > 0.5)
        return int(np.max(rows) - np.min(rows) + 1)

    def tinted(self, bgr: tuple[float, float, float]) -> Cutout:
        """Another person's clothes: the colours scaled channel by channel (a stand-in who is not
        the same person, as far as the tracker's colour cue can tell)."""
        pixels = np.clip(self.pixels * np.array(bgr), 0, 255).astype(np.uint8)
        return Cutout(self.name + "-tinted", pixels, self.alpha, self.landmarks, self.origin)


class Segmenter:
    """MediaPipe's pose landmarker with its person mask (IMAGE mode: every picture afresh)."""

    def __init__(self, model_path: Path) -> None:
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.IMAGE,
            num_poses=1,
            output_segmentation_masks=True,
        )
        self._landmarker = vision.PoseLandmarker.create_from_options(options)

    def cut_out(self, name: str, image: Image, margin: int = 4) -> Cutout:
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        result = self._landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
        assert result.pose_landmarks and result.segmentation_masks, f"nobody found in {name}"
        alpha = np.asarray(result.segmentation_masks[0].numpy_view(), dtype=np.float32)[..., 0]
        height, width = alpha.shape
        ys, xs = np.nonzero(alpha > 0.5)
        top, bottom = max(int(np.min(ys)) - margin, 0), min(int(np.max(ys)) + margin + 1, height)
        left, right = max(int(np.min(xs)) - margin, 0), min(int(np.max(xs)) + margin + 1, width)
        points = np.array(
            [(p.x * width - left, p.y * height - top) for p in result.pose_landmarks[0]]
        )
        crop = np.ascontiguousarray(image[top:bottom, left:right])
        mask = np.ascontiguousarray(alpha[top:bottom, left:right])
        return Cutout(name, crop, mask, points, (left, top))

    def close(self) -> None:
        self._landmarker.close()


def paste(canvas: Image, person: Cutout, shoulders_at: tuple[float, float]) -> tuple[int, int]:
    """Set `person` into `canvas` (in place) with their shoulders' midpoint at `shoulders_at`
    (pixels); whatever falls outside the canvas is cut off. Returns the crop's top left corner."""
    left = round(shoulders_at[0] - person.shoulders[0])
    top = round(shoulders_at[1] - person.shoulders[1])
    height, width = person.pixels.shape[:2]
    y0, y1 = max(top, 0), min(top + height, canvas.shape[0])
    x0, x1 = max(left, 0), min(left + width, canvas.shape[1])
    if y0 >= y1 or x0 >= x1:
        return left, top
    alpha = person.alpha[y0 - top : y1 - top, x0 - left : x1 - left, None]
    pixels = person.pixels[y0 - top : y1 - top, x0 - left : x1 - left]
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    canvas[y0:y1, x0:x1] = (alpha * pixels + (1 - alpha) * region).astype(np.uint8)
    return left, top
