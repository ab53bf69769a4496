"""Scales, note names and pitch: the musical vocabulary of presets.

A tiny tested table instead of a music library: note names ("C4", "F#3", "Bb2") ↔ MIDI numbers
(C4 = 60, A4 = 69 = 440 Hz), and the scales a therapist can choose, as semitone steps from the root.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import numpy as np
import numpy.typing as npt

ScaleName = Literal[
    "major_pentatonic",
    "minor_pentatonic",
    "major",
    "natural_minor",
    "dorian",
    "blues",
    "whole_tone",
    "chromatic",
]

SCALES: dict[str, tuple[int, ...]] = {
    "major_pentatonic": (0, 2, 4, 7, 9),
    "minor_pentatonic": (0, 3, 5, 7, 10),
    "major": (0, 2, 4, 5, 7, 9, 11),
    "natural_minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "blues": (0, 3, 5, 6, 7, 10),
    "whole_tone": (0, 2, 4, 6, 8, 10),
    "chromatic": tuple(range(12)),
}

_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NOTE = re.compile(r"^([A-Ga-g])([#b]?)(-?\d)$")
NOTE_PATTERN = r"^[A-Ga-g][#b]?-?\d$"
"""A note name: letter, optional sharp (#) or flat (b), octave (C4 is middle C)."""


def note_to_midi(name: str) -> int:
    match = _NOTE.match(name)
    if not match:
        raise ValueError(f"not a note name: {name!r} (expected e.g. C4, F#3, Bb2)")
    letter, accidental, octave = match.groups()
    shift = {"#": 1, "b": -1, "": 0}[accidental]
    return 12 * (int(octave) + 1) + _STEPS[letter.upper()] + shift


def midi_to_name(midi: int) -> str:
    names = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
    return f"{names[midi % 12]}{midi // 12 - 1}"


def midi_to_hz(midi: float) -> float:
    return float(440.0 * 2.0 ** ((midi - 69.0) / 12.0))


def hz_to_midi(hz: float) -> float:
    return 69.0 + 12.0 * math.log2(hz / 440.0)


def scale_notes(scale: str, root: int, octaves: int) -> npt.NDArray[np.float64]:
    """Every MIDI note of `scale` from `root` up to and including root + 12·octaves."""
    steps = SCALES[scale]
    notes = [root + 12 * octave + step for octave in range(octaves) for step in steps]
    return np.array([*notes, root + 12 * octaves], dtype=np.float64)


def reward_notes(root: str, scale: str, sound: str) -> list[int]:
    """The notes a reward sound plays, in the key of `root` (a note name) and `scale`: "chord"
    the tonic triad an octave up, with its octave; "shimmer" the root and fifth two octaves up
    and the root three; the others ("bright", "none") no notes of their own."""
    tonic = note_to_midi(root) + 12
    steps = SCALES[scale]
    third = tonic + min(steps, key=lambda s: abs(s - 3.5))
    fifth = tonic + min(steps, key=lambda s: abs(s - 7))
    if sound == "chord":
        return [tonic, third, fifth, tonic + 12]
    if sound == "shimmer":
        return [tonic + 24, fifth + 24, tonic + 36]
    return []
