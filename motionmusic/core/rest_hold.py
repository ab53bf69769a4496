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

Poor tracking is not a move. An angle missing for a few frames while the body is tracked keeps
its held value (`BRIDGE_S`). One that comes back from such a dropout somewhere else is held as a
*suspect*: if the next frames go on away from rest, it was a move after all (heard one frame
late); if they come back, it was a glitch (a forearm hidden, then found again 10-15° off, the
tracker closing in on it again over a few frames) and nothing was played; if they stay where
they came back to for `SUSPECT_S`, the body is there now, and it rests there. A departure from a
rest that is well learnt is followed at once, as a move; one that in its first `GLITCH_S` goes
past the band and comes back well inside it was a twitch of the tracking, and for `WARY_S` after
it every departure is held as a suspect first, as it is where the jitter is half-way to unsteady
(a small or dim figure, its 3-D angles wandering by 10° for a third of a second) and until a
first second of rest has been learnt. An angle often in doubt (back from dropouts elsewhere,
glitches), or that jitters far more than a body does, is *unsteady*: it holds (a suspect is
judged only once it is steady again, or comes back), and the screen says so.

The jitter is learnt while resting, per angle (an exponential mean of |frame-to-frame change|),
and while moving from the frames where the angle zigzags (a body moves on; jitter goes back and
forth), so a clean image gets a narrow band and a noisy one (side-on, far away) a wide one, and a
move of a noisier body than the prior expects comes to rest. The band is
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
BRIDGE_S = 0.5
"""An angle not measured for up to this long keeps its held value (the voice holds); longer, and
it starts afresh when it comes back."""
SUSPECT_S = 0.5
"""A suspect that neither goes on nor comes back within this long is where the body is now."""
GLITCH_S = 0.4
"""A departure followed as a move that comes back to where it left within this long was a
glitch."""
WARY_S = 5.0
"""After a glitch, departures are held as suspects for this long."""
UNSTEADY_DOUBTS = 3
UNSTEADY_S = 5.0
"""This many doubts (back from a dropout elsewhere, a glitch, a body found somewhere it did not
move to) within this long make an angle unsteady."""


class RestHold:
    """One angle's stream through the rest hold (values in the angle's own unit)."""

    def __init__(
        self,
        stillness: float,
        jitter: float,
        settle_s: float,
        unsteady_band: float = math.inf,
    ) -> None:
        self.stillness = stillness
        self.jitter = jitter
        """Typical |frame-to-frame change| at rest; starts at the unit's prior, then learnt."""
        self.settle_s = settle_s
        self.unsteady_band = unsteady_band
        """A band wider than this means tracking too poor to play steadily."""
        self.moving = False
        self._held = math.nan
        self._count = 0
        self._recent: deque[float] = deque(maxlen=4)
        self._quiet_since: float | None = None
        self._direction = 0.0  # of the last move: +1 up, -1 down
        self._rested_at = -math.inf
        self._missing_since: float | None = None
        self._suspect: tuple[float, float] | None = None  # (since, value): held, to be judged
        self._left_at = -math.inf  # when the move now followed left the rest ...
        self._went_out = False  # ... and whether it has been past the whole band since
        self._wary_until = -math.inf
        self._learnt = False  # a first rest has been averaged: the jitter is this body's
        self._doubts: deque[float] = deque(maxlen=UNSTEADY_DOUBTS)  # suspects and glitches

    @property
    def band(self) -> float:
        """How far from the held value a move must go before the output follows it."""
        return self.stillness * self.jitter

    def unsteady(self, t: float) -> bool:
        """Too poor to play steadily: the band is wider than a body's jitter would make it, or
        the angle was in doubt `UNSTEADY_DOUBTS` times within `UNSTEADY_S`."""
        doubtful = len(self._doubts) == UNSTEADY_DOUBTS and t - self._doubts[0] <= UNSTEADY_S
        return doubtful or self.band > self.unsteady_band

    def __call__(self, value: float, t: float, heard: bool = True) -> float:
        """The value to play for `value` measured at `t` (NaN: not measured). Not `heard`: the
        whole body is out of view, so nothing is played, but a short gap is still bridged (the
        body back where it was is no new note)."""
        if math.isnan(value):
            held = self._missing(t)
            return held if heard else math.nan
        returning, self._missing_since = self._missing_since is not None, None
        recent = self._recent
        previous = recent[-1] if recent else math.nan
        recent.append(value)
        if math.isnan(self._held):
            self._rest(value)
            return value
        if self.moving:
            return self._follow(value, t)
        away = abs(value - self._held) > self._band_toward(value, t)
        if self._suspect is not None:
            if returning and away:  # back from a dropout: judged from here, afresh
                self._suspect = (t, value)
                self._doubts.append(t)
                return self._held
            return self._judge(value, t, away)
        if not away:
            if not returning:
                self._learn(abs(value - previous))
            self._average(value)
            return self._held
        if returning or self._wary(t) or self.unsteady(t):
            self._suspect = (t, value)  # held until the next frames tell
            if returning:
                self._doubts.append(t)  # back from a dropout elsewhere
            return self._held
        self.moving, self._quiet_since = True, None
        self._left_at, self._went_out = t, False
        return value

    def _missing(self, t: float) -> float:
        """Not measured this frame: the held value for a short dropout, then nothing (and the
        hold starts afresh when the angle comes back)."""
        if self._missing_since is None:
            self._missing_since = t
        if t - self._missing_since <= BRIDGE_S and not math.isnan(self._held) and not self.moving:
            return self._held
        self.restart()
        return math.nan

    def _judge(self, value: float, t: float, away: bool) -> float:
        """A suspect departure, a frame or more on: gone on (a move), come back (a glitch),
        or stayed (the body is there now)?"""
        assert self._suspect is not None
        since, left = self._suspect
        if not away:
            self._suspect = None
            self._glitched(t)
            return self._held
        if self.unsteady(t):
            return self._held  # too poor to tell a move from a glitch: hold
        further = abs(value - self._held) > abs(left - self._held) + self.jitter
        if further and (value - self._held) * (left - self._held) > 0:
            self._suspect, self.moving, self._quiet_since = None, True, None
            self._left_at, self._went_out = since, False
            return value
        if t - since >= SUSPECT_S:
            self._suspect, self._rested_at = None, t
            self._doubts.append(t)  # a body that got somewhere without moving there
            self._rest(value)
        return self._held

    def _band_toward(self, value: float, t: float) -> float:
        back = (value - self._held) * self._direction < 0
        return self.band * REVERSAL_BAND if back and t - self._rested_at < REVERSAL_S else self.band

    def _twitch(self, value: float, t: float) -> bool:
        """Was the move now followed a twitch of the tracking: in its first `GLITCH_S` it went
        past the whole band and came back inside half of it?"""
        if t - self._left_at > GLITCH_S:
            return False
        off = abs(value - self._held)
        self._went_out = self._went_out or off > self.band
        return self._went_out and off <= self.band / 2

    def _wary(self, t: float) -> bool:
        """Hold departures from rest as suspects: a glitch was seen lately, the jitter is
        half-way to unsteady (a small or dim figure), or its first rest is still being learnt
        (its jitter is the unit's prior, not the body's)."""
        return not self._learnt or t < self._wary_until or self.band > self.unsteady_band / 2

    def _glitched(self, t: float) -> None:
        self._doubts.append(t)
        self._wary_until = t + WARY_S

    def _follow(self, value: float, t: float) -> float:
        if self._twitch(value, t):
            self.moving, self._left_at = False, -math.inf
            self._glitched(t)
            return self._held
        recent = self._recent
        if len(recent) >= 3 and (recent[-1] - recent[-2]) * (recent[-2] - recent[-3]) < 0:
            self._learn(abs(recent[-1] - recent[-2]))  # a zigzag is jitter: a body moves on
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
        self._learnt = self._learnt or self._count >= AVERAGE_FRAMES

    def _learn(self, change: float) -> None:
        if not math.isnan(change):
            self.jitter += LEARNING_RATE * (min(change, 3.0 * self.jitter) - self.jitter)

    def restart(self) -> None:
        """After a gap: hold afresh from the next value; the learnt jitter is kept (same body)."""
        self.moving, self._direction = False, 0.0
        self._held = math.nan
        self._recent.clear()
        self._missing_since, self._suspect = None, None
