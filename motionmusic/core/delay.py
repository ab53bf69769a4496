"""How much later than the arm the client hears the sound, beyond the real-time pipeline.

Three things add up (each measured from outside by `benchmarks/effective_latency.py`):
- the smoothing filter: measured here, live, on the client's own movement (`FilterDelay`);
- the synth's linear ramp: it trails a glide by half its length;
- the frame hold: a value stands for a whole frame interval, half a frame behind on average
  (both cancelled where the pitch glides a frame ahead, `core/performer.Ahead`).

The terminal UI adds their sum to the pipeline's frame → sound figure, so its "latency" is what
the client hears, not only when the synth receives the controls.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from motionmusic.core.angles import ANGLE_NAMES, ANGLES, Angles
from motionmusic.core.filters import DEGREES_PER_UNIT
from motionmusic.core.performer import Ahead
from motionmusic.core.presets import Preset

MOVING_DEG_S = 20.0
"""Slower than this (degrees a second, or its wrist-height equal) is rest: lag is inaudible there
and the ratio below would be all noise."""
MEMORY_S = 5.0
"""The estimate follows the last few seconds of movement."""


class FilterDelay:
    """How far the smoothed angles trail the measured ones while the client moves, in seconds.

    Least squares over recent moving frames: (measured - smoothed) ≈ delay * velocity. A filter
    that lags by d seconds leaves exactly d * velocity behind on a steady move; the rest hold
    leaves nothing once a move has left its band, and its band at the start of a move.
    """

    def __init__(self, memory_s: float = MEMORY_S) -> None:
        self.memory_s = memory_s
        self._behind_speed = 0.0  # Σ w (measured - smoothed) * velocity
        self._speed2 = 0.0  # Σ w velocity²
        self._last: Angles | None = None

    @property
    def ms(self) -> float:
        """NaN until the client has moved."""
        return 1000 * self._behind_speed / self._speed2 if self._speed2 > 0 else math.nan

    def update(self, raw: Angles, smoothed: Angles, features: Sequence[int]) -> None:
        last, self._last = self._last, raw
        if last is None or raw.t_ns <= last.t_ns:
            return
        dt = (raw.t_ns - last.t_ns) / 1e9
        forget = math.exp(-dt / self.memory_s)
        self._behind_speed *= forget
        self._speed2 *= forget
        for i in features:
            scale = DEGREES_PER_UNIT[ANGLES[i].unit]
            velocity = scale * (raw.values[i] - last.values[i]) / dt
            behind = scale * (raw.values[i] - smoothed.values[i])
            if not abs(velocity) >= MOVING_DEG_S or math.isnan(behind):  # NaN is not moving
                continue
            self._behind_speed += behind * velocity
            self._speed2 += velocity * velocity


def pitch_features(preset: Preset) -> list[int]:
    """The angles that move the preset's pitches: where a late sound is heard as late."""
    return sorted({ANGLE_NAMES.index(v.pitch.feature) for v in preset.voices if v.pitch})


def heard_delay_ms(filter_ms: float, preset: Preset, fps: float) -> float:
    """Smoothing as the client hears it: the filter (0 until measured), then half a ramp and half
    a frame, unless the pitch glides a frame ahead (`Pitch.ahead`), which cancels both."""
    measured = 0.0 if math.isnan(filter_ms) else max(filter_ms, 0.0)
    if goes_ahead(preset) and 1.0 / max(fps, 1.0) <= Ahead.MAX_INTERVAL_S:
        return measured
    return measured + preset.synth.ramp_ms / 2 + 500.0 / max(fps, 1.0)


def goes_ahead(preset: Preset) -> bool:
    return any(v.pitch and v.pitch.mode == "glide" and v.pitch.ahead for v in preset.voices)
