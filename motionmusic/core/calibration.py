"""Calibration: measure a client's rest and comfortable reach for each chosen angle.

For every angle two phases run in turn, "rest" then "reach". Each phase has a get-ready period
(the client moves into position; nothing is taken) and a hold (values taken). The result of a
phase is the median of the hold's confident frames, so a wobble, a blink of lost tracking or the
tail of the movement into position does not move it. A hold in which the angle was seen in too
few frames is repeated, as is a reach that did not move away from rest.

The `Calibrator` is driven by frames (their timestamps are its clock) and only reports progress;
whoever drives it (the command line, the terminal UI) words the prompts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

import numpy as np

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import FEATURE_INDEX, SPECS, UNITS, Features
from motionmusic.core.profile import Range

Phase = Literal["rest", "reach"]
Stage = Literal["get_ready", "hold", "done"]


@dataclass(frozen=True, slots=True)
class Progress:
    """Where calibration stands after a frame: enough to show a prompt and a countdown."""

    feature: str
    phase: Phase
    stage: Stage
    remaining_s: float  # left in this stage
    value: float  # the angle now (NaN: not seen)
    seen: float  # fraction of this hold's frames with a confident value
    retry: str | None = None  # why the phase just started over, if it did


class Calibrator:
    def __init__(
        self,
        features: Sequence[str],
        prepare_s: float = 3.0,
        hold_s: float = 3.0,
        min_confidence: float = 0.5,
        min_seen: float = 0.6,
    ) -> None:
        unknown = [f for f in features if f not in FEATURE_INDEX]
        if unknown or not features:
            raise MotionMusicError(f"cannot calibrate {unknown or 'nothing'}: unknown angle")
        self.features = list(features)
        self.prepare_s, self.hold_s = prepare_s, hold_s
        self.min_confidence, self.min_seen = min_confidence, min_seen
        self.results: dict[str, Range] = {}
        self._rest: float | None = None
        self._plan: list[tuple[str, Phase]] = [(f, p) for f in features for p in ("rest", "reach")]
        self._start_ns: int | None = None
        self._taken: list[float] = []
        self._frames = 0
        self._retry: str | None = None

    @property
    def done(self) -> bool:
        return not self._plan

    def update(self, angles: Features) -> Progress:
        """Feed one frame; returns what the client should be doing now."""
        if self.done:
            last = self.features[-1]
            return Progress(last, "reach", "done", 0.0, math.nan, 1.0)
        feature, phase = self._plan[0]
        i = FEATURE_INDEX[feature]
        value = float(angles.values[i])
        confident = not math.isnan(value) and angles.confidence[i] >= self.min_confidence
        if self._start_ns is None:
            self._start_ns = angles.t_ns
        elapsed = (angles.t_ns - self._start_ns) / 1e9
        retry, self._retry = self._retry, None
        if elapsed < self.prepare_s:
            left = self.prepare_s - elapsed
            return Progress(feature, phase, "get_ready", left, value, 0.0, retry)
        self._frames += 1
        if confident:
            self._taken.append(value)
        seen = len(self._taken) / self._frames
        left = self.prepare_s + self.hold_s - elapsed
        if left > 0:
            return Progress(feature, phase, "hold", left, value, seen)
        return self._finish(feature, phase, value, seen)

    def _finish(self, feature: str, phase: Phase, value: float, seen: float) -> Progress:
        taken, self._taken, self._frames, self._start_ns = self._taken, [], 0, None
        if seen < self.min_seen:
            self._retry = f"{feature} was seen in only {seen:.0%} of the hold"
            return Progress(feature, phase, "get_ready", self.prepare_s, value, seen, self._retry)
        median = float(np.median(taken))
        if phase == "rest":
            self._rest = median
        else:
            assert self._rest is not None
            if abs(median - self._rest) < UNITS[SPECS[feature].unit].least:  # no movement
                self._retry = f"{feature} barely moved from rest ({median - self._rest:+.1f})"
                return Progress(
                    feature, phase, "get_ready", self.prepare_s, value, seen, self._retry
                )
            now = datetime.now(timezone.utc).replace(microsecond=0)
            self.results[feature] = Range(rest=self._rest, reach=median, calibrated=now)
        self._plan.pop(0)
        return Progress(feature, phase, "done", 0.0, value, seen)


PROMPTS = {
    "rest": "REST: relax into the starting position ({angle})",
    "reach": "REACH: move as far as is comfortable ({angle}) and hold it there",
}


def prompt_lines(progress: Progress) -> tuple[str, str | None, str]:
    """The words of a calibration step, the same on the command line and in the terminal UI:
    (what to do, why it is repeated or None, the countdown with the angle now)."""
    angle = progress.feature.replace("_", " ")
    retry = f"again: {progress.retry}" if progress.retry else None
    value = "not seen" if math.isnan(progress.value) else f"{progress.value:6.1f}"
    if progress.stage == "get_ready":
        countdown = f"get ready… {progress.remaining_s:3.0f} s   now: {value}"
    else:
        countdown = f"hold… {progress.remaining_s:4.1f} s   now: {value}   seen {progress.seen:.0%}"
    return PROMPTS[progress.phase].format(angle=angle), retry, countdown
