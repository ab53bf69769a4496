"""A live session: the engine, the client, the session log, and the commands a watcher may send.

Plain Python, no Textual: the terminal UI holds one and calls its methods from its own thread;
each method only queues a command for the loop (or, for mute, sets the synth's mute flag), so
nothing a watcher does can block the frames or the sound. Finishing a session log (summarising a
long session takes seconds) happens on a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from motionmusic import clients
from motionmusic.core.calibration import Calibrator
from motionmusic.core.outcome import SessionSummary, summarise
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import FrameSource, PoseEstimator
from motionmusic.core.session import SessionLog, session_header
from motionmusic.core.trace import read_trace
from motionmusic.engine import Engine, EngineState, Synth, SynthFactory

Notify = Callable[[str], None]


class LiveSession:
    def __init__(
        self,
        source: FrameSource,
        estimator: PoseEstimator,
        preset: Preset,
        synth: Synth,
        factory: SynthFactory | None = None,
        profile: Profile | None = None,
        state_hz: float = 15.0,
        source_name: str = "",
    ) -> None:
        self.engine = Engine(
            source, estimator, preset, synth, None, state_hz, factory, profile=profile
        )
        self.source_name = source_name or source.info.name
        self.notify: Notify = lambda text: None
        self.summaries: list[SessionSummary] = []
        self._finishing: list[threading.Thread] = []
        self.stopped = False
        self._recording = False
        self._profile = profile

    @property
    def profile(self) -> Profile | None:
        """The client now (set at once; the loop follows at its next frame)."""
        return self._profile

    @property
    def preset(self) -> Preset:
        return self.engine.preset

    @property
    def recording(self) -> bool:
        return self._recording

    def start(self, on_state: Callable[[EngineState], None], notify: Notify) -> None:
        self.engine.on_state, self.notify = on_state, notify
        self.engine.start()
        if self.profile is not None:
            self.toggle_recording()

    def mute(self, muted: bool | None = None) -> bool:
        return self.engine.mute(muted)

    def toggle_recording(self) -> bool:
        """Start a session log (a client is needed), or finish the one running."""
        if self._recording:
            self._recording = False
            self.engine.submit(lambda e: self._finish(e.record(None)))
            return False
        if self.profile is None:
            self.notify("no client: choose one (Clients) to record a session")
            return False
        profile = self.profile
        self._recording = True
        self.engine.submit(lambda e: self._finish(e.record(self._open_log(e, profile))))
        return True

    def _open_log(self, engine: Engine, profile: Profile) -> SessionLog:
        """In the loop thread, so a log is only ever created by a loop that will close it."""
        info = engine.tracker.source.info
        header = session_header(info, engine.preset, profile, "live", self.source_name)
        return SessionLog(clients.new_session_path(profile.client), header)

    def _finish(self, log: SessionLog | None) -> None:
        """Close and summarise a log on a worker thread (never in the loop)."""
        if log is None:
            return
        worker = threading.Thread(target=self._summarise, args=(log,), name="session-finish")
        self._finishing.append(worker)
        worker.start()

    def _summarise(self, log: SessionLog) -> None:
        log.close()
        try:
            summary = summarise(read_trace(log.path))
        except Exception as exc:  # an empty log: say so, keep going
            self.notify(f"session {log.path.name}: {exc}")
            return
        clients.write_private_text(log.path.with_suffix(".summary.json"), summary.to_json())
        self.summaries.append(summary)
        reps = sum(a.reps for a in summary.angles)
        self.notify(f"session saved: {summary.seconds:.0f} s, {reps} reps ({log.path.name})")

    def play_preset(self, preset: Preset) -> None:
        self.engine.submit(lambda e: e.play_preset(preset))

    def use_profile(self, profile: Profile | None) -> None:
        if self._recording:
            self.toggle_recording()  # a session belongs to one client
        self._profile = profile
        self.engine.submit(lambda e: e.use_profile(profile))

    def calibrate(self, calibrator: Calibrator) -> None:
        self.engine.submit(lambda e: e.start_calibration(calibrator))

    def panic(self) -> None:
        """Silence at once, finish the log, stop the loop: the safe stop."""
        self.mute(True)
        self.close()

    def close(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.engine.stop()  # the loop fades the synth out as it ends
        self._recording = False
        self._finish(self.engine.record(None))
        for worker in self._finishing:
            worker.join()

    def __enter__(self) -> LiveSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
