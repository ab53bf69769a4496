"""Helpers shared by the benchmarks: where the media and model are, and percentile printing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from motionmusic.core.errors import MotionMusicError
from motionmusic.store import pose_models


def media_dir() -> Path:
    media = os.environ.get("MOTIONMUSIC_MEDIA")
    if not media:
        sys.exit("set MOTIONMUSIC_MEDIA to the folder of test clips")
    return Path(media)


def model_path() -> Path:
    try:
        return pose_models.resolve()
    except MotionMusicError as exc:
        sys.exit(str(exc))


def p50_p95(values: list[float] | np.ndarray) -> str:
    arr = np.asarray(values, dtype=float)
    return f"{np.percentile(arr, 50):7.2f} {np.percentile(arr, 95):7.2f}"
