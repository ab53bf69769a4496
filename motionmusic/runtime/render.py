"""Offline rendering: a source played through a preset into a WAV, as fast as the CPU allows.

It is the engine's own loop on an unpaced source with the offline synth (which renders audio up to
each frame's time, then applies its controls). Beside the WAV goes a CSV of the control curves
sent to the synth (per frame: time, the features the preset uses, and per voice pitch in Hz,
volume, presence, strikes), so the music can be checked against the movement that made it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from motionmusic.core.controls import Controls
from motionmusic.core.features import Source
from motionmusic.core.people import Who
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import FeatureSource, FrameSource, PoseEstimator, Sample, Synth
from motionmusic.runtime.commands import Record
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.recorder import SessionRecorder
from motionmusic.runtime.tracker import Tracker


@dataclass(frozen=True, slots=True)
class Rendered:
    wav: Path
    curves: Path
    frames: int
    seconds: float
    smoothing_ms: (
        float  # heard beyond the pipeline: filter (as measured on this movement) + ramp + hold
    )


class CurveWriter:
    """A sink: one CSV row per frame."""

    def __init__(self, path: Path, preset: Preset) -> None:
        self._file = path.open("w", newline="")
        self._csv = csv.writer(self._file)
        self._features = preset.features
        columns = ["time_s", *self._features]
        for voice in preset.voices:
            columns += [f"{voice.name}_{k}" for k in ("hz", "volume", "present", "strike")]
        self._csv.writerow(columns)
        self._t0: int | None = None
        self.seconds = 0.0

    def record(self, sample: Sample, controls: Controls | None) -> None:
        if controls is None:
            return
        self._t0 = sample.frame.t_ns if self._t0 is None else self._t0
        self.seconds = (sample.frame.t_ns - self._t0) / 1e9
        angles = sample.angles
        row: list[object] = [
            f"{self.seconds:.4f}",
            *(f"{angles[name]:.3f}" for name in self._features),
        ]
        for v in controls.voices:
            row += [f"{v.freq:.3f}", f"{v.amp:.4f}", int(v.present), f"{v.strike:.3f}"]
        self._csv.writerow(row)

    def close(self) -> None:
        self._file.close()


def render(
    source: FrameSource,
    estimator: PoseEstimator,
    preset: Preset,
    synth: Synth,
    wav: Path,
    profile: Profile | None = None,
    recorder: SessionRecorder | None = None,
    who: Who | None = None,
    on_notice: Callable[[str], None] | None = None,
    parts: Mapping[Source, FeatureSource] | None = None,
) -> Rendered:
    """Track `source` (unpaced) and play `preset` (as `profile`'s client plays it) into `synth`,
    an offline synth writing `wav`; the curves go to `<wav>.controls.csv`. With a `recorder`
    the client's session is logged too. `who` picks the client when several people are in view;
    `on_notice` hears what the engine announces (the client out of view, back), timed."""
    tracker = Tracker.for_preset(source, estimator, preset, who, parts)
    curves_path = wav.with_suffix(".controls.csv")
    curves = CurveWriter(curves_path, preset)
    instrument = Instrument(preset, synth, profile)
    say = on_notice or (lambda text: None)
    engine = Engine(
        tracker,
        instrument,
        recorder=recorder,
        sinks=[curves],
        on_notice=lambda text: say(f"{curves.seconds:5.1f} s  {text}"),
    )
    if recorder is not None and profile is not None:
        engine.submit(Record(on=True))
    try:
        engine.run()
    finally:
        instrument.close()
        curves.close()
        if recorder is not None:
            recorder.close()
    if engine.error is not None:
        raise engine.error
    return Rendered(wav, curves_path, engine.frames, curves.seconds, engine.latest.smoothing_ms)
