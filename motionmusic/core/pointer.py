"""The head pointer: a point the head moves over large note zones on the client display, as in
AUMI and Clarion; dwelling on a zone, or a face gesture, sounds its note.

For a client who can turn their head a little and do nothing else with precision: the turn
(or the nose) moves the pointer, which does not need to be held still, only kept inside a zone
as wide as a hand on the screen. The pointer's gain is the client's calibrated range of the
feature (`core.profile`), so a few degrees cross the screen; the zone count and their size are
the client's own (`Look`). A pointer a little past a border stays in its zone until it is
`margin` of a zone inside the next: no flicker between two zones when the head rests on the
line between them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import Field

from motionmusic.core.features import Features
from motionmusic.core.gestures import GestureState
from motionmusic.core.scales import ScaleName, note_to_midi, scale_notes
from motionmusic.core.schema import Control, Note, Strict
from motionmusic.core.shaping import shape


class Pointer(Strict):
    """`[pointer]`: the head moves a pointer over note zones on the client display."""

    voice: str
    """The voice that sounds the zone's note (a pad sounds while the pointer stays, a mallet is
    struck as it arrives)."""
    x: Control
    """The feature that moves the pointer across: the head's turn (`face_yaw`), or the nose."""
    y: Control | None = None
    """With two rows: the feature that moves it up and down (the nod, `face_pitch`)."""
    zones: int = Field(4, ge=2, le=8)
    """Zones in a row (a client's profile may ask for fewer, larger ones)."""
    rows: int = Field(1, ge=1, le=2)
    scale: ScaleName = "major_pentatonic"
    root: Note = "C4"
    """The first zone's note; the others climb the scale, left to right, bottom row first."""
    dwell_ms: int = Field(800, ge=200, le=5000)
    """How long the pointer stays in a zone before it sounds."""
    select: str | None = None
    """A gesture that sounds the zone under the pointer at once (no dwell): a blink, a smile."""
    margin: float = Field(0.15, ge=0.0, le=0.4)
    """How far into the next zone (a share of a zone) the pointer must go to change zone."""


@dataclass(frozen=True, slots=True)
class PointerState:
    x: float  # 0 left .. 1 right on the (mirror) screen; NaN: not measured
    y: float  # 0 bottom .. 1 top
    zone: int | None  # row * zones + column of the zone under the pointer
    progress: float  # 0..1 of the dwell done in this zone
    sounding: int | None  # the zone sounding now
    struck: bool  # it started sounding in this frame
    zones: int
    rows: int
    notes: tuple[int, ...]  # MIDI note of each zone


class PointerPlayer:
    def __init__(self, pointer: Pointer, zones: int | None = None) -> None:
        self.pointer = pointer
        self.zones = zones or pointer.zones
        count = self.zones * pointer.rows
        notes = scale_notes(pointer.scale, note_to_midi(pointer.root), 4)
        self.notes = tuple(round(n) for n in notes[:count])
        self._column: int | None = None
        self._row = 0
        self._zone: int | None = None
        self._since = 0.0
        self._sounding: int | None = None

    def _axis(self, control: Control | None, features: Features) -> float:
        if control is None:
            return 0.5
        value = features[control.feature]
        p = shape(value, *control.input, control.curve, control.invert, control.dead_zone)
        return p if math.isnan(p) else min(max(p, 0.0), 1.0)

    def _cell(self, position: float, current: int | None, count: int) -> int:
        """The zone along one axis, kept while within `margin` of its borders."""
        if current is not None:
            low = (current - self.pointer.margin) / count
            high = (current + 1 + self.pointer.margin) / count
            if low <= position <= high:
                return current
        return min(int(position * count), count - 1)

    def __call__(
        self, t: float, features: Features, gates: dict[str, GestureState]
    ) -> PointerState:
        x, y = self._axis(self.pointer.x, features), self._axis(self.pointer.y, features)
        if math.isnan(x) or math.isnan(y):
            self._column = self._zone = self._sounding = None
            return self._state(x, y, 0.0, False)
        self._column = self._cell(x, self._column, self.zones)
        self._row = self._cell(y, self._row, self.pointer.rows)
        zone = self._row * self.zones + self._column
        if zone != self._zone:
            self._zone, self._since, self._sounding = zone, t, None
        progress = min((t - self._since + 1e-6) / (self.pointer.dwell_ms / 1000), 1.0)
        select = gates.get(self.pointer.select or "")
        due = select.pressed if select is not None else progress >= 1.0
        struck = (due and self._sounding != zone) or (select is not None and select.pressed)
        if struck:
            self._sounding = zone
        return self._state(x, y, progress, struck)

    def _state(self, x: float, y: float, progress: float, struck: bool) -> PointerState:
        return PointerState(
            x, y, self._zone, progress, self._sounding, struck, self.zones, self.pointer.rows,
            self.notes,
        )  # fmt: skip

    def gate(self, state: PointerState) -> GestureState:
        """The pointer as its voice's gate: on while a zone sounds, pressed as it starts."""
        on = state.sounding is not None
        return GestureState("pointer", state.x, 0.5, on, state.struck, state.progress, 0, 0, 0.0)

    def note(self, state: PointerState) -> int | None:
        return None if state.sounding is None else self.notes[state.sounding]
