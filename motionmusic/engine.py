"""The engine: one thread owns the loop, newest frame → pose → angles → filter → mapping → synth.

It knows only protocols (a frame source, a pose estimator, a synth), so tests run it on a trace with
an offline or JACK synth. Watchers (the headless status line, later the terminal UI) get a state
snapshot at most `state_hz` times a second through a callback that must not block; commands come
back through `mute()` (which goes straight to the synth, bypassing the loop: it always works at
once) and `stop()`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from motionmusic.core.angles import Angles
from motionmusic.core.calibration import Calibrator, Progress
from motionmusic.core.filters import AngleFilter
from motionmusic.core.performer import Controls, Performer
from motionmusic.core.pose import PoseFrame
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile, Range
from motionmusic.core.protocols import AudioStatus, FrameSource, PoseEstimator, SourceStatus
from motionmusic.core.session import SessionLog
from motionmusic.core.targets import TargetState
from motionmusic.tracker import Sample, Tracker


class Synth(Protocol):
    def send(self, controls: Controls, capture_ns: int) -> None: ...
    def set_muted(self, muted: bool) -> None: ...
    def ensure_alive(self) -> None: ...
    def close(self) -> None: ...


SynthFactory = Callable[[Preset], Synth]
"""Builds (and starts) a synth for a preset: lets the engine switch presets while playing."""


@dataclass(frozen=True, slots=True)
class EngineState:
    """A snapshot for watchers."""

    frame: int
    fps: float
    pose_found: bool
    angles: Angles
    controls: Controls
    muted: bool
    source: str  # "ok", "lost", "ended", "stopped"
    dropped: int
    targets: tuple[TargetState, ...] = ()  # the client's ROM targets: in target, reps, time
    pose: PoseFrame | None = None  # landmarks, for drawing the figure
    raw: Angles | None = None  # as measured (angles above are smoothed)
    calibration: Progress | None = None  # a calibration in progress
    recording_s: float | None = None  # seconds logged so far, None when not recording
    audio: AudioStatus | None = None


class Command(Protocol):
    def __call__(self, engine: Engine) -> None: ...


class Engine:
    def __init__(
        self,
        source: FrameSource,
        estimator: PoseEstimator,
        preset: Preset,
        synth: Synth,
        on_state: Callable[[EngineState], None] | None = None,
        state_hz: float = 15.0,
        synth_factory: SynthFactory | None = None,
        profile: Profile | None = None,
        log: SessionLog | None = None,
    ) -> None:
        self.tracker = Tracker(source, estimator, AngleFilter(preset.smoothing, source.info.fps))
        self.preset = preset
        self.profile = profile
        self.log = log
        self.performer = Performer(preset, profile)
        self.synth = synth
        self._factory = synth_factory
        self._pending: tuple[Preset, Synth] | None = None
        self.on_state = on_state
        self._interval = 1.0 / state_hz
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self.calibrator: Calibrator | None = None
        self.calibrated: dict[str, Range] | None = None  # the last calibration's result
        self._log_started = 0.0
        self.progress: Progress | None = None
        self.muted = False
        self.frames = 0
        self.status = "ok"
        self.error: BaseException | None = None

    def start(self) -> Engine:
        self._thread.start()
        return self

    def mute(self, muted: bool | None = None) -> bool:
        """Set (or toggle) mute; takes effect in the synth's next audio buffer."""
        self.muted = (not self.muted) if muted is None else muted
        self.synth.set_muted(self.muted)
        return self.muted

    def switch_preset(self, preset: Preset) -> threading.Thread:
        """Play `preset` from the next frame after its synth is up; the old one plays until then.

        The preset is already validated (loading a bad file raises before it gets here), so a
        malformed preset never touches the running sound. The new synth boots in the background;
        the loop swaps at a frame boundary and the old synth fades out.
        """
        if self._factory is None:
            raise RuntimeError("this engine was built without a synth factory")
        factory = self._factory

        def prepare() -> None:
            self._pending = (preset, factory(preset))

        worker = threading.Thread(target=prepare, name="synth-switch", daemon=True)
        worker.start()
        return worker

    def submit(self, command: Command) -> None:
        """Run `command(engine)` in the loop thread before the next frame (thread-safe, never
        blocks): how a watcher changes anything but mute."""
        self._commands.put(command)

    def drain(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            command(self)

    def play_preset(self, preset: Preset) -> None:
        """Loop thread: a mapping change applies at this frame; a new sound (other instruments,
        synth settings or reward) boots its own synth first, as `switch_preset` does."""
        current = self.preset
        same_sound = (
            [(v.instrument, v.note) for v in preset.voices]
            == [(v.instrument, v.note) for v in current.voices]
            and preset.synth == current.synth
            and preset.reward == current.reward
        )
        if not same_sound and self._factory is not None:
            self.switch_preset(preset)
            return
        rewarder = self.performer.rewarder
        self.preset, self.performer = preset, Performer(preset, self.profile)
        self.performer.rewarder = rewarder or self.performer.rewarder
        self.tracker.smoother = AngleFilter(preset.smoothing, self.tracker.source.info.fps)

    def use_profile(self, profile: Profile | None) -> None:
        """Loop thread: play through this client's (new) ranges and targets."""
        self.profile = profile
        self.performer = Performer(self.preset, profile)

    def start_calibration(self, calibrator: Calibrator) -> None:
        self.calibrator, self.calibrated = calibrator, None

    def record(self, log: SessionLog | None) -> SessionLog | None:
        """Loop thread: start logging to `log` (None stops); returns the log that was running."""
        old, self.log = self.log, log
        self._log_started = time.monotonic()
        return old

    def _swap_if_ready(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        preset, synth = pending
        old = self.synth
        # targets, reps and time in target carry over: it is the same session
        rewarder = self.performer.rewarder
        self.preset, self.performer, self.synth = preset, Performer(preset, self.profile), synth
        if rewarder is not None:
            self.performer.rewarder = rewarder
        self.tracker.smoother = AngleFilter(preset.smoothing, self.tracker.source.info.fps)
        synth.set_muted(self.muted)
        threading.Thread(target=old.close, name="synth-retire", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=5.0)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the source to end; True if the loop finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _on_status(self, status: SourceStatus) -> None:
        if status is SourceStatus.LOST:
            self.status = "lost"
            self._silence()  # a camera gone is a person gone: fade, never a stuck note

    def _silence(self) -> None:
        now = time.monotonic_ns()
        self.synth.send(self.performer.step(Angles.missing(now)), now)

    def _run(self) -> None:
        started, published = time.monotonic(), 0.0
        try:
            for sample in self.tracker.samples(on_status=self._on_status):
                if self._stop.is_set():
                    break
                self.status = "ok"
                self.drain()
                self._swap_if_ready()
                self._calibrate(sample.raw)
                controls = self.performer.step(sample.angles)
                self.synth.ensure_alive()
                self.synth.send(controls, sample.frame.t_ns)
                if self.log is not None:
                    self.log.record(sample.frame.t_ns, sample.pose, sample.raw, controls)
                self.frames += 1
                now = time.monotonic()
                if self.on_state is not None and now - published >= self._interval:
                    published = now
                    fps = self.frames / max(now - started, 1e-6)
                    self.on_state(self._state(sample, fps, controls))
        except BaseException as exc:
            self.error = exc
        finally:
            if self._stop.is_set():
                self.status = "stopped"
            elif self.status == "ok":
                self.status = "ended"
            self._silence()

    def _calibrate(self, raw: Angles) -> None:
        if self.calibrator is None:
            return
        self.progress = self.calibrator.update(raw)
        if self.calibrator.done:
            self.calibrated, self.calibrator = self.calibrator.results, None

    def _state(self, sample: Sample, fps: float, controls: Controls) -> EngineState:
        calibrating = self.calibrator is not None
        return EngineState(
            sample.frame.index,
            fps,
            sample.pose is not None,
            sample.angles,
            controls,
            self.muted,
            self.status,
            self.tracker.source.dropped,
            tuple(self.performer.rewarder.states()) if self.performer.rewarder else (),
            sample.pose,
            sample.raw,
            self.progress if calibrating else None,
            time.monotonic() - self._log_started if self.log is not None else None,
            audio_status(self.synth),
        )


def audio_status(synth: Synth) -> AudioStatus | None:
    """What the synth reports about itself, if it reports anything (offline twins do not)."""
    status = getattr(synth, "status", None)
    return status() if callable(status) else None
