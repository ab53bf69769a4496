"""The tracking chain for one frame: the client's pose and face → features → filter, with each
stage's time.

The engine calls `step` once per frame it takes from the source; nothing else loops over frames.

`Tracker` knows only the protocols (a frame source and a pose estimator), so a camera with MediaPipe
and a recorded trace run through exactly the same code. A model on pixels sees whoever is in the
room: a `Follower` keeps it on the client, and a frame without the client has no pose and no
features (the voices fade); a trace holds the client's poses already.

Only the sources the preset plays run: a face-only preset runs no pose model, and the face is
followed on its own (`FaceSource`); with the body too, the face is looked for where the client's
pose puts the head.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from motionmusic.core.angles import measure_body
from motionmusic.core.client import Seen
from motionmusic.core.features import Features, Source
from motionmusic.core.filters import FeatureFilter
from motionmusic.core.people import Who
from motionmusic.core.pose import Frame, PoseFrame
from motionmusic.core.presets import Preset
from motionmusic.core.protocols import FeatureSource, FrameSource, PoseEstimator, Sample
from motionmusic.runtime.follower import Follower, Sighting

Opener = Callable[[Source], FeatureSource]
"""Opens a face or hand source when a preset switched to needs one."""


class Tracker:
    def __init__(
        self,
        source: FrameSource,
        estimator: PoseEstimator,
        smoother: FeatureFilter,
        who: Who | None = None,
        people: int = 1,
        parts: Mapping[Source, FeatureSource] | None = None,
        needs: frozenset[Source] = frozenset({"body"}),
        opener: Opener | None = None,
    ) -> None:
        self.source, self.estimator, self.smoother = source, estimator, smoother
        self.parts = dict(parts or {})  # the face and hand sources there are
        self.needs = needs
        self.also: frozenset[Source] = frozenset()  # measured besides: a calibration's
        self.opener = opener
        self.follower = Follower(estimator, who, people) if estimator.sees_people else None
        self.group: list[FeatureFilter] = []  # group play: persons 2, 3, ... each smoothed alone
        self.play_for(people)

    @classmethod
    def for_preset(
        cls,
        source: FrameSource,
        estimator: PoseEstimator,
        preset: Preset,
        who: Who | None = None,
        parts: Mapping[Source, FeatureSource] | None = None,
    ) -> Tracker:
        """The chain a preset plays through: its smoothing, at the source's frame rate, for as
        many people as it has players, from the sources it plays."""
        smoother = FeatureFilter(preset.smoothing, source.info.fps)
        return cls(source, estimator, smoother, who, preset.people, parts, preset.sources)

    def use(self, needs: frozenset[Source], also: frozenset[Source] = frozenset()) -> None:
        """Play from `needs` from the next frame (a preset switch), and measure `also` (a
        calibration's features), opening a face or hand source not yet open. A model that
        cannot be opened raises a one-line MotionMusicError, and the rest plays on."""
        self.needs, self.also = needs, also
        for part in sorted(self.wanted - {"body"} - set(self.parts)):
            if self.opener is not None:
                self.parts[part] = self.opener(part)

    @property
    def wanted(self) -> frozenset[Source]:
        return self.needs | self.also

    @property
    def playing(self) -> list[FeatureSource]:
        """The face and hand sources measured (and that are there to run)."""
        return [part for source, part in self.parts.items() if source in self.wanted]

    @property
    def body(self) -> bool:
        """The pose model runs: the body is played or calibrated, or nothing else can find the
        client."""
        return "body" in self.wanted or not self.playing

    def play_for(self, people: int) -> None:
        """Follow `people` people (group play) from the next frame; a recorded trace has one."""
        if self.follower is None:
            return
        self.follower.play_for(people)
        fps = self.source.info.fps
        while len(self.group) < len(self.follower.seats) - 1:
            self.group.append(FeatureFilter(self.smoother.settings, fps))
        del self.group[len(self.follower.seats) - 1 :]

    def _look(self, frame: Frame) -> Sighting:
        if self.follower is not None:
            return self.follower.look(frame)
        pose = self.estimator.estimate(frame)
        return Sighting(pose, Seen.CLIENT if pose is not None else Seen.ABSENT)

    def _measure_parts(
        self, frame: Frame, pose: PoseFrame | None, raw: Features
    ) -> tuple[Features, Seen]:
        """The face's and the hand's features added to the body's. Without the body, the client
        is seen when one of them is; with it, the body says."""
        body = self.body
        seen: list[Seen] = []
        for source, part in self.parts.items():
            if source in self.wanted:
                features, found = part.look(frame, pose, body)
                raw = raw.merged(features, source)
                seen.append(found)
        if body or not seen or Seen.CLIENT in seen:
            return raw, Seen.CLIENT
        return raw, seen[0]

    def step(self, frame: Frame) -> Sample:
        t0 = time.perf_counter_ns()
        sighting = self._look(frame) if self.body else Sighting(None, Seen.CLIENT)
        pose, seen = sighting.pose, sighting.seen
        t1 = time.perf_counter_ns()
        raw = measure_body(pose) if pose is not None else Features.missing(frame.t_ns)
        if seen is Seen.CLIENT:
            raw, seen = self._measure_parts(frame, pose, raw)
        t2 = time.perf_counter_ns()
        angles = self.smoother(raw)
        t3 = time.perf_counter_ns()
        stages = {"decode": frame.decode_ns / 1e6, **self.estimator.stage_ms}
        for part in self.playing:
            stages.update(part.stage_ms)
        stages.update(pose=(t1 - t0) / 1e6, angles=(t2 - t1) / 1e6, filter=(t3 - t2) / 1e6)
        group = tuple(
            smoother(measure_body(p) if p is not None else Features.missing(frame.t_ns))
            for smoother, p in zip(self.group, sighting.group, strict=False)
        )
        unsteady = self.smoother.unsteady(frame.t_ns) if seen is Seen.CLIENT else frozenset()
        return Sample(frame, pose, raw, angles, stages, seen, sighting.others, group, unsteady)
