"""A recorded trace as a frame source and a pose estimator: the loop runs with no camera, no model.

`TraceSource` hands out pixel-less frames (paced at the trace's own rate, or as fast as asked) and
`TracePoses` answers each with the pose that was recorded for it, so everything downstream sees
exactly what live tracking saw.
"""

from __future__ import annotations

from motionmusic.core.clock import Clock, RealClock
from motionmusic.core.pose import Frame, PoseFrame
from motionmusic.core.protocols import SourceInfo, SourceStatus
from motionmusic.core.trace import Trace


class TraceSource:
    """Frames of a trace at their recorded times (`realtime`) or back to back."""

    def __init__(self, trace: Trace, realtime: bool = True, clock: Clock | None = None) -> None:
        self.trace = trace
        width, height = trace.header.image_size
        self.info = SourceInfo("trace", trace.path.name, width, height, trace.header.fps)
        self._realtime = realtime
        self._clock = clock or RealClock()
        self._start_ns = self._clock.now_ns()
        self._next = 0

    @property
    def dropped(self) -> int:
        return 0

    def read(self, timeout: float = 1.0) -> Frame | SourceStatus:
        if self._next >= len(self.trace):
            return SourceStatus.ENDED
        i = self._next
        self._next += 1
        t_ns = self._start_ns + int(self.trace.records[i]["t_ns"])
        if self._realtime:
            self._clock.sleep_until(t_ns)
        return Frame(i, t_ns, None)

    def close(self) -> None:
        self._next = len(self.trace)


class TracePoses:
    """The recorded pose of each frame a `TraceSource` hands out."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.stage_ms: dict[str, float] = {}

    def estimate(self, frame: Frame) -> PoseFrame | None:
        return self.trace.pose(frame.index, frame.t_ns)

    def close(self) -> None:
        pass
