"""Helpers for the terminal UI tests: a live session on a recorded trace, and a frozen state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from motionmusic.adapters.synth_silent import SilentSynth
from motionmusic.core.controls import Controls
from motionmusic.core.performer import Performer
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import AudioStatus, SynthFactory
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import read_trace
from motionmusic.runtime.live_session import LiveSession
from motionmusic.runtime.recorder import Recording
from motionmusic.runtime.sources import bundled_trace
from motionmusic.runtime.state import EngineState
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset
from motionmusic.tui.app import MotionMusicApp


class RecordingSynth(SilentSynth):
    """Keeps everything the engine sends, so a test can check what the synth would have played."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Controls] = []

    def send(self, controls: Controls, capture_ns: int) -> None:
        super().send(controls, capture_ns)
        self.sent.append(controls)


def live_on(
    trace: Path | None = None,
    preset: str = "arm-raise-pentatonic",
    synth: object | None = None,
    profile: Profile | None = None,
    state_hz: float = 15.0,
    factory: SynthFactory | None = None,
) -> LiveSession:
    loaded = read_trace(trace or bundled_trace())
    source = TraceSource(loaded, realtime=True, loop=True)
    return LiveSession(
        source,
        TracePoses(loaded),
        find_preset(preset),
        synth or RecordingSynth(),  # type: ignore[arg-type]
        factory,
        profile,
        state_hz,
    )


def client_with_target(client: str = "C017") -> Profile:
    profile = clients.create(client, "arm-raise-pentatonic")
    profile = profile.with_angle(
        "right_shoulder_flexion", range={"rest": 20, "reach": 150}, target=120
    )
    clients.save(profile)
    return profile


def frozen_state(live: LiveSession, index: int = 55) -> EngineState:
    """The state of one frame of the bundled trace, with fixed rates: screens look the same
    every run."""
    trace = read_trace(bundled_trace())
    angles = list(trace.angles())[index]
    now = live.state
    assert now.preset is not None
    performer = Performer(now.preset, now.profile)
    controls = performer.step(angles)
    targets = tuple(performer.rewarder.states()) if performer.rewarder else ()
    return EngineState(
        frame=index,
        fps=30.0,
        source="ok",
        dropped=0,
        pose=trace.pose(index, 0),
        raw=angles,
        angles=angles,
        controls=controls,
        preset=now.preset,
        played=performer.preset,
        profile=now.profile,
        targets=targets,
        recording=Recording(now.client or "", Path("session.mmtrace"), 83.0),
        audio=AudioStatus("jack", True, 0.4, 38.0, 0),
        smoothing_ms=22.0,
    )


def playing(live: LiveSession) -> str | None:
    """The name of the preset the session plays now."""
    return live.state.preset.name if live.state.preset else None


def run_app(app: MotionMusicApp, scenario: Callable[..., Awaitable[None]], size=(80, 24)) -> None:
    """Run `scenario(pilot)` in the app (no event-loop plugin needed)."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await scenario(pilot)

    asyncio.run(main())


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)
