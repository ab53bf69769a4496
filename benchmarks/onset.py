"""Onset delay: how long after a move from rest begins the sound first changes.

The smoothing delay (`effective_latency.py`) is measured over whole movements; a rest hold's cost
is at their start, where the angle must cross its rest band before the sound follows, and where
a filter wary of tracking glitches might wait a frame more. So: each shared clip is tracked once
with the full model and no smoothing; on the unsmoothed angle of every feature a shipped preset
plays, every *move from rest* is found (at least 10 frames within 2° (0.04 shoulder widths) of
their mean, then a departure beyond 3 of the rest's standard deviations plus 2° that goes on to
at least 10° (0.2 shoulder widths) within half a second), and its onset is the first frame of
that departure. The heard change is the first frame at or after the onset where the smoothed
angle (the default rest hold: what every mapping of the feature plays; a gliding voice moves with
it) differs from where it was the frame before: the delay between them, in ms at the clip's
frame rate, per clip and feature as median and max, and over all onsets as median, p95 and max.
With no smoothing it is 0 by construction. The synth's 10 ms ramp and the pipeline come on top.

Usage: onset.py [--write-readme] (between the "onset" markers of benchmarks/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import publish, unsmoothed  # noqa: E402

from motionmusic.core.features import FEATURE_NAMES, FEATURES  # noqa: E402
from motionmusic.core.filters import OFF, FeatureFilter, Smoothing  # noqa: E402
from motionmusic.core.protocols import Sample  # noqa: E402
from motionmusic.core.session import features as session_features  # noqa: E402
from motionmusic.native_output import native_logs_to_file  # noqa: E402
from motionmusic.store.preset_library import find_preset, shipped  # noqa: E402

CLIPS = ("dance_arms_raise_front.mp4", "tai_chi_arms_raise.mp4",
         "squats_arms_forward_5fps.mp4", "head_tilt_webcam.mp4")  # fmt: skip
REST_FRAMES = 10
SCALE = {"deg": 1.0, "sw": 0.02}  # a shoulder width of wrist travel is about 50° of elevation
EPSILON = {"deg": 0.05, "sw": 0.001}  # the smoothed angle has moved: a gliding voice moves with it


def onsets(raw: np.ndarray, unit: str, fps: float) -> list[int]:
    """Frames where a move from rest begins (see the module's docstring)."""
    scale, found, i = SCALE[unit], [], REST_FRAMES
    while i < len(raw):
        rest = raw[i - REST_FRAMES : i]
        if np.isnan(rest).any() or np.ptp(rest) > 4 * scale:
            i += 1
            continue
        mean, spread = float(np.mean(rest)), float(np.std(rest))
        away = abs(raw[i] - mean) if np.isfinite(raw[i]) else 0.0
        ahead = raw[i : i + int(0.5 * fps)]
        if away > 3 * spread + 2 * scale and np.nanmax(np.abs(ahead - mean)) >= 10 * scale:
            found.append(i)
            i += int(0.5 * fps) + REST_FRAMES  # the move, and a rest again before the next
        else:
            i += 1
    return found


def delays(feature: str, samples: list[Sample], fps: float, settings: Smoothing) -> list[float]:
    """For each move from rest of `feature`: ms until the smoothed angle (what every mapping of
    it plays) first differs from where it was the frame before the move began."""
    column = FEATURE_NAMES.index(feature)
    smoother = FeatureFilter(settings, fps)
    raw = np.array([s.raw.values[column] for s in samples])
    played = np.array([smoother(s.raw).values[column] for s in samples])
    out = []
    for start in onsets(raw, FEATURES[column].unit, fps):
        before = played[start - 1]
        later = np.flatnonzero(np.abs(played[start:] - before) > EPSILON[FEATURES[column].unit])
        if np.isfinite(before) and later.size:
            out.append(later[0] * 1000 / fps)
    return out


def main() -> None:
    native_logs_to_file()
    features = sorted({f for p in shipped() for f in session_features(find_preset(p.stem))})
    rows = [
        "| clip | feature | onsets | rest hold: median / max | no smoothing |",
        "|---|---|---|---|---|",
    ]
    heard: list[float] = []
    for clip in CLIPS:
        samples, fps = unsmoothed(clip)
        for feature in features:
            smoothed = delays(feature, samples, fps, Smoothing())
            if not smoothed:
                continue
            heard += smoothed
            bare = delays(feature, samples, fps, OFF)
            rows.append(
                f"| {clip.removesuffix('.mp4')} | {feature} | {len(smoothed)} | "
                f"{np.median(smoothed):.0f} / {max(smoothed):.0f} ms | {np.median(bare):.0f} ms |"
            )
    rows.append(
        f"\nall {len(heard)} onsets: median {np.median(heard):.0f} ms, "
        f"p95 {np.percentile(heard, 95):.0f} ms, max {max(heard):.0f} ms"
    )
    publish("onset", "\n".join(rows))


if __name__ == "__main__":
    main()
