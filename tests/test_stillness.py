"""A still body plays still: every shipped preset, on every still picture the media gives.

After the first second (the rest hold averages it), a scale voice never changes note and a glide
voice wobbles at most 5 cents RMS: as shipped, and with each scale voice's range moved so the
body sits exactly on the boundary between two notes (the worst place to hold still)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from motionmusic.adapters.pose_mediapipe import MediaPipePose
from motionmusic.adapters.synth_silent import SilentSynth
from motionmusic.core.angles import ANGLE_NAMES
from motionmusic.core.controls import Controls
from motionmusic.core.filters import OFF
from motionmusic.core.presets import Preset
from motionmusic.core.protocols import Sample
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.scales import note_to_midi, scale_notes
from motionmusic.core.trace import read_trace
from motionmusic.store.preset_library import find_preset, shipped
from tests.loop import engine_for
from tests.stills import hold_still, still_pictures

pytestmark = pytest.mark.model
SECONDS = 6.0
SETTLED_S = 1.0
PRESETS = sorted(path.stem for path in shipped())


@pytest.fixture(scope="module")
def stills(model_path: Path, media_dir: Path, trace_dir: Path) -> dict[str, Path]:
    traces = {}
    for seed, (name, image) in enumerate(still_pictures(media_dir), start=21):
        with MediaPipePose(model_path) as estimator:  # a fresh tracker: each still starts at 1 s
            traces[name] = hold_still(
                image, estimator, trace_dir / f"still-{name}.mmtrace", SECONDS, seed
            )
    return traces


class Pitches:
    """Sink: each voice's MIDI pitch per frame after the first second (NaN when not sounding)."""

    def __init__(self) -> None:
        self.rows: list[list[float]] = []
        self._t0: int | None = None

    def record(self, sample: Sample, controls: Controls | None) -> None:
        self._t0 = sample.frame.t_ns if self._t0 is None else self._t0
        if controls is not None and sample.frame.t_ns - self._t0 >= SETTLED_S * 1e9:
            self.rows.append([v.midi if v.present else np.nan for v in controls.voices])


def pitches(preset: Preset, trace_path: Path) -> np.ndarray:
    trace = read_trace(trace_path)
    sink = Pitches()
    engine = engine_for(
        TraceSource(trace, realtime=False), TracePoses(trace), preset, SilentSynth()
    )
    engine.sinks.append(sink)
    engine.run()
    return np.array(sink.rows)


def on_the_boundary(preset: Preset, trace_path: Path) -> Preset:
    """Each scale voice's range moved so the still body's median angle sits on the midpoint
    between the scale's 4th and 5th notes."""
    records = read_trace(trace_path).records
    voices = []
    for voice in preset.voices:
        pitch = voice.pitch
        if pitch is None or pitch.mode != "scale":
            voices.append(voice)
            continue
        column = records["angles"][:, ANGLE_NAMES.index(pitch.feature)]
        if np.isnan(column).all():
            voices.append(voice)
            continue
        held = float(np.nanmedian(column))
        notes = scale_notes(pitch.scale, note_to_midi(pitch.root), pitch.octaves)
        position = ((notes[3] + notes[4]) / 2 - notes[0]) / (12 * pitch.octaves)
        position = 1 - position if pitch.invert else position
        low, high = pitch.input
        start = held - position * (high - low)
        moved = {"input": (start, start + high - low), "curve": "linear", "dead_zone": 0.0}
        voices.append(voice.model_copy(update={"pitch": pitch.model_copy(update=moved)}))
    return preset.model_copy(update={"voices": voices})


def unsteadiness(preset: Preset, played: np.ndarray) -> list[str]:
    """What a listener would hear move, voice by voice."""
    heard = []
    for i, voice in enumerate(preset.voices):
        midi = played[:, i]
        midi = midi[~np.isnan(midi)]
        if voice.pitch is None or midi.size < 2:
            continue
        if voice.pitch.mode == "scale":
            changes = int(np.count_nonzero(np.diff(midi)))
            if changes:
                heard.append(f"{voice.name}: {changes} note change(s)")
        else:
            wobble = float(np.sqrt(np.mean((100 * (midi - np.median(midi))) ** 2)))
            if wobble > 5.0:
                heard.append(f"{voice.name}: {wobble:.1f} cents RMS")
    return heard


@pytest.mark.parametrize("name", PRESETS)
def test_a_still_body_plays_still(name: str, stills: dict[str, Path]) -> None:
    preset = find_preset(name)
    heard = {}
    for still, path in stills.items():
        for variant, played in (
            ("", preset),
            (" (on a note boundary)", on_the_boundary(preset, path)),
        ):
            moved = unsteadiness(played, pitches(played, path))
            if moved:
                heard[still + variant] = moved
    assert not heard, heard


def test_without_the_rest_hold_the_same_stills_are_heard_moving(stills: dict[str, Path]) -> None:
    """The control: these stills are hard enough that the raw angles wobble and flip notes."""
    unsteady = []
    for name in PRESETS:
        preset = find_preset(name).model_copy(update={"smoothing": OFF})
        for still, path in stills.items():
            for played in (preset, on_the_boundary(preset, path)):
                if unsteadiness(played, pitches(played, path)):
                    unsteady.append(f"{name} on {still}")
    assert len(unsteady) >= 5, unsteady
