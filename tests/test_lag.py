"""How soon the heard pitch follows the arm, measured from outside (tests/lag.py): the rendered
theremin's pitch against the unsmoothed movement, on real clips."""

from __future__ import annotations

import pytest

from motionmusic.adapters.synth_pyo import OfflineSynth
from motionmusic.core.filters import Smoothing
from motionmusic.core.presets import Preset
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import read_trace
from motionmusic.runtime.render import render
from motionmusic.store.preset_library import find_preset
from tests.lag import Lag, lag, reference

pytestmark = pytest.mark.model
BOUND_MS = 40.0
"""The benchmark's target is 25 ms median, 35 ms on every clip; a test must hold on a busy machine."""


def heard_after(preset: Preset, clip: str, clip_trace, tracked, tmp_path) -> Lag:
    trace = read_trace(clip_trace(clip))
    wav = tmp_path / f"{preset.name}.wav"
    render(
        TraceSource(trace, realtime=False),
        TracePoses(trace),
        preset,
        OfflineSynth(preset, wav),
        wav,
    )
    return lag(wav, *reference(tracked(clip), preset))


def wave_one(preset: Preset) -> Preset:
    """The settings this project shipped before the lag work: One Euro 0.5 Hz / beta 0.01, a
    20-cent glide hold, 35 ms ramps, and a pitch that steps at each frame."""
    lead = preset.voices[0]
    assert lead.pitch is not None
    old_pitch = lead.pitch.model_copy(update={"hold_cents": 20.0, "ahead": False})
    old_lead = lead.model_copy(update={"pitch": old_pitch})
    return preset.model_copy(
        update={
            "name": "wave-one",
            "voices": [old_lead, *preset.voices[1:]],
            "smoothing": Smoothing(method="one_euro"),
            "synth": preset.synth.model_copy(update={"ramp_ms": 35.0}),
        }
    )


@pytest.mark.parametrize("clip", ["dance_arms_raise_front.mp4", "tai_chi_arms_raise.mp4"])
def test_default_theremin_pitch_follows_the_arm_within_40_ms(clip, clip_trace, tracked, tmp_path):
    heard = heard_after(find_preset("theremin"), clip, clip_trace, tracked, tmp_path)
    assert heard.correlation > 0.985  # it is the arm the pitch follows (the rest hold holds
    # the top of a raise still while the raw arm wobbles a few cents: 0.989 on the dance clip)
    assert heard.ms <= BOUND_MS


@pytest.mark.parametrize("clip", ["dance_arms_raise_front.mp4", "tai_chi_arms_raise.mp4"])
def test_the_old_settings_fail_the_same_bound(clip, clip_trace, tracked, tmp_path):
    """The negative control: the same ruler, the same clip, wave 1's smoothing and ramps."""
    heard = heard_after(wave_one(find_preset("theremin")), clip, clip_trace, tracked, tmp_path)
    assert heard.correlation > 0.99
    assert heard.ms > BOUND_MS + 20


@pytest.mark.parametrize(
    ("old", "pipeline_ms"),
    [(False, None), (False, 25.0), (True, None)],
    ids=["shipped", "shipped-predicting-25-ms", "wave-one"],
)
def test_the_screens_smoothing_figure_agrees_with_the_outside_ruler(
    old, pipeline_ms, clip_trace, tracked, tmp_path
):
    """The terminal UI adds `smoothing_ms` (measured live on the client's movement) to the
    pipeline: it must be what the ruler hears, for a fast setting, one that predicts a live
    pipeline's 25 ms (the render stands for it), and a slow one alike."""
    clip = "dance_arms_raise_front.mp4"
    preset = wave_one(find_preset("theremin")) if old else find_preset("theremin")
    trace = read_trace(clip_trace(clip))
    wav = tmp_path / "meter.wav"
    source, poses = TraceSource(trace, realtime=False), TracePoses(trace)
    synth = OfflineSynth(preset, wav, pipeline_ms=pipeline_ms)
    shown = render(source, poses, preset, synth, wav).smoothing_ms
    heard = lag(wav, *reference(tracked(clip), preset))
    assert abs(shown - heard.ms) <= 20, (shown, heard.ms)  # here: 1-7 ms apart; wave one 17
