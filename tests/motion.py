"""Synthetic movements with known angles, as traces: a right arm raised forward along a script.

The poses are built by `skeleton` and measured by the real angle code, so what a test feeds the
calibrator, the targets or the report is exactly what tracking would have produced for that arm.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motionmusic.core.angles import measure_all
from motionmusic.core.trace import TraceHeader, TraceWriter
from tests.skeleton import SIZE, arm_direction, pose_of, skeleton

FPS = 30.0


def segments(*parts: tuple[float, float, float]) -> np.ndarray:
    """Flexion per frame from (seconds, start degrees, end degrees) pieces, linear within each."""
    out = [
        np.linspace(a, b, max(round(seconds * FPS), 1), endpoint=False) for seconds, a, b in parts
    ]
    return np.concatenate(out)


def arm_trace(path: Path, flexion: np.ndarray, noise: float = 0.0, seed: int = 3) -> Path:
    """A trace of the right arm following `flexion` (degrees per frame, NaN: person absent)."""
    rng = np.random.default_rng(seed)
    writer = TraceWriter(path, TraceHeader(SIZE, FPS, "synthetic"))
    for i, value in enumerate(flexion):
        t_ns = 1_000_000_000 + round(i * 1e9 / FPS)
        if np.isnan(value):
            writer.write(t_ns, None, _missing(t_ns))
            continue
        jitter = rng.normal(0.0, noise) if noise else 0.0
        pose = pose_of(skeleton(right_arm=arm_direction(value + jitter, left=False)), t_ns=t_ns)
        writer.write(t_ns, pose, measure_all(pose))
    writer.close()
    return path


def _missing(t_ns: int):
    from motionmusic.core.angles import Angles

    return Angles.missing(t_ns)
