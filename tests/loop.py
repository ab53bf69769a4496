"""The engine wired as the live commands wire it, for tests that hand it their own synth."""

from __future__ import annotations

from motionmusic.core.presets import Preset
from motionmusic.core.protocols import FrameSource, PoseEstimator, Synth, SynthFactory
from motionmusic.runtime.engine import Engine, Watcher
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.tracker import Tracker


def engine_for(
    source: FrameSource,
    poses: PoseEstimator,
    preset: Preset,
    synth: Synth,
    factory: SynthFactory | None = None,
    on_state: Watcher | None = None,
) -> Engine:
    tracker = Tracker.for_preset(source, poses, preset)
    return Engine(tracker, Instrument(preset, synth, factory=factory), on_state=on_state)
