"""Helpers shared by the benchmarks: where the media and model are, and percentile printing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from motionmusic.core.errors import MotionMusicError
from motionmusic.store import pose_models

MEDIA = Path(__file__).resolve().parents[1] / "tests" / "media"


def media_dir() -> Path:
    """The test clips: vendored in tests/media (MOTIONMUSIC_MEDIA may name another folder)."""
    media = Path(os.environ.get("MOTIONMUSIC_MEDIA") or MEDIA)
    if not media.is_dir():
        sys.exit(f"no test clips at {media}")
    return media


def model_path() -> Path:
    try:
        return pose_models.resolve()
    except MotionMusicError as exc:
        sys.exit(str(exc))


def p50_p95(values: list[float] | np.ndarray) -> str:
    arr = np.asarray(values, dtype=float)
    return f"{np.percentile(arr, 50):7.2f} {np.percentile(arr, 95):7.2f}"
