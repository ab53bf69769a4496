"""One Euro smoothing of angles, per angle, with parameters a therapist can tune.

MediaPipe already smooths landmarks in VIDEO mode; `benchmarks/angle_quality.py` measures what
jitter is left on still poses and what lag each setting costs. The One Euro filter (Casiez et al., via the
authors' `OneEuroFilter` package) follows fast moves with little lag and calms slow drift.
"""

from __future__ import annotations

import math

import numpy as np
from OneEuroFilter import OneEuroFilter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from motionmusic.core.angles import ANGLE_NAMES, ANGLES, Angles

DEPTH_ANGLES = tuple(spec.name for spec in ANGLES if spec.space == "world")
DEGREES_PER_UNIT = {"deg": 1.0, "sw": 50.0}
"""`beta` is set for degrees; a shoulder width of wrist travel is about 50° of arm elevation, so
wrist-height speeds are scaled to match and one `beta` means the same responsiveness for both."""


class OneEuroSettings(BaseModel):
    """Parameters of the One Euro filter applied to every angle."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    """Off passes MediaPipe's own smoothing through untouched (least lag)."""
    min_cutoff: float = Field(0.5, gt=0.0, le=30.0)
    """Hz. Lower removes more jitter at rest but lags slow movements more."""
    beta: float = Field(0.01, ge=0.0, le=10.0)
    """How fast the cutoff rises with speed (per degree a second): higher follows quick moves
    with less lag."""
    d_cutoff: float = Field(1.0, gt=0.0, le=30.0)
    """Hz. Cutoff for the speed estimate itself."""
    angles: tuple[str, ...] = DEPTH_ANGLES
    """Which angles are smoothed. By default those from 3-D world landmarks, whose depth estimate
    leaves 1-2.4° of jitter on a still body; picture-plane angles stay under 0.7° and would only
    gain lag (benchmarks/angle_quality.py)."""

    @field_validator("angles")
    @classmethod
    def _known(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(names) - set(ANGLE_NAMES))
        if unknown:
            raise ValueError(
                f"unknown angle(s) {', '.join(unknown)}; known: {', '.join(ANGLE_NAMES)}"
            )
        return names


class AngleFilter:
    """Smooths each angle's stream; a gap (NaN) restarts that angle's filter instead of bridging it."""

    def __init__(self, settings: OneEuroSettings | None = None, rate_hz: float = 30.0) -> None:
        self.settings = settings or OneEuroSettings()
        self._rate_hz = rate_hz
        self._filters: list[OneEuroFilter | None] = [None] * len(ANGLE_NAMES)
        self._last_t = -math.inf
        self._smoothed = [name in self.settings.angles for name in ANGLE_NAMES]
        self._scale = [DEGREES_PER_UNIT[spec.unit] for spec in ANGLES]

    def _new(self, i: int) -> OneEuroFilter:
        s = self.settings
        return OneEuroFilter(self._rate_hz, s.min_cutoff, s.beta * self._scale[i], s.d_cutoff)

    def __call__(self, angles: Angles) -> Angles:
        """Filtered copy of `angles` (timestamps must increase; repeats are passed through)."""
        t = angles.t_ns / 1e9
        if not self.settings.enabled or t <= self._last_t:
            return angles
        self._last_t = t
        out = angles.values.copy()
        for i, value in enumerate(angles.values.tolist()):
            if not self._smoothed[i]:
                continue
            if math.isnan(value):
                self._filters[i] = None
                continue
            filt = self._filters[i] or self._new(i)
            self._filters[i] = filt
            out[i] = filt(value, t)
        return Angles(angles.t_ns, out, angles.confidence)

    def reset(self) -> None:
        self._filters = [None] * len(ANGLE_NAMES)
        self._last_t = -math.inf


def refilter(current: AngleFilter, settings: OneEuroSettings, rate_hz: float) -> AngleFilter:
    """The filter to use after a preset change: the same one (its state kept, no jump) when the
    smoothing is unchanged, else a fresh one with the new settings. Live and in a session's
    summary alike."""
    return current if current.settings == settings else AngleFilter(settings, rate_hz)


def residual_jitter(values: np.ndarray) -> float:
    """Frame-to-frame jitter of a still signal: RMS of its first difference, over √2 (its std)."""
    diffs = np.diff(values[~np.isnan(values)])
    return float(np.sqrt(np.mean(diffs**2)) / math.sqrt(2)) if diffs.size else math.nan
