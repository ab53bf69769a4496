"""Rooms with more than one person, made from the real clips: the client (the dancer, who faces the
camera, so both hands always play) on the left, another person (the tai chi man) on the right.

Each scene is written as an MP4 and says where the client is, so a test knows, frame by frame,
whether a pose is the client's: everything left of `split` is the client's half of the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

HEIGHT = 288
FPS = 30.0
CLIENT_CLIP = "dance_arms_raise_front.mp4"
OTHER_CLIP = "tai_chi_arms_raise.mp4"


@dataclass(frozen=True)
class Scene:
    path: Path
    split: float  # fraction of the width: the client is left of it, the other person right
    frames: int
    hidden: tuple[int, int] = (0, 0)  # frames [start, end) in which the client is blanked out
    other_from: int = 0  # first frame the other person is in view

    def seconds(self, frame: int) -> float:
        return frame / FPS


def _frames(clip: Path, height: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(clip))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        width = round(frame.shape[1] * height / frame.shape[0])
        frames.append(cv2.resize(frame, (width, height)))
    capture.release()
    return frames


def _pingpong(frames: list[np.ndarray], i: int) -> np.ndarray:
    """The clip forwards, then backwards, and so on: as long as needed, with no jump."""
    n = len(frames)
    k = i % (2 * n - 2)
    return frames[k if k < n else 2 * n - 2 - k]


def make_scene(
    media: Path,
    out: Path,
    frames: int = 150,
    start: int = 0,
    hidden: tuple[int, int] = (0, 0),
    other_from: int = 0,
    stand_in: int | None = None,
) -> Scene:
    """`frames` frames of the client (from their clip's frame `start`) beside the other person.

    `hidden`: frames in which the client's half is painted black (something passing in front).
    `other_from`: before it, the other person's half shows only the wall behind them.
    `stand_in`: from this frame the client is gone, and the other person stands where she was,
    a step nearer the camera (1.4 times as large), as a therapist stepping in would."""
    client = _frames(media / CLIENT_CLIP, HEIGHT)
    other = _frames(media / OTHER_CLIP, HEIGHT)
    wall = np.empty_like(other[0])
    wall[:] = np.median(other[0][:, :10].reshape(-1, 3), axis=0).astype(np.uint8)
    width = client[0].shape[1] + other[0].shape[1]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (width, HEIGHT))
    for i in range(frames):
        left = _pingpong(client, start + i).copy()
        if hidden[0] <= i < hidden[1]:
            left[:] = 0
        right = _pingpong(other, i) if i >= other_from else wall
        picture = np.hstack([left, right])
        if stand_in is not None and i >= stand_in:
            picture[:] = wall[0, 0]
            near = cv2.resize(right, None, fx=1.4, fy=1.4)
            top = (near.shape[0] - HEIGHT) // 2
            near = near[top : top + HEIGHT]
            middle = (near.shape[1] - left.shape[1]) // 2
            picture[:, : left.shape[1]] = near[:, middle : middle + left.shape[1]]
        writer.write(picture)
    writer.release()
    gone = (stand_in, frames) if stand_in is not None else hidden
    return Scene(out, client[0].shape[1] / width, frames, gone, other_from)
