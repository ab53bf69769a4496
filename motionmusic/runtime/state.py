"""`EngineState`: the frozen snapshot watchers read. Everything a screen shows comes from here,
so no watcher ever reads an engine attribute that the loop thread may be changing."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from motionmusic.core.calibration import Progress
from motionmusic.core.client import Seen
from motionmusic.core.controls import Controls
from motionmusic.core.features import Features
from motionmusic.core.gestures import GestureState
from motionmusic.core.pointer import PointerState
from motionmusic.core.pose import PoseFrame
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile, Range
from motionmusic.core.protocols import AudioStatus, Sample
from motionmusic.core.targets import TargetState
from motionmusic.runtime.recorder import Recording

if TYPE_CHECKING:
    from motionmusic.runtime.engine import Engine


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineState:
    frame: int  # index of the frame shown (-1 before the first)
    fps: float
    source: str  # "ok", "lost", "ended", "stopped"
    dropped: int  # frames skipped because the loop was busy (it took a newer one)
    pose: PoseFrame | None = None  # landmarks, for drawing the figure
    raw: Features | None = None  # as measured
    angles: Features | None = None  # smoothed: what the mappings use
    controls: Controls | None = None  # what the synth was sent
    muted: bool = False
    preset: Preset | None = None  # as chosen
    played: Preset | None = None  # as played: through the client's calibration
    profile: Profile | None = None  # the client now
    targets: tuple[TargetState, ...] = ()  # in target, reps, time in target
    calibration: Progress | None = None  # a calibration in progress
    calibrated: dict[str, Range] | None = None  # the last calibration's result
    recording: Recording | None = None  # the session log being written
    audio: AudioStatus | None = None
    smoothing_ms: float = math.nan  # heard beyond the pipeline: filter + ramp + hold - prediction
    seen: Seen = Seen.CLIENT  # whose pose `pose` is; when not the client's, `pose` is None
    others: tuple[PoseFrame, ...] = ()  # other people in view lately (the figure shows them)
    outputs: tuple[str, ...] = ()  # other instruments played, and where to (MIDI, OSC)
    unsteady: tuple[str, ...] = ()  # features the preset plays, tracked too poorly to play
    gestures: tuple[GestureState, ...] = ()  # each gesture's state after the frame shown
    pointer: PointerState | None = None  # the head pointer, if the preset has one

    @property
    def heard_latency_ms(self) -> float:
        """What the client hears: frame → sound plus the smoothing (NaN: no audio measure)."""
        pipeline = self.audio.latency_ms if self.audio is not None else math.nan
        return pipeline + self.smoothing_ms

    @property
    def pose_found(self) -> bool:
        return self.pose is not None

    @property
    def tracked(self) -> bool:
        """The client is followed: by their body, or (a face or hand preset) by their face or
        hand alone."""
        measured = self.raw is not None and bool(self.raw.confidence.any())
        return self.seen is Seen.CLIENT and (self.pose is not None or measured)

    @property
    def client(self) -> str | None:
        return self.profile.client if self.profile else None

    @classmethod
    def of(cls, engine: Engine, sample: Sample, controls: Controls | None) -> EngineState:
        return _snapshot(engine, sample.frame.index, sample, controls)

    @classmethod
    def initial(cls, engine: Engine) -> EngineState:
        """Before the first frame: what is chosen, nothing measured yet."""
        return _snapshot(engine, -1, None, None)

    @classmethod
    def final(cls, engine: Engine) -> EngineState:
        """When the loop has ended: the last frame's values, the counts as they ended."""
        last = engine.latest
        state = _snapshot(engine, last.frame, None, last.controls)
        return dataclasses.replace(
            state, pose=last.pose, raw=last.raw, angles=last.angles, seen=last.seen
        )

    def with_muted(self, muted: bool) -> EngineState:
        return dataclasses.replace(self, muted=muted)

    def with_source(self, source: str) -> EngineState:
        return dataclasses.replace(self, source=source)


def _snapshot(
    engine: Engine, frame: int, sample: Sample | None, controls: Controls | None
) -> EngineState:
    """What the engine knows now (called in the loop thread, or by the constructor)."""
    instrument, recorder, calibrator = engine.instrument, engine.recorder, engine.calibrator
    performer = instrument.performer if instrument else None
    rewarder = performer.rewarder if performer else None
    return EngineState(
        frame=frame,
        fps=engine.fps,
        source=engine.status,
        dropped=engine.tracker.source.dropped,
        pose=sample.pose if sample else None,
        raw=sample.raw if sample else None,
        angles=sample.angles if sample else None,
        controls=controls,
        muted=instrument.muted if instrument else False,
        preset=instrument.preset if instrument else None,
        played=performer.preset if performer else None,
        profile=instrument.profile if instrument else None,
        targets=tuple(rewarder.states()) if rewarder else (),
        calibration=engine.progress if calibrator else None,
        calibrated=engine.calibrated,
        recording=recorder.status() if recorder else None,
        audio=instrument.status() if instrument else None,
        smoothing_ms=engine.delay.ms(engine.tracker.source.info.fps) if engine.delay else math.nan,
        seen=sample.seen if sample else Seen.CLIENT,
        others=sample.others if sample else (),
        outputs=tuple(output.describe() for output in instrument.outputs) if instrument else (),
        unsteady=engine.unsteady if sample else (),
        gestures=performer.gestures if performer and sample else (),
        pointer=performer.pointed if performer and sample else None,
    )
