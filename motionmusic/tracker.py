"""The tracking chain for one frame: pose → angles → filter, with the time each stage took.

`Tracker` knows only the protocols (a frame source and a pose estimator), so a camera with MediaPipe
and a recorded trace run through exactly the same code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from motionmusic.core.angles import Angles, measure_all
from motionmusic.core.filters import AngleFilter
from motionmusic.core.pose import Frame, PoseFrame
from motionmusic.core.protocols import FrameSource, PoseEstimator, SourceStatus


@dataclass(frozen=True, slots=True)
class Sample:
    """Everything the chain made of one frame."""

    frame: Frame
    pose: PoseFrame | None
    raw: Angles  # as measured
    angles: Angles  # smoothed: what mappings use
    stage_ms: dict[str, float] = field(default_factory=dict)


class Tracker:
    def __init__(
        self, source: FrameSource, estimator: PoseEstimator, smoother: AngleFilter
    ) -> None:
        self.source, self.estimator, self.smoother = source, estimator, smoother

    def step(self, frame: Frame) -> Sample:
        t0 = time.perf_counter_ns()
        pose = self.estimator.estimate(frame)
        t1 = time.perf_counter_ns()
        raw = measure_all(pose) if pose is not None else Angles.missing(frame.t_ns)
        t2 = time.perf_counter_ns()
        angles = self.smoother(raw)
        t3 = time.perf_counter_ns()
        stages = {"decode": frame.decode_ns / 1e6, **self.estimator.stage_ms}
        stages.update(pose=(t1 - t0) / 1e6, angles=(t2 - t1) / 1e6, filter=(t3 - t2) / 1e6)
        return Sample(frame, pose, raw, angles, stages)

    def samples(
        self, max_frames: int | None = None, on_status: Callable[[SourceStatus], None] | None = None
    ) -> Iterator[Sample]:
        """Run until the source ends (or `max_frames`); LOST/WAITING are reported and survived."""
        count = 0
        while max_frames is None or count < max_frames:
            frame = self.source.read(timeout=1.0)
            if frame is SourceStatus.ENDED:
                return
            if isinstance(frame, SourceStatus):
                if on_status:
                    on_status(frame)
                continue
            count += 1
            yield self.step(frame)
