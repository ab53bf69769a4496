"""Rest hold: a still body holds one value, a moving body is followed with no smoothing lag.

Why not a low-pass filter: any filter calm enough for a still hand (the pose model's depth
estimate wanders 1-2.5° on a still body) trails a real move by 40-200 ms, and a One Euro filter
fast enough for a theremin lets the wander through as an audible wobble and, near a note
boundary, as note flips (benchmarks/effective_latency.py, `tests/test_stillness.py`).

So the two cases are told apart instead of being traded off:
- **At rest** the output is the mean of the first second of stillness, then frozen: it cannot
  drift across a note boundary however long the client holds still.
- **A move** is a value further than `stillness` times the angle's own frame-to-frame jitter from
  the held value. From that frame on the output *is* the measured value (no lag at all) until
  the movement has been slower than the jitter for `settle` seconds; then it rests again.

Right after a move, the way back needs a third of the band for a second (see REVERSAL_BAND).

The jitter is learnt while resting, per angle (an exponential mean of |frame-to-frame change|),
so a clean image gets a narrow band and a noisy one (side-on, far away) a wide one. The band is
what a move must cross before the sound follows: 2.5-5° for the arm angles on the shared stills
(median), 0.05 shoulder widths of wrist height. Crossing it costs at most its width at the
start of a move; after that nothing.
"""

from __future__ import annotations

import math
from collections import deque

AVERAGE_FRAMES = 30
"""Frames of stillness averaged before the held value freezes (1 s at 30 fps)."""
LEARNING_RATE = 0.03
"""Per resting frame: the jitter estimate follows changes over about a second."""
REVERSAL_BAND = 1 / 3
REVERSAL_S = 1.0
"""For a second after a move has come to rest, a move back the way it came needs only a third of
the band: a reversal then is the gesture going on (a raise, then its lowering; a head turned to
one side and back), not a body settling, and a whole band at every turnaround made small slow
oscillations trail by 60-140 ms. Jitter after a stop is as likely either way, so the other side
keeps the whole band, and a body that comes to rest after a move flips no more notes than before
(benchmarks/README.md, "rest hold")."""


class RestHold:
    """One angle's stream through the rest hold (values in the angle's own unit)."""

    def __init__(self, stillness: float, jitter: float, settle_s: float) -> None:
        self.stillness = stillness
        self.jitter = jitter
        """Typical |frame-to-frame change| at rest; starts at the unit's prior, then learnt."""
        self.settle_s = settle_s
        self.moving = False
        self._held = math.nan
        self._count = 0
        self._recent: deque[float] = deque(maxlen=4)
        self._quiet_since: float | None = None
        self._direction = 0.0  # of the last move: +1 up, -1 down
        self._rested_at = -math.inf

    @property
    def band(self) -> float:
        """How far from the held value a move must go before the output follows it."""
        return self.stillness * self.jitter

    def __call__(self, value: float, t: float) -> float:
        recent = self._recent
        previous = recent[-1] if recent else math.nan
        recent.append(value)
        if math.isnan(self._held):
            self._rest(value)
            return value
        if not self.moving:
            if abs(value - self._held) <= self._band_toward(value, t):
                self._learn(abs(value - previous))
                self._average(value)
                return self._held
            self.moving, self._quiet_since = True, None
            return value
        return self._follow(value, t)

    def _band_toward(self, value: float, t: float) -> float:
        back = (value - self._held) * self._direction < 0
        return self.band * REVERSAL_BAND if back and t - self._rested_at < REVERSAL_S else self.band

    def _follow(self, value: float, t: float) -> float:
        recent = self._recent
        per_frame = abs(recent[-1] - recent[0]) / max(len(recent) - 1, 1)
        if per_frame >= self.jitter:
            self._quiet_since = None
            self._direction = math.copysign(1.0, recent[-1] - recent[0])
            return value
        if self._quiet_since is None:
            self._quiet_since = t
        if t - self._quiet_since < self.settle_s:
            return value
        self.moving, self._rested_at = False, t
        self._rest(sum(recent) / len(recent), len(recent))
        return self._held

    def _rest(self, value: float, count: int = 1) -> None:
        self._held, self._count = value, count

    def _average(self, value: float) -> None:
        if self._count < AVERAGE_FRAMES:
            self._count += 1
            self._held += (value - self._held) / self._count

    def _learn(self, change: float) -> None:
        if not math.isnan(change):
            self.jitter += LEARNING_RATE * (min(change, 3.0 * self.jitter) - self.jitter)

    def restart(self) -> None:
        """After a gap: hold afresh from the next value; the learnt jitter is kept (same body)."""
        self.moving, self._direction = False, 0.0
        self._held = math.nan
        self._recent.clear()
