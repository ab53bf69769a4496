"""The engine: one loop, newest frame → pose → angles → filter → mapping → synth → sinks.

Live play, the terminal UI, offline rendering, `track` and `calibrate` all run this loop; they
differ only in the objects handed in (a camera or a file, a synth process or an offline one or
none, which sinks) and in whether the loop runs on a thread of its own (`start`) or in the
caller's (`run`). The engine imports no adapter.

Watchers get a frozen `EngineState` at most `state_hz` times a second through a callback that
must not block; they change things only by `submit`ting commands, which the loop runs between
frames, before the next frame is tracked: an edit applies from that frame on, live and in the
session log alike. Mute is the one exception: it goes straight to the synth, so it always works.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from motionmusic.core.calibration import Calibrator, Progress
from motionmusic.core.client import Seen
from motionmusic.core.clock import Clock, RealClock
from motionmusic.core.controls import Controls
from motionmusic.core.delay import HeardDelay
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import Features
from motionmusic.core.filters import FeatureFilter, refilter
from motionmusic.core.pose import Frame
from motionmusic.core.profile import Range
from motionmusic.core.protocols import Sample, Sink, SourceStatus
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.news import News
from motionmusic.runtime.recorder import SessionRecorder
from motionmusic.runtime.state import EngineState
from motionmusic.runtime.tracker import Tracker

Watcher = Callable[[EngineState], None]
Notify = Callable[[str], None]


class Command(Protocol):
    """Anything the loop can run between frames (see `runtime.commands`)."""

    def __call__(self, engine: Engine) -> None: ...


class Engine:
    def __init__(
        self,
        tracker: Tracker,
        instrument: Instrument | None = None,
        *,
        recorder: SessionRecorder | None = None,
        sinks: Sequence[Sink] = (),
        on_state: Watcher | None = None,
        on_notice: Notify | None = None,
        on_action: Notify | None = None,
        state_hz: float = 15.0,
        max_frames: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.tracker, self.instrument, self.recorder = tracker, instrument, recorder
        self.sinks = list(sinks)
        self.delay: HeardDelay | None = None  # how far the sound trails the client's moves
        self.on_state = on_state
        self.on_notice: Notify = on_notice or (lambda text: None)
        self.on_action = on_action  # a gesture pressed a switch action (next_preset, record, ...)
        self.clock = clock or RealClock()
        self.calibrator: Calibrator | None = None
        self.calibrated: dict[str, Range] | None = None  # the last calibration's result
        self.progress: Progress | None = None
        self.frames = 0
        self.status = "ok"  # "ok", "lost", "ended", "stopped"
        self.error: BaseException | None = None
        self._interval = 1.0 / state_hz
        self._max_frames = max_frames
        self._stop = threading.Event()
        self._ended = threading.Event()  # the loop has ended (see stop())
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self.run, name="engine", daemon=True)
        self._t_ns = self.clock.now_ns()  # the newest frame's time: edits are logged at it
        self._published = -1.0
        self._watchers: list[_Watch] = []
        self.fps = 0.0
        self.news = News(lambda text: self.on_notice(text), self._log_event)
        self.unsteady: tuple[str, ...] = ()  # features the preset plays, tracked too poorly
        self.latest = EngineState.initial(self)

    # -- what watchers may do -------------------------------------------------------------
    def start(self) -> Engine:
        """Run the loop on its own thread."""
        self._thread.start()
        return self

    def watch(self, watcher: Watcher, hz: float) -> None:
        """Also hand the frozen state to `watcher` (which must not block) at most `hz` times a
        second, and at every change of the source's status (the client display: 30 Hz)."""
        self._watchers.append(_Watch(watcher, 1.0 / hz))

    def submit(self, command: Command) -> None:
        """Run `command(engine)` in the loop before the next frame (thread-safe, never blocks)."""
        self._commands.put(command)

    def mute(self, muted: bool | None = None) -> bool:
        """Set (or toggle) mute; takes effect in the synth's next audio buffer."""
        if self.instrument is None:
            return False
        muted = self.instrument.mute(muted)
        self.latest = self.latest.with_muted(muted)
        return muted

    def stop(self) -> None:
        """Ask the loop to end and wait (up to 5 s) until it has: only then may the models it
        runs be closed. An Event, not Thread.join: on Python 3.11 a Ctrl-C or SIGTERM landing
        in a join marks the thread ended while it still runs, and a model closed under it
        crashed the process on the way out."""
        self._stop.set()
        if self._thread.ident is not None and self._thread is not threading.current_thread():
            self._ended.wait(timeout=5.0)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the source to end; True if the loop finished."""
        return self._ended.wait(timeout)

    @property
    def running(self) -> bool:
        """The loop's thread was started and has not ended (not `is_alive`: see stop())."""
        return self._thread.ident is not None and not self._ended.is_set()

    # -- what commands use (in the loop thread) --------------------------------------------
    @property
    def now_ns(self) -> int:
        """The time of the newest frame (or the clock's, before the first one)."""
        return self._t_ns

    def follow_preset(self) -> None:
        """After a preset change: the filter the new preset asks for (kept if unchanged), as
        many people followed as it has players, and the sources it plays (a face or hand model
        opened now if it needs one: a missing model is said, and the rest plays on)."""
        if self.instrument is not None:
            self.tracker.play_for(self.instrument.preset.people)
            try:
                self.tracker.use(self.instrument.preset.sources)
            except MotionMusicError as exc:
                self.on_notice(str(exc))
            fps = self.tracker.source.info.fps
            smoother = refilter(self.tracker.smoother, self.instrument.preset.smoothing, fps)
            if smoother is not self.tracker.smoother:
                self.tracker.smoother, self.delay = smoother, None

    def restart_counts(self) -> None:
        """A session log starts: smoothing and target counts start afresh, as its summary's do."""
        if self.instrument is not None:
            self.instrument.restart_counts()
            fps = self.tracker.source.info.fps
            self.tracker.smoother = FeatureFilter(self.instrument.preset.smoothing, fps)
            self.delay = None

    def publish_soon(self) -> None:
        """Show the effect of a command at the next frame, not only at the next regular tick."""
        self._published = -1.0

    # -- the loop --------------------------------------------------------------------------
    def run(self) -> None:
        """The loop, in the calling thread, until the source ends, `stop()` or `max_frames`."""
        started = time.monotonic()
        try:
            while not self._stop.is_set() and self.frames != self._max_frames:
                frame = self.tracker.source.read(timeout=1.0)
                if frame is SourceStatus.ENDED:
                    break
                if isinstance(frame, SourceStatus):
                    self._on_status(frame)
                    continue
                self._step(frame, started)
        except KeyboardInterrupt:  # Ctrl-C on a loop in the caller's thread: a stop
            self._stop.set()
        except BaseException as exc:
            self.error = exc
        finally:
            try:
                self._end()
            finally:
                self._ended.set()

    def _step(self, frame: Frame, started: float) -> None:
        self.news.camera(False, frame.t_ns)
        self.status, self._t_ns = "ok", frame.t_ns
        self._drain()
        sample = self.tracker.step(frame)
        self.unsteady = self._unsteady(sample)
        self.news.frame(sample, self.frames == 0)
        self.news.tracking(self.unsteady, frame.t_ns)
        controls = self._perform(sample)
        for sink in self.sinks:
            sink.record(sample, controls)
        if self.recorder is not None:
            self.recorder.record(sample, controls)
        self.frames += 1
        now = time.monotonic()
        self.fps = self.frames / max(now - started, 1e-6)
        state = None
        if now - self._published >= self._interval:
            self._published = now
            state = EngineState.of(self, sample, controls)
            self._publish(state, watchers=False)  # they have their own schedule, below
            self.news.sound(state.audio, frame.t_ns)
        for watch in self._watchers:
            if watch.due(now):
                state = state or EngineState.of(self, sample, controls)
                watch.watcher(state)

    def _drain(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                break
            command(self)
        if self.instrument is not None:
            swapped = self.instrument.swap_if_ready()
            if swapped is not None:
                self.follow_preset()
                if self.recorder is not None:
                    self.recorder.preset_played(self._t_ns, swapped)

    def _perform(self, sample: Sample) -> Controls | None:
        self._calibrate(sample.raw)
        if self.instrument is None:
            return None
        controls = self.instrument.step(sample.angles, sample.group)
        self.instrument.send(controls, sample.frame.t_ns)
        self._gestured(sample.frame.t_ns)
        present = sample.seen is Seen.CLIENT and sample.pose is not None
        self.instrument.play_outputs(sample.angles, controls, present)
        played = self.instrument.performer.preset
        if self.delay is None or self.delay.played is not played:
            self.delay = HeardDelay(played)
        self.delay.update(sample.raw, sample.angles, controls)
        return controls

    def _gestured(self, t_ns: int) -> None:
        """Log each gesture press, and do what a switch action pressed by one does: mute at
        once, the rest through the session's dispatcher (between frames, as keys do)."""
        if self.instrument is None:
            return
        performer = self.instrument.performer
        for state in performer.gestures:
            if state.pressed:
                self._log_event(t_ns, "gesture", f"{state.name} pressed")
        for action in performer.actions:
            if action == "mute":
                self.mute()
            elif self.on_action is not None:
                self.on_action(action)

    def _unsteady(self, sample: Sample) -> tuple[str, ...]:
        """The features the preset plays whose tracking is too poor to play steadily now."""
        if self.instrument is None or not sample.unsteady:
            return ()
        return tuple(f for f in self.instrument.performer.preset.features if f in sample.unsteady)

    def _calibrate(self, raw: Features) -> None:
        if self.calibrator is None:
            return
        self.progress = self.calibrator.update(raw)
        if self.calibrator.done:
            self.calibrated, self.calibrator = self.calibrator.results, None
            self.tracker.also = frozenset()
            self.publish_soon()

    def _on_status(self, status: SourceStatus) -> None:
        if status is SourceStatus.LOST:
            self.news.camera(True, self.clock.now_ns())
            self.status = "lost"
            if self.instrument is not None:  # a camera gone is a person gone: fade out
                self.instrument.silence(self.clock.now_ns())
            self._publish(self.latest.with_source(self.status))

    def _log_event(self, t_ns: int, kind: str, what: str) -> None:
        if self.recorder is not None:
            self.recorder.edit(t_ns, kind, what)

    def _publish(self, state: EngineState, watchers: bool = True) -> None:
        self.latest = state
        if self.on_state is not None:
            self.on_state(state)
        for watch in self._watchers if watchers else ():
            watch.watcher(state)

    def _end(self) -> None:
        self.status = "stopped" if self._stop.is_set() else "ended"
        self._drain_quietly()
        if self.recorder is not None and self.recorder.stop() is not None:
            self.on_notice(
                "the source ended: the session log is saved"
                if self.status == "ended"
                else "stopped: the session log is saved"
            )
        self._publish(EngineState.final(self))
        if self.instrument is not None:  # the source ended or was stopped: fade out
            interval = int(1e9 / max(self.tracker.source.info.fps, 1.0))
            self.instrument.silence(self._t_ns + interval)

    def _drain_quietly(self) -> None:
        """Commands sent while the loop ended (stop recording, above all) still run."""
        try:
            self._drain()
        except Exception as exc:  # the loop is over: report, never raise from here
            self.error = self.error or exc


class _Watch:
    """A watcher's schedule: on average at most one state per `interval`, without skipping a
    frame of a source exactly that fast because its frames come a little early or late."""

    def __init__(self, watcher: Watcher, interval: float) -> None:
        self.watcher, self.interval = watcher, interval
        self._next = -float("inf")

    def due(self, now: float) -> bool:
        if now < self._next - self.interval / 4:
            return False
        self._next = max(self._next, now - self.interval) + self.interval
        return True


class _Collector:
    def __init__(self, keep: Callable[[Sample], Sample]) -> None:
        self.samples: list[Sample] = []
        self._keep = keep

    def record(self, sample: Sample, controls: Controls | None) -> None:
        self.samples.append(self._keep(sample))


def track_all(tracker: Tracker, keep: Callable[[Sample], Sample] = lambda s: s) -> list[Sample]:
    """Every frame of a source through the loop (no sound), as `keep` trims them (tests and
    benchmarks: drop the pixels)."""
    collector = _Collector(keep)
    engine = Engine(tracker, sinks=[collector])
    engine.run()
    if engine.error is not None:
        raise engine.error
    return collector.samples
