"""What the follower saw of a room, frame by frame, kept so that every preset can play it.

Tracking a picture with the real model is the slow part (tens of milliseconds a pose); playing it
through a preset is not. So a room is tracked once per number of people followed (1 for a solo
preset, 2 for `duet`, 4 for `circle`): `record` runs the engine's own loop with the real
`Follower` and keeps each frame's `Sighting` (poses, who was seen, the group). `replay` then runs
the engine again for any preset on pixel-less frames, with a tracker whose look is the recorded
one: everything after the follower (angles, smoothing, mapping, instrument) is the real code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from motionmusic.adapters.synth_silent import SilentSynth
from motionmusic.core.filters import OFF, FeatureFilter
from motionmusic.core.pose import WHOLE, Frame, PoseFrame, Zone
from motionmusic.core.presets import Preset
from motionmusic.core.protocols import PoseEstimator, Sink, SourceInfo, SourceStatus
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.follower import Sighting
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.tracker import Tracker
from tests.gallery import FPS


class Frames:
    """A frame source over frames made beforehand (a still picture with fresh noise each frame,
    or the same frames without pixels for a replay)."""

    def __init__(self, frames: Iterable[Frame], size: tuple[int, int]) -> None:
        self._frames = iter(frames)
        self.info = SourceInfo("video", "still", size[0], size[1], FPS)
        self.dropped = 0

    def read(self, timeout: float = 1.0) -> Frame | SourceStatus:
        return next(self._frames, SourceStatus.ENDED)

    def close(self) -> None:
        pass


class _Recording(Tracker):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.sightings: list[Sighting] = []

    def _look(self, frame: Frame) -> Sighting:
        sighting = super()._look(frame)
        self.sightings.append(replace(sighting, others=()))
        return sighting


@dataclass(frozen=True)
class Sightings:
    """One room as the follower saw it, following `people` people."""

    people: int
    frames: tuple[Frame, ...]  # without pixels
    seen: tuple[Sighting, ...]
    size: tuple[int, int]


def record(
    frames: Iterable[Frame], size: tuple[int, int], estimator: PoseEstimator, people: int
) -> Sightings:
    """Track `frames` with the real follower (unfiltered: each preset smooths its own way)."""
    tracker = _Recording(Frames(frames, size), estimator, FeatureFilter(OFF), None, people)
    kept: list[Frame] = []
    engine = Engine(tracker, sinks=[_FrameKeeper(kept)])
    engine.run()
    if engine.error is not None:
        raise engine.error
    return Sightings(people, tuple(kept), tuple(tracker.sightings), size)


class _FrameKeeper:
    def __init__(self, kept: list[Frame]) -> None:
        self._kept = kept

    def record(self, sample: object, controls: object) -> None:
        frame = sample.frame  # type: ignore[attr-defined]
        self._kept.append(replace(frame, image=None))


class _Recorded:
    """The estimator of a replay: it sees nobody (the recorded sightings say who was seen)."""

    sees_people = False
    model = "recorded"

    def __init__(self) -> None:
        self.stage_ms: dict[str, float] = {}

    def estimate(self, frame: Frame, zone: Zone = WHOLE, slot: int = 0) -> PoseFrame | None:
        return None

    def find(self, frame: Frame, zone: Zone = WHOLE) -> PoseFrame | None:
        return None

    def forget(self, slot: int = 0) -> None:
        pass

    def close(self) -> None:
        pass


class _Replay(Tracker):
    def __init__(self, sightings: Sightings, preset: Preset) -> None:
        self._seen = sightings.seen
        source = Frames(sightings.frames, sightings.size)
        super().__init__(source, _Recorded(), FeatureFilter(preset.smoothing, FPS))
        players = min(preset.people, sightings.people)
        self.group = [FeatureFilter(preset.smoothing, FPS) for _ in range(players - 1)]

    def _look(self, frame: Frame) -> Sighting:
        return self._seen[frame.index]


def replay(sightings: Sightings, preset: Preset, sinks: list[Sink]) -> Engine:
    """Play the recorded room through `preset` (silently), feeding `sinks`."""
    engine = Engine(_Replay(sightings, preset), Instrument(preset, SilentSynth()), sinks=sinks)
    engine.run()
    if engine.error is not None:
        raise engine.error
    return engine
