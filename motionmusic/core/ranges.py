"""What a tracking run measured: coverage, rate, and the range each angle moved through."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from motionmusic.core.controls import Controls
from motionmusic.core.features import FEATURE_NAMES, Features
from motionmusic.core.protocols import Sample


@dataclass(frozen=True, slots=True)
class FeatureRange:
    name: str
    measured: float  # fraction of frames where the angle was measured
    low: float  # 5th percentile (robust minimum)
    high: float  # 95th percentile (robust maximum)
    minimum: float
    maximum: float


@dataclass(frozen=True, slots=True)
class Summary:
    frames: int
    with_pose: int
    seconds: float
    ranges: tuple[FeatureRange, ...]

    @property
    def coverage(self) -> float:
        return self.with_pose / self.frames if self.frames else 0.0

    @property
    def fps(self) -> float:
        return (self.frames - 1) / self.seconds if self.seconds > 0 else math.nan


class RangeRecorder:
    """Collects each frame's angles; `summary()` reduces them."""

    def __init__(self) -> None:
        self._values: list[np.ndarray] = []
        self._times: list[int] = []
        self._with_pose = 0

    def add(self, angles: Features, pose_found: bool) -> None:
        self._values.append(angles.values)
        self._times.append(angles.t_ns)
        self._with_pose += pose_found

    def record(self, sample: Sample, controls: Controls | None) -> None:
        """As a sink of the engine: each frame's raw angles."""
        self.add(sample.raw, sample.pose is not None)

    def summary(self) -> Summary:
        table = np.array(self._values).reshape(-1, len(FEATURE_NAMES))
        seconds = (self._times[-1] - self._times[0]) / 1e9 if self._times else 0.0
        ranges = tuple(_range(name, table[:, i]) for i, name in enumerate(FEATURE_NAMES))
        return Summary(len(self._times), self._with_pose, seconds, ranges)


def _range(name: str, column: np.ndarray) -> FeatureRange:
    valid = column[~np.isnan(column)]
    if valid.size == 0:
        return FeatureRange(name, 0.0, math.nan, math.nan, math.nan, math.nan)
    low, high = np.percentile(valid, [5, 95])
    return FeatureRange(
        name,
        valid.size / column.size,
        float(low),
        float(high),
        float(valid.min()),
        float(valid.max()),
    )
