"""Offline rendering: a source played through a preset into a WAV, as fast as the CPU allows.

Beside the WAV goes a CSV of the control curves sent to the synth (per frame: time, the features
the preset uses, and per voice pitch in Hz, volume, presence, strikes), so the music can be checked
against the movement that made it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from motionmusic.core.angles import Angles
from motionmusic.core.filters import AngleFilter
from motionmusic.core.performer import Controls, Performer
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import FrameSource, PoseEstimator
from motionmusic.core.session import SessionLog, features
from motionmusic.tracker import Tracker

TAIL_S = 0.5


@dataclass(frozen=True, slots=True)
class Rendered:
    wav: Path
    curves: Path
    frames: int
    seconds: float


class CurveWriter:
    def __init__(self, path: Path, preset: Preset) -> None:
        self._file = path.open("w", newline="")
        self._csv = csv.writer(self._file)
        self._features = features(preset)
        columns = ["time_s", *self._features]
        for voice in preset.voices:
            columns += [f"{voice.name}_{k}" for k in ("hz", "volume", "present", "strike")]
        self._csv.writerow(columns)

    def write(self, t: float, angles: Angles, controls: Controls) -> None:
        row: list[object] = [f"{t:.4f}", *(f"{angles[name]:.3f}" for name in self._features)]
        for v in controls.voices:
            row += [f"{v.freq:.3f}", f"{v.amp:.4f}", int(v.present), f"{v.strike:.3f}"]
        self._csv.writerow(row)

    def close(self) -> None:
        self._file.close()


def render(
    source: FrameSource,
    estimator: PoseEstimator,
    preset: Preset,
    wav: Path,
    profile: Profile | None = None,
    log: SessionLog | None = None,
) -> Rendered:
    """Track `source` (unpaced), perform `preset` (as `profile`'s client plays it), write `wav`
    and `<wav>.controls.csv`, and log the session to `log` when given."""
    from motionmusic.adapters.synth_pyo import OfflineSynth

    tracker = Tracker(source, estimator, AngleFilter(preset.smoothing, source.info.fps))
    performer = Performer(preset, profile)
    curves_path = wav.with_suffix(".controls.csv")
    curves = CurveWriter(curves_path, performer.preset)
    synth = OfflineSynth(preset, wav)
    t0: int | None = None
    t, frames = 0.0, 0
    try:
        for sample in tracker.samples():
            t0 = sample.frame.t_ns if t0 is None else t0
            t = (sample.frame.t_ns - t0) / 1e9
            synth.advance(t)
            controls = performer.step(sample.angles)
            synth.apply(controls)
            curves.write(t, sample.angles, controls)
            if log is not None:
                log.record(sample.frame.t_ns, sample.pose, sample.raw, controls)
            frames += 1
        synth.advance(t + preset.synth.fade_ms / 1000 + TAIL_S)
    finally:
        synth.close()
        curves.close()
    return Rendered(wav, curves_path, frames, t)
