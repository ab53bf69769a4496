"""The guided calibration on a terminal: prompts and countdown around the core `Calibrator`.

The calibrator decides what happens; this module only words it. The terminal UI will word the same
`Progress` its own way.
"""

from __future__ import annotations

import math
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.text import Text

from motionmusic.core.calibration import Calibrator, Progress
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.filters import AngleFilter, OneEuroSettings
from motionmusic.core.profile import Range
from motionmusic.logs import native_logs_to_file
from motionmusic.sources import open_source
from motionmusic.tracker import Tracker

PROMPTS = {
    "rest": "REST: relax into the starting position ({angle})",
    "reach": "REACH: move as far as is comfortable ({angle}) and hold it there",
}


def prompt(progress: Progress) -> Text:
    angle = progress.feature.replace("_", " ")
    text = Text(PROMPTS[progress.phase].format(angle=angle) + "\n", style="bold")
    if progress.retry:
        text.append(f"again: {progress.retry}\n", style="yellow")
    value = "not seen" if math.isnan(progress.value) else f"{progress.value:6.1f}"
    if progress.stage == "get_ready":
        text.append(f"get ready… {progress.remaining_s:3.0f} s   now: {value}")
    else:
        text.append(
            f"hold… {progress.remaining_s:4.1f} s   now: {value}   seen {progress.seen:.0%}"
        )
    return text


def _camera_or_fail() -> str:
    from motionmusic.adapters.camera_cv2 import list_cameras

    cameras = list_cameras()
    if not cameras:
        raise MotionMusicError("no camera found: give --source (a camera, video file or trace)")
    return str(cameras[0].index)


def run_calibration(
    spec: str | None,
    features: list[str],
    prepare_s: float,
    hold_s: float,
    model: Path | None,
    console: Console,
) -> dict[str, Range]:
    """Run the guided steps on a live (or paced file) source; returns the ranges measured.

    Ctrl-C, or a source that ends early, saves nothing.
    """
    calibrator = Calibrator(features, prepare_s, hold_s)
    with native_logs_to_file(), ExitStack() as stack:
        source, estimator = open_source(spec or _camera_or_fail(), stack, True, model)
        raw = AngleFilter(OneEuroSettings(enabled=False))  # medians need no smoothing
        tracker = Tracker(source, estimator, raw)
        try:
            with Live(console=console, auto_refresh=False, transient=True) as live:
                for sample in tracker.samples():
                    progress = calibrator.update(sample.raw)
                    if calibrator.done:
                        break
                    live.update(prompt(progress), refresh=True)
        except KeyboardInterrupt:
            raise MotionMusicError("calibration cancelled: the profile is unchanged") from None
    if not calibrator.done:
        raise MotionMusicError(
            "the source ended before calibration finished: the profile is unchanged"
        )
    return calibrator.results
