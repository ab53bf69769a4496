"""Gestures: a feature held past a threshold becomes a switch, as an accessibility switch is.

A client who can only blink, smile or open the mouth plays by switching: a note struck, a drone
toggled, the next chord. Natural movement must never switch anything, so a gesture counts only
when it is *held* (`hold_ms`: a natural blink lasts 0.1-0.3 s, a deliberate one is held), and
not again within `refractory_ms` (a spasm or a tremor presses twice). It lets go only when the
feature falls `release` below the threshold, so a value hovering at the threshold does not
chatter. Its mode says what a press does, as on Skoog's and Soundbeam's switches:

- momentary: on while held;
- latch: each press toggles it on or off;
- retrigger: a press, and another every `refractory_ms` while it is held.

Every crossing of the threshold is also counted (`crossings`), held or not: the session log and
the summary see each blink, while only a deliberate one plays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from motionmusic.core.schema import Control
from motionmusic.core.shaping import shape

GESTURE_ACTIONS = ("play", "next_chord", "mute", "next_preset", "record", "safe_stop")
"""play: the voices that name the gesture as their `gate` sound while it is on, struck as it
comes on; next_chord: the next chord of the preset's `progression`; the rest do what the
switch input's and the keys' actions of the same name do."""


class Gesture(Control):
    """A feature held past a threshold, as a switch (`core/gestures.py`): a blink, a smile, an
    open mouth, a pinch."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,29}$", examples=["blink", "mouth"])
    """What voices' `gate` and the screens call it."""
    input: tuple[float, float] = (0.0, 1.0)
    """Feature values giving position 0 and 1 (a score's whole range by default); the client's
    calibrated rest and reach replace it, so a face that moves little switches all the same."""
    threshold: float = Field(0.5, ge=0.05, le=0.95)
    """The position (0..1 of the range) the feature must pass to press."""
    release: float = Field(0.15, ge=0.0, le=0.5)
    """How far back below the threshold it must fall to let go: no chatter at the threshold."""
    hold_ms: int = Field(150, ge=0, le=3000)
    """How long it must stay past the threshold before it presses: natural blinks last
    100-300 ms, so a blink switch wants 400 or more."""
    refractory_ms: int = Field(300, ge=0, le=10000)
    """After a press, no other for this long (retrigger: the repeat interval while held)."""
    mode: Literal["momentary", "latch", "retrigger"] = "momentary"
    action: Literal[GESTURE_ACTIONS] = "play"  # type: ignore[valid-type]


@dataclass(frozen=True, slots=True)
class GestureState:
    """One gesture after one frame."""

    name: str
    level: float  # the feature's position in the gesture's range, 0..1 (NaN: not measured)
    threshold: float  # the position it must pass to press
    on: bool  # what it switches is on (momentary: held; latch: toggled on)
    pressed: bool  # it was pressed in this frame (retrigger: also each repeat)
    progress: float  # 0..1 of the hold time done while held, 0 when let go
    presses: int  # since the start
    crossings: int  # times the threshold was crossed, held long enough or not
    held_s: float  # time spent pressed, since the start


class GestureDetector:
    def __init__(self, gesture: Gesture) -> None:
        self.gesture = gesture
        self._hold_s = gesture.hold_ms / 1000
        self._refractory_s = gesture.refractory_ms / 1000
        self._since: float | None = None  # when the threshold was crossed, while past it
        self._pressed = False  # held long enough, not yet let go
        self._last_press = -math.inf
        self._latched = False
        self._last_t: float | None = None
        self.presses = self.crossings = 0
        self.held_s = 0.0

    def position(self, value: float) -> float:
        g = self.gesture
        return shape(value, *g.input, g.curve, g.invert, g.dead_zone)

    def __call__(self, t: float, value: float) -> GestureState:
        """The state after a frame at `t` seconds in which the feature measured `value` (NaN:
        not measured, which lets go)."""
        p = self.position(value)
        g = self.gesture
        if self._pressed and self._last_t is not None:
            self.held_s += t - self._last_t
        self._last_t = t
        past = not math.isnan(p) and (
            p >= g.threshold or (self._since is not None and p > g.threshold - g.release)
        )
        if not past:
            self._since, self._pressed = None, False
            return self._state(p, False, 0.0)
        if self._since is None:
            self._since = t
            self.crossings += 1
        held = t - self._since + 1e-6  # frame times are rounded to the nanosecond
        progress = 1.0 if self._hold_s <= 0 else min(held / self._hold_s, 1.0)
        return self._state(p, self._press(t, progress), progress)

    def _press(self, t: float, progress: float) -> bool:
        if progress < 1.0 or t - self._last_press < self._refractory_s:
            return False
        if self._pressed and self.gesture.mode != "retrigger":
            return False
        self._pressed, self._last_press = True, t
        self.presses += 1
        if self.gesture.mode == "latch":
            self._latched = not self._latched
        return True

    def _state(self, level: float, pressed: bool, progress: float) -> GestureState:
        g = self.gesture
        on = self._latched if g.mode == "latch" else self._pressed
        return GestureState(
            g.name, level, g.threshold, on, pressed, progress, self.presses, self.crossings,
            self.held_s,
        )  # fmt: skip
