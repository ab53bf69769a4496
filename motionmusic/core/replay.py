"""A recorded trace as a frame source and a pose estimator: the loop runs with no camera, no model.

`TraceSource` hands out pixel-less frames (paced at the trace's own rate, or as fast as asked) and
`TracePoses` answers each with the pose that was recorded for it, so everything downstream sees
exactly what live tracking saw.
"""

from __future__ import annotations

import numpy as np

from motionmusic.core.client import Seen
from motionmusic.core.clock import Clock, RealClock
from motionmusic.core.features import Features, Source, source_slice
from motionmusic.core.pose import WHOLE, Frame, PoseFrame, Zone
from motionmusic.core.protocols import SourceInfo, SourceStatus
from motionmusic.core.trace import Trace


class TraceSource:
    """Frames of a trace at their recorded times (`realtime`) or back to back.

    Paced, a reader that falls behind gets the newest due frame, like a camera: the frames it was
    too slow for are skipped and counted in `dropped`.
    """

    def __init__(
        self, trace: Trace, realtime: bool = True, clock: Clock | None = None, loop: bool = False
    ) -> None:
        self.trace = trace
        width, height = trace.header.image_size
        self.info = SourceInfo("trace", trace.path.name, width, height, trace.header.fps)
        self._realtime = realtime
        self._clock = clock or RealClock()
        self._start_ns: int | None = None  # pacing starts at the first read, not at opening
        self._next = 0
        self._times = trace.records["t_ns"].astype(np.int64)
        self._loop = loop and len(trace) > 1
        self._closed = False
        self.dropped = 0

    def read(self, timeout: float = 1.0) -> Frame | SourceStatus:
        if self._next >= len(self.trace) and self._loop and not self._closed:
            self._next_lap()
        if self._next >= len(self.trace):
            return SourceStatus.ENDED
        if self._start_ns is None:
            self._start_ns = self._clock.now_ns() - int(self._times[0])
        i = self._next
        if self._realtime:
            self._clock.sleep_until(self._start_ns + int(self._times[i]))
            newest = (
                int(
                    np.searchsorted(
                        self._times, self._clock.now_ns() - self._start_ns, side="right"
                    )
                )
                - 1
            )
            self.dropped += max(newest, i) - i
            i = max(newest, i)
        self._next = i + 1
        return Frame(i, self._start_ns + int(self._times[i]), None)

    def _next_lap(self) -> None:
        """Looping (the demo): the trace starts again one frame interval after its last frame."""
        assert self._start_ns is not None
        step = int(self._times[-1] - self._times[0]) // (len(self._times) - 1)
        self._start_ns += int(self._times[-1] - self._times[0]) + step
        self._next = 0

    def close(self) -> None:
        self._closed = True
        self._next = len(self.trace)


class TracePoses:
    """The recorded pose of each frame a `TraceSource` hands out."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.stage_ms: dict[str, float] = {}
        self.model = trace.header.model or "unknown (a recorded trace)"

    sees_people = False  # a trace holds the client's poses only: nobody else was logged

    def estimate(self, frame: Frame, zone: Zone = WHOLE, slot: int = 0) -> PoseFrame | None:
        return self.trace.pose(frame.index, frame.t_ns)

    def find(self, frame: Frame, zone: Zone = WHOLE) -> PoseFrame | None:
        return self.estimate(frame)

    def forget(self, slot: int = 0) -> None:
        pass

    def close(self) -> None:
        pass


class TraceFeatures:
    """A face or hand source's offline twin: the features of that source a session log recorded
    for each frame a `TraceSource` hands out (a face's or a hand's points are never logged)."""

    def __init__(self, trace: Trace, source: Source) -> None:
        self.values, self.confidence = trace.features()
        self.part = source_slice(source)
        self.unseen = Seen.NO_FACE if source == "face" else Seen.NO_HAND
        self.stage_ms: dict[str, float] = {}

    def look(self, frame: Frame, pose: PoseFrame | None, body: bool) -> tuple[Features, Seen]:
        features, part = Features.missing(frame.t_ns), self.part
        if np.isnan(self.values[frame.index, part]).all():
            return features, self.unseen
        features.values[part] = self.values[frame.index, part]
        features.confidence[part] = self.confidence[frame.index, part]
        return features, Seen.CLIENT

    def release(self) -> None:
        pass
