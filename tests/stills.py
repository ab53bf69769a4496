"""Still bodies the model has not been tuned on: every photo in the media folder and frames taken
from every clip, each held for a few seconds with fresh camera noise on every frame (sigma 4 grey
levels), as a webcam delivers a client holding still."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from motionmusic.core.angles import Angles, measure_all
from motionmusic.core.pose import Frame
from motionmusic.core.protocols import PoseEstimator
from motionmusic.core.trace import TraceHeader, TraceWriter
from tests.pictures import read_image

CLIP_POINTS = (0.2, 0.5, 0.8)
"""Where in each clip a frame is taken: early, middle, late."""
NOISE = 4.0
FPS = 30.0

Image = npt.NDArray[np.uint8]


def still_pictures(media: Path) -> Iterator[tuple[str, Image]]:
    for photo in sorted((media / "images").glob("*.jpg")):
        yield photo.name, read_image(photo)
    for clip in sorted(media.glob("*.mp4")):
        capture = cv2.VideoCapture(str(clip))
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        for point in CLIP_POINTS:
            capture.set(cv2.CAP_PROP_POS_FRAMES, int(count * point))
            ok, frame = capture.read()
            assert ok, f"cannot read frame {point:.0%} into {clip.name}"
            yield f"{clip.stem}@{point:.0%}", np.asarray(frame, dtype=np.uint8)
        capture.release()


def hold_still(
    image: Image, estimator: PoseEstimator, path: Path, seconds: float, seed: int
) -> Path:
    """A trace of `image` held for `seconds`, each frame with its own camera noise."""
    rng = np.random.default_rng(seed)
    base = image.astype(np.int16)
    writer = TraceWriter(path, TraceHeader((image.shape[1], image.shape[0]), FPS, path.stem))
    for i in range(int(seconds * FPS)):
        noisy = np.clip(base + rng.normal(0, NOISE, base.shape), 0, 255).astype(np.uint8)
        t_ns = 1_000_000_000 + round(i * 1e9 / FPS)
        pose = estimator.estimate(Frame(i, t_ns, noisy))
        writer.write(t_ns, pose, measure_all(pose) if pose is not None else Angles.missing(t_ns))
    writer.close()
    return path
