"""How much later than the arm the client hears the sound, beyond the real-time pipeline.

What adds up (`benchmarks/effective_latency.py` measures the sum from outside, in the WAV):
- the smoothing filter;
- the synth's linear ramp, which trails a glide by half its length;
- the frame hold: a value stands for a whole frame interval, half a frame behind on average;
- minus what a glide heading ahead predicts (`core/performer.Ahead`).

Measured here live, on the client's own movement, by least squares of how far behind a value is
against how fast the movement goes (a delay of d seconds leaves d * velocity behind on a steady
move):
- a gliding voice (`GlideDelay`): the pitch the synth plays in the middle of each frame interval
  against the pitch the unsmoothed movement asks for then; that covers all four at once;
- otherwise (notes): the filter alone (`FilterDelay`), plus half a ramp and half a frame.

The terminal UI adds this to the pipeline's frame -> sound figure, so its "latency" is what the
client hears, not only when the synth receives the controls.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from motionmusic.core.controls import Controls
from motionmusic.core.features import FEATURE_NAMES, FEATURES, UNITS, Features
from motionmusic.core.performer import position
from motionmusic.core.presets import Preset, Voice
from motionmusic.core.scales import hz_to_midi, note_to_midi

MOVING_DEG_S = 20.0
"""Slower than this (degrees a second, or its wrist-height equal) is rest: lag is inaudible there
and the ratio would be all noise."""
MOVING_SEMITONES_S = 3.0
"""The same for a gliding pitch."""
MEMORY_S = 5.0
"""The estimate follows the last few seconds of movement."""


class _Fit:
    """delay = sum(behind * velocity) / sum(velocity^2), old frames forgotten over `MEMORY_S`."""

    def __init__(self) -> None:
        self._behind_speed = 0.0
        self._speed2 = 0.0

    @property
    def ms(self) -> float:
        """NaN until the client has moved."""
        return 1000 * self._behind_speed / self._speed2 if self._speed2 > 0 else math.nan

    def forget(self, dt: float) -> None:
        keep = math.exp(-dt / MEMORY_S)
        self._behind_speed *= keep
        self._speed2 *= keep

    def add(self, behind: float, velocity: float) -> None:
        self._behind_speed += behind * velocity
        self._speed2 += velocity * velocity


class FilterDelay:
    """How far the smoothed angles trail the measured ones while the client moves."""

    def __init__(self) -> None:
        self._fit = _Fit()
        self._last: Features | None = None

    @property
    def ms(self) -> float:
        return self._fit.ms

    def update(self, raw: Features, smoothed: Features, features: Sequence[int]) -> None:
        last, self._last = self._last, raw
        if last is None or raw.t_ns <= last.t_ns:
            return
        dt = (raw.t_ns - last.t_ns) / 1e9
        self._fit.forget(dt)
        for i in features:
            scale = UNITS[FEATURES[i].unit].per_degree
            velocity = scale * (raw.values[i] - last.values[i]) / dt
            behind = scale * (raw.values[i] - smoothed.values[i])
            if abs(velocity) >= MOVING_DEG_S and not math.isnan(behind):  # NaN is not moving
                self._fit.add(behind, velocity)


class GlideDelay:
    """How far a gliding voice's pitch, as played between frames, trails the unsmoothed movement.

    At each frame the synth is sent a pitch and how long to glide there (`VoiceControls.glide_s`;
    0: the preset's ramp, then held). Once the next frame has measured where the movement went,
    the pitch sounding in the middle of the interval is compared with the movement's pitch then.
    """

    def __init__(self, voice: Voice, ramp_s: float) -> None:
        assert voice.pitch is not None
        self.voice, self.ramp_s = voice, ramp_s
        self._root, self._span = note_to_midi(voice.pitch.root), 12 * voice.pitch.octaves
        self._fit = _Fit()
        self._sounding = math.nan  # where the synth's pitch was when the last frame came
        self._last: tuple[float, float, float, float] | None = None  # t, wanted, target, glide_s

    @property
    def ms(self) -> float:
        return self._fit.ms

    def update(self, t: float, raw: Features, target_hz: float, glide_s: float) -> None:
        wanted = self._root + position(self.voice.pitch, raw) * self._span
        target = hz_to_midi(target_hz)
        last, self._last = self._last, (t, wanted, target, glide_s)
        if last is None or t <= last[0] or math.isnan(wanted + last[1]):
            self._sounding = target
            return
        interval = t - last[0]
        start = self._sounding if not math.isnan(self._sounding) else last[2]
        middle, self._sounding = self._ramp(start, last[2], last[3], interval)
        self._fit.forget(interval)
        velocity = (wanted - last[1]) / interval
        if abs(velocity) >= MOVING_SEMITONES_S:
            self._fit.add((last[1] + wanted) / 2 - middle, velocity)

    def _ramp(
        self, start: float, target: float, glide_s: float, interval: float
    ) -> tuple[float, float]:
        """(the pitch played on average over an interval, where it is at its end): the synth
        goes in a straight line from `start` to `target` over the glide time or the ramp."""
        length = glide_s if glide_s > 0.0 else self.ramp_s
        if length <= interval:  # there early, then held
            return target - (target - start) * length / interval / 2, target
        part = interval / length
        return start + (target - start) * part / 2, start + (target - start) * part


def pitch_features(preset: Preset) -> list[int]:
    """The angles that move the preset's pitches: where a late sound is heard as late."""
    return sorted({FEATURE_NAMES.index(v.pitch.feature) for v in preset.voices if v.pitch})


class HeardDelay:
    """Everything heard beyond the pipeline, for the preset being played (as the client's
    calibration plays it): gliding voices measured whole, otherwise the filter plus ramp and
    hold."""

    def __init__(self, played: Preset) -> None:
        ramp_s = played.synth.ramp_ms / 1000
        self.filter = FilterDelay()
        self.glides = {
            i: GlideDelay(v, ramp_s)
            for i, v in enumerate(played.voices)
            if v.pitch is not None and v.pitch.mode == "glide"
        }
        self._features = pitch_features(played)
        self.played = played

    def update(self, raw: Features, smoothed: Features, controls: Controls) -> None:
        self.filter.update(raw, smoothed, self._features)
        for i, glide in self.glides.items():
            voice = controls.voices[i]
            if voice.present:
                glide.update(raw.t_ns / 1e9, raw, voice.freq, voice.glide_s)

    def ms(self, fps: float) -> float:
        """The glides' mean where they have moved; else the filter, half a ramp, half a frame."""
        glides = [g.ms for g in self.glides.values() if not math.isnan(g.ms)]
        if glides:
            return sum(glides) / len(glides)
        measured = 0.0 if math.isnan(self.filter.ms) else max(self.filter.ms, 0.0)
        return measured + self.played.synth.ramp_ms / 2 + 500.0 / max(fps, 1.0)
