"""Mapping maths: shaping, scales, hysteresis, triggers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from motionmusic.core.features import FEATURE_NAMES, Features
from motionmusic.core.filters import OFF, FeatureFilter, Smoothing
from motionmusic.core.performer import Ahead, Performer
from motionmusic.core.presets import Preset
from motionmusic.core.scales import (
    SCALES,
    hz_to_midi,
    midi_to_hz,
    midi_to_name,
    note_to_midi,
    scale_notes,
)
from motionmusic.core.shaping import Quantiser, TriggerDetector, shape
from motionmusic.store.preset_library import find_preset


@pytest.mark.parametrize(
    ("name", "midi"),
    [("C4", 60), ("A4", 69), ("C-1", 0), ("F#3", 54), ("Bb2", 46), ("b3", 59), ("G9", 127)],
)
def test_note_names(name, midi):
    assert note_to_midi(name) == midi


def test_note_names_round_trip_and_pitch():
    assert all(note_to_midi(midi_to_name(m)) == m for m in range(128))
    assert midi_to_hz(69) == 440.0 and midi_to_hz(60) == pytest.approx(261.6256, abs=1e-3)
    assert hz_to_midi(midi_to_hz(61.3)) == pytest.approx(61.3)
    with pytest.raises(ValueError, match="not a note name"):
        note_to_midi("H2")


def test_scales_span_their_octaves():
    notes = scale_notes("major_pentatonic", 60, 2)
    assert notes.tolist() == [60, 62, 64, 67, 69, 72, 74, 76, 79, 81, 84]
    for name, steps in SCALES.items():
        assert steps[0] == 0 and all(0 < s < 12 for s in steps[1:]), name


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (45, {}, 0.5),
        (-10, {}, 0.0),
        (200, {}, 1.0),
        (45, {"invert": True}, 0.5),
        (0, {"invert": True}, 1.0),
        (45, {"curve": "exponential"}, 0.25),
        (22.5, {"curve": "s_curve"}, 0.15625),
        (9, {"dead_zone": 0.2}, 0.0),
        (54, {"dead_zone": 0.2}, 0.5),
    ],
)
def test_shape(value, kwargs, expected):
    assert shape(value, 0, 90, **kwargs) == pytest.approx(expected)


def test_not_measured_is_not_zero():
    assert math.isnan(shape(math.nan, 0, 90))


@given(st.floats(-500, 500), st.sampled_from(["linear", "exponential", "s_curve"]), st.booleans())
def test_shape_stays_in_unit_range_and_is_monotonic(value, curve, invert):
    a, b = shape(value, 10, 120, curve, invert), shape(value + 1, 10, 120, curve, invert)
    assert 0.0 <= a <= 1.0
    assert (b <= a) if invert else (b >= a)


NOTES = scale_notes("major_pentatonic", 60, 2)


def test_hysteresis_holds_a_note_against_jitter_at_the_boundary():
    """A still body sitting on the border between two notes, with jitter, plays one note."""
    border = (NOTES[3] + NOTES[4]) / 2  # between G4 and A4
    # 0.1 semitone ~ 0.6° of flexion in arm-raise-pentatonic: the filtered jitter measured at rest
    jitter = border + np.random.default_rng(3).normal(0, 0.1, 600)
    quantiser = Quantiser(NOTES, 0.25)
    played = [quantiser(x) for x in jitter]
    assert len(set(played)) == 1
    naive = Quantiser(NOTES, 0.0)
    assert len({naive(x) for x in jitter}) == 2  # without hysteresis it flips


def test_deliberate_move_changes_note_at_once_even_far():
    quantiser = Quantiser(NOTES, 0.25)
    assert quantiser(60.2) == 60
    assert quantiser(80.9) == 81  # two octaves' worth in one frame: no stepping delay
    assert quantiser(61.0) == 62 or quantiser(61.0) in (60, 62)
    assert quantiser(59.0) == 60


def test_trigger_on_threshold_crossing_with_speed_velocity():
    detector = TriggerDetector(threshold=0.5, speed=None, min_interval=0.1)
    fired = [detector(i / 30, p) for i, p in enumerate([0.2, 0.4, 0.6, 0.7, 0.4, 0.45, 0.9])]
    assert [v > 0 for v in fired] == [False, False, True, False, False, False, True]
    assert fired[6] > fired[2]  # the quicker reach (0.45 -> 0.9) is louder


def test_min_interval_stops_tremor_machine_gunning_notes():
    detector = TriggerDetector(threshold=0.5, speed=None, min_interval=0.3)
    tremor = [0.45 + 0.1 * (i % 2) for i in range(60)]  # 15 Hz oscillation across the threshold
    notes = sum(detector(i / 30, p) > 0 for i, p in enumerate(tremor))
    assert notes <= 2 / 0.3 + 1  # at most one per 0.3 s over 2 s


def test_speed_trigger_and_gap():
    detector = TriggerDetector(threshold=None, speed=2.0, min_interval=0.1)
    assert detector(0.0, 0.1) == 0.0
    assert detector(1 / 30, 0.2) > 0  # 3 positions a second
    assert detector(2 / 30, math.nan) == 0.0
    assert detector(3 / 30, 0.9) == 0.0  # no speed across a tracking gap


def _notes(preset: Preset, flexion: np.ndarray, smoothing: Smoothing) -> np.ndarray:
    """The note the first voice plays, frame by frame, for a right-shoulder-flexion stream."""
    column = FEATURE_NAMES.index("right_shoulder_flexion")
    smoother, performer = FeatureFilter(smoothing), Performer(preset)
    played = []
    for i, value in enumerate(flexion):
        values = np.full(len(FEATURE_NAMES), np.nan)
        values[column] = value
        angles = smoother(Features(int(i * 1e9 / 30), values, np.ones(len(FEATURE_NAMES))))
        played.append(performer.step(angles).voices[0].midi)
    return np.array(played)


def test_a_deliberate_raise_changes_note_on_the_frame_the_raw_angle_does():
    """From a second of noisy rest, a 60°/s raise through the whole ladder and back: each note
    changes within one frame of the raw angle crossing its boundary plus hysteresis (the first
    may wait for the move to leave the rest band), every later one on that very frame."""
    preset = find_preset("arm-raise-pentatonic")  # C4..C6 over 20..160°
    rest = 20 + np.random.default_rng(5).normal(0, 0.7, 30)
    up = np.arange(22.0, 160.0, 2.0)
    flexion = np.concatenate([rest, up, up[::-1], np.full(15, 20.0)])
    raw = _notes(preset, flexion, OFF)
    smoothed = _notes(preset, flexion, preset.smoothing)
    changes = np.flatnonzero(np.diff(raw)) + 1
    assert len(changes) >= 18  # nine steps up, nine down
    heard = np.flatnonzero(np.diff(smoothed)) + 1
    assert len(heard) == len(changes)
    assert 0 <= heard[0] - changes[0] <= 1
    np.testing.assert_array_equal(heard[1:], changes[1:])
    np.testing.assert_array_equal(smoothed[heard], raw[changes])


def test_a_glide_heads_one_frame_ahead_only_on_a_steady_move():
    ahead, frame = Ahead(), 1 / 30
    assert ahead(0.0, 60.0) == (60.0, 0.0)  # first frame: nowhere to go yet
    assert ahead(frame, 60.0) == (60.0, 0.0)  # still: no lead, the preset's ramp
    assert ahead(2 * frame, 60.5) == (60.5, 0.0)  # a move starts: no lead on one step
    assert ahead(3 * frame, 61.0) == pytest.approx((61.5, frame))  # steady: one step ahead
    assert ahead(4 * frame, 62.0) == pytest.approx((62.5, frame))  # speeding up: the smaller step
    assert ahead(5 * frame, 61.8) == (61.8, 0.0)  # a turnaround: no lead
    slow = Ahead()
    for i, midi in enumerate((60.0, 61.0, 62.0)):
        assert slow(i * 0.2, midi) == (midi, 0.0)  # 5 fps: one frame ahead would be 200 ms
