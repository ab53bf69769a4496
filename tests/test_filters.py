"""One Euro smoothing: calmer at rest, still follows a deliberate move, restarts after a gap."""

from __future__ import annotations

import math

import numpy as np

from motionmusic.core.angles import ANGLE_NAMES, Angles
from motionmusic.core.filters import AngleFilter, OneEuroSettings, residual_jitter

N = len(ANGLE_NAMES)


def _stream(values: np.ndarray, fps: float = 30.0) -> list[Angles]:
    return [Angles(int(i * 1e9 / fps), np.full(N, v), np.ones(N)) for i, v in enumerate(values)]


def _run(settings: OneEuroSettings, values: np.ndarray) -> np.ndarray:
    smoother = AngleFilter(settings)
    return np.array([smoother(a).values[0] for a in _stream(values)])


def test_filter_removes_jitter_at_rest():
    noisy = 60 + np.random.default_rng(1).normal(0, 1.0, 300)
    smoothed = _run(OneEuroSettings(), noisy)
    assert residual_jitter(smoothed) < 0.35 * residual_jitter(noisy)


def test_filter_follows_a_deliberate_raise():
    raise_ = np.concatenate([np.full(30, 20.0), np.full(30, 120.0)])
    smoothed = _run(OneEuroSettings(), raise_)
    assert smoothed[30 + 6] > 110  # within 200 ms of a 100° move


def test_disabled_filter_passes_values_through():
    values = np.linspace(0, 90, 20)
    np.testing.assert_array_equal(_run(OneEuroSettings(enabled=False), values), values)


def test_gap_restarts_instead_of_bridging():
    values = np.array([10.0] * 10 + [math.nan] * 3 + [150.0] * 3)
    smoothed = _run(OneEuroSettings(min_cutoff=0.1), values)
    assert math.isnan(smoothed[11])
    assert smoothed[13] == 150.0  # first value after a gap is taken as is
