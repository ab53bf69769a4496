"""Helpers shared by the benchmarks: where the media and model are, and percentile printing."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import numpy as np

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.filters import OFF, FeatureFilter
from motionmusic.core.protocols import Sample
from motionmusic.runtime.engine import track_all
from motionmusic.runtime.tracker import Tracker
from motionmusic.store import pose_models

MEDIA = Path(__file__).resolve().parents[1] / "tests" / "media"
README = Path(__file__).resolve().parent / "README.md"


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


def model_named(name: str) -> Path:
    """A bundle by name ("lite", "full"): installed here, or beside $MOTIONMUSIC_MODEL (where CI
    and this machine keep all three)."""
    env = os.environ.get("MOTIONMUSIC_MODEL")
    beside = Path(env).with_name(f"pose_landmarker_{name}.task") if env else None
    if beside is not None and beside.is_file():
        return beside
    try:
        return pose_models.by_name(name)
    except MotionMusicError as exc:
        sys.exit(str(exc))


def p50_p95(values: list[float] | np.ndarray) -> str:
    arr = np.asarray(values, dtype=float)
    return f"{np.percentile(arr, 50):7.2f} {np.percentile(arr, 95):7.2f}"


def without_pixels(sample: Sample) -> Sample:
    """Keep a clip's samples small: a 1080p frame is 6 MB."""
    return dataclasses.replace(sample, frame=dataclasses.replace(sample.frame, image=None))


def unsmoothed(clip: str) -> tuple[list[Sample], float]:
    """Every frame of a clip through the engine's loop with the real model and no smoothing
    (decoded flat out), and the clip's frame rate."""
    from motionmusic.adapters.pose_mediapipe import MediaPipePose
    from motionmusic.adapters.video_cv2 import VideoSource

    source = VideoSource(media_dir() / clip, realtime=False)
    with MediaPipePose(model_path()) as estimator:
        tracker = Tracker(source, estimator, FeatureFilter(OFF))
        samples = track_all(tracker, without_pixels)
    source.close()
    return samples, source.info.fps


def rewrite_readme(section: str, text: str) -> None:
    """Put `text` between the `<!-- section: begin -->` and `<!-- section: end -->` markers of
    benchmarks/README.md: each benchmark keeps its own table current."""
    begin, end = f"<!-- {section}: begin -->", f"<!-- {section}: end -->"
    old = README.read_text()
    start, stop = old.index(begin) + len(begin), old.index(end)
    README.write_text(old[:start] + "\n" + text + "\n" + old[stop:])


def publish(section: str, text: str) -> None:
    """Print a benchmark's table and, with `--write-readme`, keep it in benchmarks/README.md."""
    print(text)
    if "--write-readme" in sys.argv:
        rewrite_readme(section, text)
