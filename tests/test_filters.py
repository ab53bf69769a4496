"""Smoothing: a still body holds one value, a deliberate move is followed at once, a gap restarts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from motionmusic.core.features import FEATURE_NAMES, Features
from motionmusic.core.filters import OFF, FeatureFilter, Smoothing, residual_jitter
from motionmusic.core.performer import Performer
from motionmusic.core.presets import Preset
from motionmusic.store.preset_library import find_preset

N = len(FEATURE_NAMES)
FPS = 30.0


def _stream(values: np.ndarray) -> list[Features]:
    return [Features(int(i * 1e9 / FPS), np.full(N, v), np.ones(N)) for i, v in enumerate(values)]


def _run(settings: Smoothing, values: np.ndarray) -> np.ndarray:
    smoother = FeatureFilter(settings)
    return np.array([smoother(a).values[0] for a in _stream(values)])


def _wandering(n: int, sd: float, seed: int = 1) -> np.ndarray:
    """Pose-model noise on a still body: jitter that wanders (MediaPipe smooths its landmarks)."""
    white = np.random.default_rng(seed).normal(0, 1, n + 4)
    wander = np.convolve(white, np.ones(5) / 5, mode="valid")[:n]
    return np.asarray(sd * wander / wander.std())


def test_still_body_holds_one_value_after_a_second():
    noisy = 60 + _wandering(600, 1.5)
    held = _run(Smoothing(), noisy)
    assert np.ptp(held[30:]) == 0.0  # frozen: it cannot drift across a note boundary
    assert abs(held[-1] - 60) < 1.0  # ... at the mean of the stillness
    assert residual_jitter(noisy) > 0.3


def test_deliberate_raise_is_followed_without_lag():
    """After a second of rest, a 60°/s raise: once it leaves the rest band, the output is the
    measured value itself, frame for frame."""
    rest = 40 + _wandering(60, 0.5)
    raise_ = 40 + 2.0 * np.arange(1, 46)  # 2° a frame: 60°/s, to 130°
    values = np.concatenate([rest, raise_])
    out = _run(Smoothing(), values)
    moving = np.flatnonzero(out[60:] == raise_)
    assert moving.size and moving[0] <= 4  # the band is crossed within 4 frames (8°)
    np.testing.assert_array_equal(out[60 + moving[0] :], raise_[moving[0] :])


def test_rest_returns_after_the_move_and_holds_the_new_position():
    path = np.concatenate([np.full(30, 40.0), np.linspace(40, 120, 30), np.full(90, 120.0)])
    out = _run(Smoothing(), path + _wandering(150, 1.0))
    tail = out[-30:]
    assert np.ptp(tail) == 0.0 and abs(tail[0] - 120) < 1.5


def test_one_euro_is_calmer_but_lags():
    noisy = 60 + np.random.default_rng(1).normal(0, 1.0, 300)
    euro = Smoothing(method="one_euro")
    assert residual_jitter(_run(euro, noisy)) < 0.35 * residual_jitter(noisy)
    raise_ = np.concatenate([np.full(30, 20.0), np.linspace(20, 120, 15), np.full(15, 120.0)])
    assert _run(euro, raise_)[37] < raise_[37] - 5 == _run(Smoothing(), raise_)[37] - 5


def test_disabled_filter_passes_values_through():
    values = np.linspace(0, 90, 20)
    np.testing.assert_array_equal(_run(OFF, values), values)


def test_nobody_in_view_plays_nothing_and_a_long_gap_starts_afresh():
    """Every angle missing is the client gone: nothing is played for them. Back after more than
    half a second, the first value is taken as it is; back sooner, where they were, the note
    they held goes on (a player of a crowd lost for a few frames)."""
    for method in ("rest_hold", "one_euro"):
        values = np.array([10.0] * 40 + [math.nan] * 20 + [150.0] * 3)
        smoothed = _run(Smoothing(method=method), values)
        assert np.isnan(smoothed[40:60]).all()
        assert smoothed[60] == 150.0  # after a gap of 0.67 s: taken as is
    short = np.concatenate(
        [40 + _wandering(40, 0.5), np.full(3, math.nan), 40.8 + _wandering(5, 0.5)]
    )
    smoothed = _run(Smoothing(), short)
    assert np.isnan(smoothed[40:43]).all()
    assert smoothed[43] == smoothed[39]  # the same held value: no new note


ELEVATION = FEATURE_NAMES.index("right_shoulder_elevation")


def _one_angle(values: np.ndarray) -> list[Features]:
    """`values` as the right shoulder's elevation of a body whose other angles stay measured
    (a forearm hidden, not the client gone)."""
    frames = []
    for i, value in enumerate(values):
        angles = np.full(N, 30.0)
        angles[ELEVATION] = value
        frames.append(Features(int(i * 1e9 / FPS), angles, np.isfinite(angles).astype(float)))
    return frames


def _notes(preset: Preset, values: np.ndarray) -> tuple[np.ndarray, FeatureFilter]:
    """The affected arm's note per frame as `one-sided-right` plays `values` (NaN: silent)."""
    smoother, performer = FeatureFilter(preset.smoothing), Performer(preset)
    played = [performer.step(smoother(a)).voices[0] for a in _one_angle(values)]
    return np.array([v.midi if v.present else np.nan for v in played]), smoother


def _boundary(preset: Preset, angle: float) -> Preset:
    """`preset` with its range moved so `angle` is half-way between two notes of its scale."""
    voice = preset.voices[0]
    assert voice.pitch is not None
    low, high = voice.pitch.input
    step = (high - low) / (5 * voice.pitch.octaves)  # a pentatonic scale: 5 notes an octave
    start = angle - 2.5 * step
    pitch = voice.pitch.model_copy(update={"input": (start, start + high - low)})
    return preset.model_copy(update={"voices": [voice.model_copy(update={"pitch": pitch})]})


@pytest.mark.parametrize("hidden", [3, 4, 5])
def test_an_arm_hidden_for_a_few_frames_that_comes_back_lower_plays_no_new_note(hidden):
    """The child behind a toy: the elevation drops out for 3-5 frames, comes back 12° lower and
    climbs back over 10 frames, with no movement at all. The voice holds its note throughout,
    as shipped and with the arm on a note boundary."""
    rest = 90 + _wandering(60, 0.8)
    back = np.linspace(78, 90, 10) + _wandering(10, 0.8, seed=2)
    values = np.concatenate([rest, np.full(hidden, np.nan), back, 90 + _wandering(60, 0.8, 3)])
    for preset in (find_preset("one-sided-right"), _boundary(find_preset("one-sided-right"), 90)):
        notes, _ = _notes(preset, values)
        assert np.isfinite(notes[30:]).all()  # held through the dropout: never silent
        assert np.count_nonzero(np.diff(notes[30:])) == 0


def test_a_small_figures_flickering_arm_plays_no_new_note_and_is_unsteady():
    """A figure so small its elevation jitters by degrees and leaps 10° for a frame or two now
    and then: no note changes, and the angle is said to be unsteady."""
    rng = np.random.default_rng(4)
    values = 90 + rng.normal(0, 2.5, 240)
    for start in (50, 90, 130, 170, 210):
        values[start : start + 1 + start % 2] += 10.0
    preset = _boundary(find_preset("one-sided-right"), 90)
    notes, smoother = _notes(preset, values)
    assert np.count_nonzero(np.diff(notes[30:])) == 0
    assert "right_shoulder_elevation" in smoother.unsteady(int(239 * 1e9 / FPS))


def test_a_sudden_raise_from_a_clean_rest_is_followed_from_its_first_frame():
    """A dance's raise starts with a 6° leap in one frame: a clean angle follows it at once."""
    rest = 40 + _wandering(60, 0.2)
    raise_ = 40 + np.cumsum(np.full(20, 6.0))
    out = _run(Smoothing(), np.concatenate([rest, raise_]))
    np.testing.assert_array_equal(out[60:], raise_)


def test_a_still_body_is_steady():
    smoother = FeatureFilter()
    for angles in _one_angle(90 + _wandering(150, 0.8)):
        smoother(angles)
    assert smoother.unsteady(int(149 * 1e9 / FPS)) == frozenset()


def _delay_ms(truth: np.ndarray, heard: np.ndarray) -> float:
    """The delay (to a tenth of a frame) at which `heard` best matches `truth`."""
    frames = np.arange(len(truth))
    fine = np.arange(0, len(truth) - 1, 0.1)
    a, b = np.interp(fine, frames, truth), np.interp(fine, frames, heard)
    scores = [np.corrcoef(a[: len(a) - k], b[k:])[0, 1] for k in range(150)]
    return float(np.argmax(scores)) * 0.1 * 1000 / FPS


def test_small_slow_raise_and_lower_cycles_are_followed_at_the_turnarounds():
    """10° up and down every 4 s: each turnaround comes to rest for a moment, and the way back
    must not wait for a whole band (it did: 60 ms behind)."""
    t = np.arange(0, 12, 1 / FPS)
    truth = 40 + 10 * np.sin(2 * np.pi * 0.25 * (t - 1)) * (t > 1)  # from rest, smoothly
    out = _run(Smoothing(), truth + _wandering(len(t), 0.3))
    assert _delay_ms(truth[30:], out[30:]) <= 20
