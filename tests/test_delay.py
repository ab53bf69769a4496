"""The screen's smoothing figure: how far the sound trails the movement, measured live."""

from __future__ import annotations

import numpy as np
import pytest

from motionmusic.core.delay import FilterDelay, HeardDelay
from motionmusic.core.features import FEATURE_NAMES, Features
from motionmusic.core.filters import FeatureFilter, Smoothing
from motionmusic.core.performer import Performer
from motionmusic.store.preset_library import find_preset
from tests.test_filters import _wandering

FPS = 30.0
N = len(FEATURE_NAMES)
WRISTS = FEATURE_NAMES.index("right_wrist_height"), FEATURE_NAMES.index("left_wrist_height")


def _angles(t: float, value: float, *columns: int) -> Features:
    values = np.full(N, np.nan)
    values[list(columns or [0])] = value
    return Features(round(t * 1e9), values, np.ones(N))


def _raises(seconds: float = 8.0, delay: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """A second still, then raising and lowering: 30 units either way every 2 s."""
    t = np.arange(0, seconds, 1 / FPS)
    return t, 40 + 30 * np.sin(2 * np.pi * 0.5 * (t - delay)) * (t > 1.0)


def test_filter_meter_reads_a_known_lag_and_none_for_the_rest_hold():
    t, arm = _raises()
    _, late = _raises(delay=0.1)
    noise = _wandering(len(t), 0.3)
    meter, held, hold = FilterDelay(), FilterDelay(), FeatureFilter(Smoothing())
    for ti, a, b in zip(t, arm + noise, late + noise, strict=True):
        raw = _angles(ti, a)
        meter.update(raw, _angles(ti, b), [0])
        held.update(raw, hold(raw), [0])
    assert 90 <= meter.ms <= 110
    assert held.ms < 10


def _glide_ms(ahead: bool, lead_s: float = 0.0) -> float:
    """The theremin's pitch on a wrist raised and lowered, as the synth plays it."""
    preset = find_preset("theremin")
    lead = preset.voices[0]
    assert lead.pitch is not None
    pitch = lead.pitch.model_copy(update={"ahead": ahead})
    preset = preset.model_copy(update={"voices": [lead.model_copy(update={"pitch": pitch})]})
    performer, heard, smoother = Performer(preset), HeardDelay(preset), FeatureFilter(OFF_HOLD)
    t, arm = _raises()
    for ti, height in zip(t, arm / 30 - 1.0, strict=True):  # -1 .. +1 shoulder widths
        raw = _angles(ti, height, *WRISTS)  # the left hand: the volume
        smoothed = smoother(raw)
        heard.update(raw, smoothed, performer.step(smoothed, lead_s))
    return heard.ms(FPS)


OFF_HOLD = Smoothing(enabled=False)


def test_a_stepping_glide_trails_by_half_a_frame_and_half_a_ramp():
    assert _glide_ms(ahead=False) == pytest.approx(1000 / FPS / 2 + 10 / 2, abs=2.0)


def test_a_glide_heading_ahead_trails_by_nothing_and_predicting_leads():
    assert abs(_glide_ms(ahead=True)) < 3.0
    assert -27.0 <= _glide_ms(ahead=True, lead_s=0.025) <= -15.0  # most of the 25 ms predicted
