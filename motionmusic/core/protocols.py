"""The small interfaces between the loop and the heavy libraries, each with an offline twin.

| protocol      | real                         | offline twin                      |
|---------------|------------------------------|-----------------------------------|
| FrameSource   | camera (OpenCV grab thread)  | video file, recorded trace        |
| PoseEstimator | MediaPipe PoseLandmarker     | recorded trace (`TracePoses`)     |
| Clock         | `RealClock`                  | `FakeClock`                       |
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from motionmusic.core.pose import Frame, PoseFrame


class SourceStatus(Enum):
    """Why `FrameSource.read` returned no frame."""

    WAITING = "waiting"  # nothing new yet; read again
    LOST = "lost"  # the device went away; the source is retrying
    ENDED = "ended"  # a file or trace is finished


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What a source is and what it grants (a camera may not give the mode we asked for)."""

    kind: str  # "camera", "video" or "trace"
    name: str
    width: int
    height: int
    fps: float


class FrameSource(Protocol):
    info: SourceInfo

    def read(self, timeout: float = 1.0) -> Frame | SourceStatus:
        """The newest frame not yet read, or why there is none."""
        ...

    def close(self) -> None: ...

    @property
    def dropped(self) -> int:
        """Frames skipped because the reader was busy: it got a newer one instead."""
        ...


class PoseEstimator(Protocol):
    stage_ms: dict[str, float]
    """Milliseconds spent in each internal stage on the last frame (for the benchmark)."""

    def estimate(self, frame: Frame) -> PoseFrame | None:
        """The person's pose in `frame`, or None when nobody is found."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class AudioStatus:
    backend: str
    alive: bool
    peak: float  # output peak of the latest buffer, 0..1
    latency_ms: float  # frame capture → sound, recent median (NaN: unknown)
    late_buffers: int  # audio callbacks that came late (dropouts), since the synth started
