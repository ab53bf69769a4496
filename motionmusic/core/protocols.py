"""The small interfaces between the loop and the heavy libraries, each with an offline twin.

| protocol      | real                         | offline twin                      |
|---------------|------------------------------|-----------------------------------|
| FrameSource   | camera (OpenCV grab thread)  | video file, recorded trace        |
| PoseEstimator | MediaPipe PoseLandmarker     | recorded trace (`TracePoses`)     |
| FaceEstimator | MediaPipe FaceLandmarker     | recorded trace (`TraceFeatures`)  |
| Clock         | `RealClock`                  | `FakeClock`                       |
| Synth         | pyo in its own process       | pyo offline into a WAV; silent    |
| Sink          | session log, control curves, trace writer (each frame, after the synth) |
| Output        | MIDI port (rtmidi), OSC (UDP)| a list the messages are kept in   |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from motionmusic.core.client import Seen
from motionmusic.core.controls import Controls
from motionmusic.core.face import FaceFrame
from motionmusic.core.features import Features
from motionmusic.core.hand import HandFrame
from motionmusic.core.pose import WHOLE, Frame, PoseFrame, Zone
from motionmusic.core.presets import Preset
from motionmusic.core.targets import TargetState


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
    model: str
    """What makes the poses, as session logs and reports name it ("lite (a363f82e7e89)")."""

    sees_people: bool
    """True: it finds whoever is in the picture (a model on pixels), so a `Follower` must tell
    the client from others. False: its poses are the client's already (a recorded trace)."""

    def estimate(self, frame: Frame, zone: Zone = WHOLE, slot: int = 0) -> PoseFrame | None:
        """The pose of the person tracked in `zone` of `frame`, or None when nobody is found.
        Each `slot` tracks its own person (group play: one per player)."""
        ...

    def find(self, frame: Frame, zone: Zone = WHOLE) -> PoseFrame | None:
        """A person in `zone`, found afresh: no memory of earlier frames."""
        ...

    def forget(self, slot: int = 0) -> None:
        """Track afresh from the next `estimate` (someone else may have been tracked)."""
        ...

    def close(self) -> None: ...


class FaceEstimator(Protocol):
    """Finds faces: the face source's model (the face features are measured in `core.face`)."""

    stage_ms: dict[str, float]
    model: str

    def faces(self, frame: Frame, zone: Zone = WHOLE) -> list[FaceFrame]:
        """The faces in `zone` of `frame` (none: no face there)."""
        ...

    def close(self) -> None: ...


class HandEstimator(Protocol):
    """Finds hands: the hand source's model (the hand features are measured in `core.hand`)."""

    stage_ms: dict[str, float]
    model: str

    def hands(self, frame: Frame) -> list[HandFrame]: ...

    def close(self) -> None: ...


class FeatureSource(Protocol):
    """A source of features other than the body, as the tracker uses it: the client's face or
    hand features each frame, live (`runtime.face_source`, `runtime.hand_source`) or as a
    session log recorded them (`TraceFeatures`)."""

    @property
    def stage_ms(self) -> dict[str, float]:
        """Milliseconds spent in each stage on the last frame (for the benchmark)."""
        ...

    def look(self, frame: Frame, pose: PoseFrame | None, body: bool) -> tuple[Features, Seen]:
        """The client's features in `frame`, and whether the client's face or hand was seen.
        `body`: the body is tracked too, and `pose` says where the client is."""
        ...

    def release(self) -> None:
        """Let the lock on the client's face or hand go (the therapist's cycle key)."""
        ...


@dataclass(frozen=True, slots=True)
class AudioStatus:
    backend: str
    alive: bool
    peak: float  # output peak of the latest buffer, 0..1
    latency_ms: float  # frame capture → sound, recent median (NaN: unknown)
    late_buffers: int  # dropouts since the synth started: JACK's xruns, else late callbacks
    fault: str = ""  # why it stopped sounding last ("the synth crashed (...)"); "" never
    faults: int = 0  # how often it stopped: a synth that crashed and is back counts
    route: str = ""  # where the sound goes ("default output via system ALSA", "system JACK")


class Synth(Protocol):
    """Makes each frame's controls heard: live (pyo in its own process), offline (into a WAV at
    the frame's own time) or not at all (no audio device). The loop never waits on it."""

    def send(self, controls: Controls, t_ns: int) -> None:
        """Play `controls`, which came from the frame captured at `t_ns` (monotonic ns)."""
        ...

    def set_muted(self, muted: bool) -> None:
        """Silence (or restore) the output within a few milliseconds, whatever else happens."""
        ...

    def ensure_alive(self) -> None:
        """Called every frame: restart a synth that died, in the background (never blocks)."""
        ...

    def status(self) -> AudioStatus | None:
        """Backend, health, level and latency for watchers; None when there is nothing to say."""
        ...

    def close(self) -> None:
        """Fade out and stop; the object is done afterwards."""
        ...


SynthFactory = Callable[[Preset], Synth]
"""Builds (and starts) a synth for a preset with other instruments, on the same audio settings."""


@dataclass(frozen=True, slots=True)
class Sample:
    """Everything the tracking chain made of one frame."""

    frame: Frame
    pose: PoseFrame | None
    raw: Features  # as measured
    angles: Features  # smoothed: what mappings use
    stage_ms: dict[str, float] = field(default_factory=dict)
    seen: Seen = Seen.CLIENT  # `pose` is the client's; else it is None, and why
    others: tuple[PoseFrame, ...] = ()  # other people seen lately (the figure shows them)
    group: tuple[Features, ...] = ()  # group play: persons 2, 3, ... smoothed (missing: not seen)
    unsteady: frozenset[str] = frozenset()  # the client's angles tracked too poorly to play


class Sink(Protocol):
    """Takes every frame after the synth has it: a session log, control curves, a trace file.

    Called in the loop thread: it must only buffer or write quickly, never wait."""

    def record(self, sample: Sample, controls: Controls | None) -> None: ...


@dataclass(frozen=True, slots=True)
class Played:
    """One frame as other instruments get it: what was measured, sounded and reached."""

    angles: Features
    controls: Controls
    targets: tuple[TargetState, ...]
    present: bool  # the client is followed (False: nobody, or someone else, in view)


class Output(Protocol):
    """Another instrument the movement plays (MIDI, OSC), fed in the loop after the synth.

    `play` sends only what changed; `silence` lets every note go (mute, client lost, preset
    switch, a synth restart, exit) and may be called from any thread."""

    def play(self, played: Played) -> None: ...

    def silence(self) -> None: ...

    def switch(self, preset: Preset) -> None: ...

    def set_muted(self, muted: bool) -> None: ...

    def describe(self) -> str:
        """One line for the screen: what it is and where it goes."""
        ...

    def close(self) -> None: ...
