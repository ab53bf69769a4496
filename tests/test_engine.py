"""The engine loop with a recording synth: what it sends, how often watchers hear of it."""

from __future__ import annotations

import time

from motionmusic.adapters.synth_silent import SilentSynth
from motionmusic.core.clock import FakeClock
from motionmusic.core.controls import Controls
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import read_trace
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.sources import bundled_trace
from motionmusic.runtime.state import EngineState
from motionmusic.store.preset_library import find_preset
from tests.loop import engine_for


class RecordingSynth(SilentSynth):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Controls] = []
        self.mutes: list[bool] = []
        self.checks = 0

    def send(self, controls: Controls, t_ns: int) -> None:
        self.sent.append(controls)

    def set_muted(self, muted: bool) -> None:
        self.mutes.append(muted)

    def ensure_alive(self) -> None:
        self.checks += 1


def run_engine(realtime: bool, on_state=None) -> tuple[Engine, RecordingSynth]:
    trace = read_trace(bundled_trace())
    synth = RecordingSynth()
    source = TraceSource(trace, realtime=realtime, clock=None if realtime else FakeClock())
    engine = engine_for(
        source, TracePoses(trace), find_preset("theremin"), synth, on_state=on_state
    )
    engine.start()
    assert engine.wait(timeout=10)
    return engine, synth


def test_every_frame_reaches_the_synth_and_the_end_fades_out():
    engine, synth = run_engine(realtime=False)
    assert engine.error is None and engine.frames == 120
    assert len(synth.sent) == 121 and synth.checks == 120
    assert any(v.present for c in synth.sent[:-1] for v in c.voices)
    assert not any(v.present for v in synth.sent[-1].voices)  # source ended: silence, no stuck note


def test_watchers_get_at_most_15_updates_a_second():
    states: list[EngineState] = []
    run_engine(realtime=True, on_state=states.append)
    assert 4.0 * 15 * 0.6 <= len(states) <= 4.0 * 15 + 1  # a 4-second trace
    assert states[-1].frame > 100 and states[-1].pose_found


def test_mute_goes_straight_to_the_synth():
    trace = read_trace(bundled_trace())
    synth = RecordingSynth()
    engine = engine_for(
        TraceSource(trace, realtime=True), TracePoses(trace), find_preset("theremin"), synth
    )
    assert engine.mute() is True and engine.mute() is False and engine.mute(True) is True
    assert synth.mutes == [True, False, True]  # even before the loop runs
    engine.start()
    time.sleep(0.1)
    engine.stop()
    assert not engine.running
