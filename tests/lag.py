"""How far a rendered voice's pitch trails the movement: smoothing, ramps and the frame hold.

The reference is what the pitch *would* be with no smoothing at all: each frame's raw measured
angle (the tracker's, before any filter) through the voice's own mapping (range, curve, invert,
dead zone, root, octaves), joined by straight lines between frames as the movement itself is, so
the half-frame a frame value is held for counts as delay. The rendered WAV is pitch-tracked every 5 ms
and the delay is the lag (-100..250 ms) at which the two correlate best. Offline, so the real-time
pipeline (capture, inference, channel, output) is not in it: that part is measured on JACK.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motionmusic.core.presets import Preset
from motionmusic.core.protocols import Sample
from motionmusic.core.scales import note_to_midi
from motionmusic.core.shaping import shape
from tests.audio import f0_track, read

STEP_S = 0.005
WINDOW = 1024  # samples: 21 ms at 48 kHz, short enough to time a glide, long enough for C3


@dataclass(frozen=True, slots=True)
class Lag:
    ms: float  # the delay that aligns pitch with the movement best
    correlation: float  # how well, at that delay (1 = perfectly)


def glide_voice(preset: Preset) -> int:
    """The first voice whose pitch glides (a continuous voice)."""
    return next(
        i for i, v in enumerate(preset.voices) if v.pitch is not None and v.pitch.mode == "glide"
    )


def reference(samples: list[Sample], preset: Preset) -> tuple[np.ndarray, np.ndarray]:
    """(seconds from the first frame, MIDI pitch) of the unsmoothed movement, frame by frame."""
    pitch = preset.voices[glide_voice(preset)].pitch
    assert pitch is not None
    t0 = samples[0].frame.t_ns
    times = np.array([(s.frame.t_ns - t0) / 1e9 for s in samples])
    position = np.array(
        [
            shape(s.raw[pitch.feature], *pitch.input, pitch.curve, pitch.invert, pitch.dead_zone)
            for s in samples
        ]
    )
    return times, note_to_midi(pitch.root) + position * 12 * pitch.octaves


def despiked(pitch: np.ndarray, width: int = 5) -> np.ndarray:
    """A running median over `width` estimates (25 ms): removes the pitch tracker's isolated octave
    errors on a fast glide, and, being centred, moves nothing in time."""
    padded = np.pad(pitch, width // 2, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        return np.asarray(np.nanmedian(windows, axis=1))


def heard_pitch(wav: Path) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, MIDI pitch) of a WAV every 5 ms, each estimate at the middle of its window."""
    audio, rate = read(wav)
    mono = audio.mean(axis=1) if audio.ndim > 1 else audio
    t, f0 = f0_track(mono, rate, hop_s=STEP_S, window=WINDOW)
    with np.errstate(divide="ignore", invalid="ignore"):
        return t + WINDOW / 2 / rate, despiked(69 + 12 * np.log2(f0 / 440.0))


def lag(
    wav: Path, times: np.ndarray, midi: np.ndarray, max_ms: float = 250.0, min_ms: float = -100.0
) -> Lag:
    """The delay (`min_ms`..`max_ms`; below zero the sound is ahead, as a predicting glide may
    be) at which the heard pitch matches the movement best."""
    t, heard = heard_pitch(wav)
    known = ~np.isnan(midi)
    if known.sum() < 2:
        return Lag(np.nan, -1.0)  # the voice's movement is not in view
    wanted = np.interp(t, times[known], midi[known], left=np.nan, right=np.nan)
    gaps = np.interp(t, times, (~known).astype(float)) > 0  # not across untracked frames
    wanted[gaps] = np.nan
    best = Lag(np.nan, -1.0)
    for k in range(round(min_ms / 1000 / STEP_S), int(max_ms / 1000 / STEP_S) + 1):
        a, b = (wanted[: len(wanted) - k], heard[k:]) if k >= 0 else (wanted[-k:], heard[:k])
        ok = ~np.isnan(a) & ~np.isnan(b)
        if ok.sum() < 50:
            continue
        c = float(np.corrcoef(a[ok], b[ok])[0, 1])
        if c > best.correlation:
            best = Lag(k * STEP_S * 1000, c)
    return best
