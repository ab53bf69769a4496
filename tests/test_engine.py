"""The engine loop with a recording synth: what it sends, how often watchers hear of it."""

from __future__ import annotations

import signal
import time

import pytest

from motionmusic.adapters.synth_silent import SilentSynth
from motionmusic.core.clock import FakeClock
from motionmusic.core.controls import Controls
from motionmusic.core.pose import WHOLE, Frame, PoseFrame, Zone
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import Trace, read_trace
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


class SlowPoses(TracePoses):
    """A model that takes 20 ms a frame and must not be used once closed (MediaPipe crashes)."""

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.closed = False
        self.used_closed = 0

    def estimate(self, frame: Frame, zone: Zone = WHOLE, slot: int = 0) -> PoseFrame | None:
        time.sleep(0.02)
        self.used_closed += self.closed
        return super().estimate(frame, zone, slot)

    def close(self) -> None:
        self.closed = True


def test_a_stop_signalled_while_waiting_ends_the_loop_before_the_model_is_closed():
    """SIGTERM (a KeyboardInterrupt) lands while the front end waits for the loop, as a
    service stop does: the stop still waits for the loop to end, so the model it runs is never
    closed under it (that crashed the process on the way out: exit 139)."""
    trace = read_trace(bundled_trace())
    poses = SlowPoses(trace)
    engine = engine_for(
        TraceSource(trace, realtime=True), poses, find_preset("theremin"), RecordingSynth()
    )
    engine.start()
    previous = signal.signal(signal.SIGALRM, _interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            engine.wait(timeout=10)
    finally:
        signal.signal(signal.SIGALRM, previous)
    engine.stop()
    poses.close()  # as the session's ExitStack closes it, after the stop
    time.sleep(0.2)
    assert not engine.running and engine.status == "stopped"
    assert poses.used_closed == 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def test_an_arm_tracked_too_poorly_to_play_is_said_unsteady_held_and_logged(tmp_path):
    """An arm whose elevation jitters by 2.5° a frame (a figure far off, in dim light): the voice
    holds its note, and the screen, the client display and the session log say the tracking is
    unsteady, with what to do about it."""
    import numpy as np

    from motionmusic.core.angles import measure_body
    from motionmusic.core.trace import TraceHeader, TraceWriter
    from motionmusic.runtime.client_display import encode
    from motionmusic.runtime.news import UNSTEADY
    from motionmusic.runtime.recorder import SessionRecorder
    from motionmusic.store import clients
    from motionmusic.tui.screens.session import status
    from tests.skeleton import SIZE, arm_direction, pose_of, skeleton

    rng = np.random.default_rng(7)
    path = tmp_path / "far.mmtrace"
    writer = TraceWriter(path, TraceHeader(SIZE, 30.0, "far"))
    for i in range(150):
        t_ns = 1_000_000_000 + i * 33_333_333
        arm = arm_direction(abduction=90 + rng.normal(0, 2.5), left=False)
        pose = pose_of(skeleton(right_arm=arm), t_ns=t_ns)
        writer.write(t_ns, pose, measure_body(pose))
    writer.close()
    trace, preset = read_trace(path), find_preset("one-sided-right")
    synth, said, states = RecordingSynth(), list[str](), list[EngineState]()
    engine = engine_for(TraceSource(trace, realtime=False), TracePoses(trace), preset, synth)
    engine.on_notice = said.append

    class Screen:  # what a watcher would be shown at each frame
        def record(self, sample, controls) -> None:
            states.append(EngineState.of(engine, sample, controls))

    engine.sinks.append(Screen())
    engine.recorder = SessionRecorder(engine.tracker.source.info)
    engine.recorder.start(clients.create("U1", preset.name), preset, 0)
    engine.run()
    engine.recorder.close()
    notes = [c.voices[0].midi for c in synth.sent[30:-1]]
    assert len(set(notes)) == 1  # held: not one note flipped
    assert f"{UNSTEADY} (right_shoulder_elevation)" in said
    shown = [s for s in states if s.unsteady]
    assert shown and "TRACKING UNSTEADY: move closer or add light" in status(shown[-1])
    assert encode(shown[-1])["frame"]["place"] == "unsteady"
    (log,) = clients.sessions("U1")
    logged = [e.data["what"] for e in read_trace(log).events if e.kind == "tracking"]
    assert logged and logged[0].startswith(UNSTEADY)
