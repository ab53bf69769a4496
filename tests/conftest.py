"""Shared fixtures. The real model and the real clips are required, never skipped.

`.ci/run` sets MOTIONMUSIC_MODEL and MOTIONMUSIC_MEDIA; on a developer machine either set them, or
install a model with `motionmusic model fetch`.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from motionmusic import models
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.filters import AngleFilter, OneEuroSettings
from motionmusic.tracker import Sample, Tracker

_MODEL: Path | None = None
try:
    _MODEL = models.resolve()
except MotionMusicError as exc:
    _MODEL_ERROR = str(exc)


@pytest.fixture(scope="session")
def model_path() -> Path:
    if _MODEL is None:
        pytest.fail(f"the real pose model is required: {_MODEL_ERROR}")
    return _MODEL


@pytest.fixture(scope="session")
def media_dir() -> Path:
    media = os.environ.get("MOTIONMUSIC_MEDIA")
    if not media or not Path(media).is_dir():
        pytest.fail("set MOTIONMUSIC_MEDIA to the folder of test clips (shared/media)")
    return Path(media)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own user directories."""
    home = tmp_path / "home"
    monkeypatch.setenv("MOTIONMUSIC_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def tracked(model_path: Path, media_dir: Path) -> Callable[[str], list[Sample]]:
    """Track a clip once per session with the real model, unfiltered, as fast as it decodes."""
    from motionmusic.adapters.pose_mediapipe import MediaPipePose
    from motionmusic.adapters.video_cv2 import VideoSource

    cache: dict[str, list[Sample]] = {}

    def run(clip: str) -> list[Sample]:
        if clip not in cache:
            source = VideoSource(media_dir / clip, realtime=False)
            with MediaPipePose(model_path) as estimator:
                tracker = Tracker(source, estimator, AngleFilter(OneEuroSettings(enabled=False)))
                cache[clip] = [without_pixels(s) for s in tracker.samples()]
            source.close()
        return cache[clip]

    return run


def without_pixels(sample: Sample) -> Sample:
    """Keep the session's memory small: 300 frames of 1080p pixels would be 750 MB."""
    return dataclasses.replace(sample, frame=dataclasses.replace(sample.frame, image=None))


def series(samples: list[Sample], name: str, raw: bool = True) -> np.ndarray:
    """One angle over a clip (NaN where not measured)."""
    return np.array([(s.raw if raw else s.angles)[name] for s in samples])


@pytest.fixture
def now_ns() -> Iterator[int]:
    yield time.monotonic_ns()
