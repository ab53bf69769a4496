"""The one session recorder: opens a client's session log, writes every frame and every edit,
closes it and summarises it. The terminal UI, `run --no-ui`, offline runs and replays all use it.

It lives in the loop thread (a sink of the engine), so a log is only ever written by the loop
that will close it. Edits made while playing (a target, a stretch zone, a gain, a calibration, a
preset or its smoothing) are events in the running log, never a reason to end it; the summary
replays them (`core.summary.practice`) and so counts exactly the reps and time in target that
were shown live. Summarising a long session takes seconds: that happens on a worker thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from motionmusic.core.controls import Controls
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import Sample, SourceInfo
from motionmusic.core.session import Kind, SessionLog, session_header
from motionmusic.core.summary import SessionSummary, summarise
from motionmusic.core.trace import read_trace
from motionmusic.store import clients


@dataclass(frozen=True, slots=True)
class Recording:
    """Who is being recorded, where, for how long: what watchers see."""

    client: str
    path: Path
    seconds: float


class SessionRecorder:
    def __init__(
        self,
        info: SourceInfo,
        kind: Kind = "live",
        model: str = "",
        source: str = "",
        on_saved: Callable[[SessionSummary], None] | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.info, self.kind, self.source, self.model = info, kind, source, model
        self.on_saved = on_saved or (lambda summary: None)
        self.on_problem = on_problem or (lambda text: None)
        self.log: SessionLog | None = None
        self.client: str | None = None
        self._lock: clients.SessionLock | None = None
        self._failed: Path | None = None  # the log that could not be written (said once)
        self.summaries: list[SessionSummary] = []
        self._started_ns = 0
        self._last_ns = 0
        self._workers: list[threading.Thread] = []

    @property
    def recording(self) -> bool:
        return self.log is not None

    def start(self, profile: Profile, preset: Preset, t_ns: int) -> Path:
        """Open `profile`'s next session log, as `preset` is played from this frame on. Refused
        (MotionMusicError) while another motionmusic logs the same client."""
        self.stop()
        lock = clients.SessionLock(profile.client)
        header = session_header(self.info, preset, profile, self.kind, self.source, self.model)
        try:
            path = clients.new_session_path(profile.client)
            self.log, self.client = SessionLog(path, header), profile.client
        except MotionMusicError:
            lock.release()
            raise
        self._lock = lock
        self._started_ns = self._last_ns = t_ns
        return path

    def record(self, sample: Sample, controls: Controls | None) -> None:
        if self.log is None or controls is None:
            return
        frame = sample.frame
        try:
            self.log.record(frame.t_ns, sample.pose, sample.raw, controls, sample.seen.code)
        except OSError as exc:
            self._cannot_write(exc)
            return
        self._last_ns = frame.t_ns

    def edit(self, t_ns: int, kind: str, what: str, **data: Any) -> None:
        """Log an edit (if recording); it applies from the next frame, live and in the summary."""
        if self.log is not None:
            try:
                self.log.event(t_ns, kind, what, **data)
            except OSError as exc:
                self._cannot_write(exc)

    def _cannot_write(self, exc: OSError) -> None:
        """The disk is full (or gone): logging stops, said once; what is written is kept and
        closed (a record cut short is dropped on reading), and the music goes on."""
        if self.log is None:
            return
        self._failed = self.log.path
        self.on_problem(
            f"cannot write the session log ({exc.strerror or exc}): logging stopped, the music "
            f"goes on; {self.log.path.name} keeps every frame written before"
        )
        self.stop()

    def preset_played(self, t_ns: int, preset: Preset) -> None:
        self.edit(t_ns, "preset", f"preset {preset.name}", preset=preset.model_dump(mode="json"))

    def profile_changed(self, t_ns: int, profile: Profile | None, what: str) -> None:
        if profile is not None:
            self.edit(t_ns, "profile", what, profile=profile.model_dump(mode="json"))

    def status(self) -> Recording | None:
        if self.log is None or self.client is None:
            return None
        return Recording(self.client, self.log.path, (self._last_ns - self._started_ns) / 1e9)

    def stop(self) -> Path | None:
        """Close the log; its summary follows on a worker thread. Returns the log's path."""
        log, self.log, self.client = self.log, None, None
        if self._lock is not None:  # no frame is written after this: another session may begin
            self._lock.release()
            self._lock = None
        if log is None:
            return None
        worker = threading.Thread(target=self._finish, args=(log,), name="session-finish")
        self._workers.append(worker)
        worker.start()
        return log.path

    def _finish(self, log: SessionLog) -> None:
        with contextlib.suppress(OSError):  # a full disk: what was written stays, a cut record is
            log.close()  # dropped on reading
        try:
            summary = summarise(read_trace(log.path))
        except MotionMusicError as exc:  # an empty log: say so, keep it
            self.on_problem(f"session {log.path.name}: {exc}")
            return
        try:
            clients.write_private_text(log.path.with_suffix(".summary.json"), summary.to_json())
        except OSError as exc:  # (after a full disk was said once already: nothing new)
            if log.path != self._failed:
                self.on_problem(f"session {log.path.name}: summary not saved ({exc.strerror})")
        self.summaries.append(summary)
        self.on_saved(summary)

    def close(self) -> None:
        """Stop recording and wait until every summary is written."""
        self.stop()
        for worker in self._workers:
            worker.join()
