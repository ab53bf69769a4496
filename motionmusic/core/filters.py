"""Smoothing of the angles, per angle: a rest hold by default, One Euro where a preset asks.

The default is the rest hold (`core/rest_hold.py`): a still body holds one value and a moving body
is followed with no smoothing lag, which is what an instrument needs (benchmarks/README.md,
"effective latency"). The One Euro filter (Casiez et al., via the authors' `OneEuroFilter`
package) stays for presets that want a deliberately calm, slow response (`calm-pad`).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from OneEuroFilter import OneEuroFilter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from motionmusic.core.features import (
    FEATURE_NAMES,
    FEATURES,
    SOURCES,
    UNITS,
    Features,
    source_slice,
)
from motionmusic.core.rest_hold import RestHold

PARTS = [source_slice(source) for source in SOURCES]


class Smoothing(BaseModel):
    """How every angle is smoothed before it is mapped to sound."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    """Off passes MediaPipe's own smoothing through untouched."""
    method: Literal["rest_hold", "one_euro"] = "rest_hold"
    stillness: float = Field(12.0, ge=2.0, le=50.0)
    """Rest hold: how many times its own jitter an angle must move before the sound follows.
    Lower answers smaller moves and risks notes flipping on a still body; 12 held every shipped
    preset still on every still picture made from the shared media (tests/test_stillness.py)."""
    settle_ms: float = Field(200.0, ge=30.0, le=2000.0)
    """Rest hold: how long a movement must stay slower than the jitter before the value holds."""
    min_cutoff: float = Field(0.5, gt=0.0, le=30.0)
    """One Euro, Hz. Lower removes more jitter at rest but lags slow movements more."""
    beta: float = Field(0.01, ge=0.0, le=10.0)
    """One Euro: how fast the cutoff rises with speed (per degree a second)."""
    d_cutoff: float = Field(1.0, gt=0.0, le=30.0)
    """One Euro, Hz. Cutoff for the speed estimate itself."""
    angles: tuple[str, ...] = FEATURE_NAMES
    """Which angles are smoothed."""

    @field_validator("angles")
    @classmethod
    def _known(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(names) - set(FEATURE_NAMES))
        if unknown:
            raise ValueError(
                f"unknown angle(s) {', '.join(unknown)}; known: {', '.join(FEATURE_NAMES)}"
            )
        return names


OFF = Smoothing(enabled=False)


class FeatureFilter:
    """Smooths each angle's stream; a gap (NaN) restarts that angle's filter instead of bridging it."""

    def __init__(self, settings: Smoothing | None = None, rate_hz: float = 30.0) -> None:
        self.settings = settings or Smoothing()
        self._rate_hz = rate_hz
        self._scale = [UNITS[spec.unit].per_degree for spec in FEATURES]
        self._smoothed = np.array([name in self.settings.angles for name in FEATURE_NAMES])
        self._active = np.zeros(len(FEATURE_NAMES), dtype=bool)  # measured since the start
        self._euro: list[OneEuroFilter | None] = [None] * len(FEATURE_NAMES)
        self._holds = [self._hold(i) for i in range(len(FEATURE_NAMES))]
        self._last_t = -math.inf

    def _hold(self, i: int) -> RestHold:
        s, unit = self.settings, UNITS[FEATURES[i].unit]
        return RestHold(s.stillness, unit.jitter, s.settle_ms / 1000, s.stillness * unit.unsteady)

    def _one_euro(self, i: int) -> OneEuroFilter:
        s = self.settings
        return OneEuroFilter(self._rate_hz, s.min_cutoff, s.beta * self._scale[i], s.d_cutoff)

    def __call__(self, angles: Features) -> Features:
        """Filtered copy of `angles` (timestamps must increase; repeats are passed through).

        One feature missing for a moment while its source tracks the client keeps its held value
        (the rest hold's bridge): a forearm hidden for a few frames is no reason to stop the
        music. A source that measured nothing (the client, or their face, out of view) plays
        nothing of its features, but a short gap is bridged all the same: a player of a crowded
        group lost for a few frames comes back to the note they held, not to a new one."""
        t = angles.t_ns / 1e9
        if not self.settings.enabled or t <= self._last_t:
            return angles
        self._last_t = t
        out = angles.values.copy()
        euro = self.settings.method == "one_euro"
        measured = ~np.isnan(angles.values)
        self._active |= measured
        heard = measured.copy()  # a source that measured something this frame is heard
        for part in PARTS:
            heard[part] = measured[part].any()
        for i in np.flatnonzero(self._active & self._smoothed).tolist():
            value = float(angles.values[i])
            if math.isnan(value) and euro:
                self._euro[i] = None
            elif euro:
                filt = self._euro[i] or self._one_euro(i)
                self._euro[i] = filt
                out[i] = filt(value, t)
            else:
                out[i] = self._holds[i](value, t, heard=bool(heard[i]))
        return Features(angles.t_ns, out, angles.confidence)

    def unsteady(self, t_ns: int) -> frozenset[str]:
        """The angles whose tracking is now too poor to play steadily (the rest hold's)."""
        if not self.settings.enabled or self.settings.method != "rest_hold":
            return frozenset()
        t = t_ns / 1e9
        return frozenset(
            name
            for name, hold, smoothed in zip(FEATURE_NAMES, self._holds, self._smoothed, strict=True)
            if smoothed and hold.unsteady(t)
        )

    def reset(self) -> None:
        self._active[:] = False
        self._euro = [None] * len(FEATURE_NAMES)
        self._holds = [self._hold(i) for i in range(len(FEATURE_NAMES))]
        self._last_t = -math.inf


def refilter(current: FeatureFilter, settings: Smoothing, rate_hz: float) -> FeatureFilter:
    """The filter to use after a preset change: the same one (its state kept, no jump) when the
    smoothing is unchanged, else a fresh one with the new settings. Live and in a session's
    summary alike."""
    return current if current.settings == settings else FeatureFilter(settings, rate_hz)


def residual_jitter(values: np.ndarray) -> float:
    """Frame-to-frame jitter of a still signal: RMS of its first difference, over √2 (its std)."""
    diffs = np.diff(values[~np.isnan(values)])
    return float(np.sqrt(np.mean(diffs**2)) / math.sqrt(2)) if diffs.size else math.nan
