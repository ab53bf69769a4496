"""The guided calibration on a terminal: prompts and countdown around the core `Calibrator`.

The calibrator decides what happens; this module only words it. The terminal UI will word the same
`Progress` its own way.
"""

from __future__ import annotations

from contextlib import ExitStack

from rich.console import Console
from rich.live import Live
from rich.text import Text

from motionmusic.core.calibration import Calibrator, Progress, prompt_lines
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import sources_of
from motionmusic.core.filters import OFF, FeatureFilter
from motionmusic.core.people import Who
from motionmusic.core.profile import Range
from motionmusic.native_output import native_logs_to_file
from motionmusic.runtime.commands import Calibrate
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.sources import default_source, open_parts, open_source
from motionmusic.runtime.state import EngineState
from motionmusic.runtime.tracker import Tracker


def prompt(progress: Progress) -> Text:
    heading, retry, countdown = prompt_lines(progress)
    text = Text(heading + "\n", style="bold")
    if retry:
        text.append(retry + "\n", style="yellow")
    return text.append(countdown)


def _camera_or_fail() -> str:
    chosen = default_source()
    if chosen.demo:  # a recording has no range of its own to calibrate
        raise MotionMusicError("no camera found: give --source (a camera, video file or trace)")
    return chosen.spec


def run_calibration(
    spec: str | None,
    features: list[str],
    prepare_s: float,
    hold_s: float,
    model: str | None,
    console: Console,
    who: Who | None = None,
) -> dict[str, Range]:
    """Run the guided steps on a live (or paced file) source; returns the ranges measured.

    Ctrl-C, or a source that ends early, saves nothing.
    """
    calibrator = Calibrator(features, prepare_s, hold_s)
    with native_logs_to_file(), ExitStack() as stack:
        source, estimator = open_source(spec or _camera_or_fail(), stack, True, model)
        needs = sources_of(features)  # a face or hand feature: its model runs too
        parts = open_parts(source, stack, needs)
        raw = FeatureFilter(OFF)  # medians need no smoothing
        with Live(console=console, auto_refresh=False, transient=True) as live:
            engine: Engine

            def show(state: EngineState) -> None:
                if state.calibrated is not None:
                    engine.stop()
                elif state.calibration is not None:
                    live.update(prompt(state.calibration), refresh=True)

            engine = Engine(
                Tracker(source, estimator, raw, who, parts=parts, needs=needs),
                on_state=show,
                on_notice=live.console.print,  # the client out of view, back
                state_hz=20.0,
            )
            engine.submit(Calibrate(calibrator))
            engine.run()
    if engine.error is not None:
        raise engine.error
    if engine.calibrated is not None:
        return engine.calibrated
    if engine.status == "stopped":
        raise MotionMusicError("calibration cancelled: the profile is unchanged")
    raise MotionMusicError("the source ended before calibration finished: the profile is unchanged")
