"""From one movement feature to one sound parameter: shaping, scale snapping, note triggers.

`shape` turns a raw feature (degrees, shoulder widths) into a position 0..1 through the input range,
dead zone, invert and curve. `Quantiser` snaps a continuous pitch to a scale with hysteresis, so a
body held still never flips between two notes while a deliberate move changes note at once.
`TriggerDetector` turns a threshold crossing or a quick move into a note with a velocity.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt

Curve = Literal["linear", "exponential", "s_curve"]


def shape(
    value: float,
    low: float,
    high: float,
    curve: Curve = "linear",
    invert: bool = False,
    dead_zone: float = 0.0,
) -> float:
    """Position 0..1 of `value` in [low, high] (NaN stays NaN: not measured is not zero).

    `dead_zone` is the fraction of the range at its start (the rest end) that plays as 0, so small
    unintended movements near rest stay silent. Exponential gives fine control low in the range,
    the S-curve fine control at both ends.
    """
    if math.isnan(value):
        return math.nan
    t = (value - low) / (high - low) if high != low else 0.0
    t = min(max(t, 0.0), 1.0)
    if invert:
        t = 1.0 - t
    if dead_zone > 0.0:
        t = max(0.0, (t - dead_zone) / (1.0 - dead_zone))
    if curve == "exponential":
        return t * t
    if curve == "s_curve":
        return t * t * (3.0 - 2.0 * t)
    return t


class Quantiser:
    """Snaps a continuous MIDI pitch to the nearest scale note, with hysteresis.

    The current note is kept until the pitch passes the midpoint to a neighbour by `hysteresis` of
    the gap between them; then the note changes on that very frame, however far it has to jump.
    """

    def __init__(self, notes: npt.NDArray[np.float64], hysteresis: float = 0.25) -> None:
        self.notes = notes
        self.hysteresis = hysteresis
        self.index: int | None = None

    def __call__(self, midi: float) -> float:
        notes, h = self.notes, self.hysteresis
        if self.index is None:
            self.index = int(np.argmin(np.abs(notes - midi)))
            return float(notes[self.index])
        k = self.index
        while k + 1 < len(notes) and midi > notes[k] + (0.5 + h) * (notes[k + 1] - notes[k]):
            k += 1
        while k > 0 and midi < notes[k] - (0.5 + h) * (notes[k] - notes[k - 1]):
            k -= 1
        self.index = k
        return float(notes[k])

    def reset(self) -> None:
        self.index = None


class Backlash:
    """Continuous-pitch hysteresis: the output moves only when the input leaves a band around it.

    A hand held still wobbles by a few tenths of a degree; as pitch that is an audible vibrato of
    several cents. Inside `width` the output holds still; a real move drags it along, at most
    `width` behind, which is inaudible while gliding.
    """

    def __init__(self, width: float) -> None:
        self.width = width
        self.value: float | None = None

    def __call__(self, x: float) -> float:
        if self.value is None or x > self.value + self.width:
            self.value = x if self.value is None else x - self.width
        elif x < self.value - self.width:
            self.value = x + self.width
        return self.value


class TriggerDetector:
    """Fires when a position (0..1) crosses `threshold` upwards or moves faster than `speed`.

    Velocity grows with the movement's speed (positions per second); `min_interval` seconds must pass
    between notes, so a tremor cannot machine-gun them.
    """

    def __init__(self, threshold: float | None, speed: float | None, min_interval: float) -> None:
        self.threshold, self.speed, self.min_interval = threshold, speed, min_interval
        self._last: tuple[float, float] | None = None  # (t, position)
        self._fired_at = -math.inf

    def __call__(self, t: float, position: float) -> float:
        """Velocity 0..1 of the note to play now, or 0.0 for none."""
        if math.isnan(position):
            self._last = None
            return 0.0
        previous, self._last = self._last, (t, position)
        if previous is None or t - self._fired_at < self.min_interval:
            return 0.0
        dt = max(t - previous[0], 1e-3)
        rate = (position - previous[1]) / dt
        crossed = self.threshold is not None and previous[1] < self.threshold <= position
        quick = self.speed is not None and rate >= self.speed
        if not (crossed or quick):
            return 0.0
        self._fired_at = t
        return velocity(rate)


def velocity(rate: float) -> float:
    """Note velocity 0.3..1 from speed (positions a second): a slow reach still sounds clearly, a
    quicker one louder; it approaches 1 smoothly (a full-range reach in 1/3 s gives ~0.96)."""
    return 0.3 + 0.7 * (1.0 - math.exp(-abs(rate) / 3.0))
