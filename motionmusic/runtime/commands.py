"""What a watcher (the terminal UI, the headless prompt) may ask of the engine.

Each command is a frozen value the loop runs between frames (`Engine.submit`), so nothing a
watcher does touches the loop's objects from another thread. Every edit made while a session is
recorded is logged in it as an event at that frame; none of them ends the session, except
choosing another client (a session belongs to one client), which says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from motionmusic.core.calibration import Calibrator
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import sources_of
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.runtime.engine import Engine


@dataclass(frozen=True, slots=True)
class PlayPreset:
    """Play another preset, or the same one edited. Mappings and smoothing change at once on
    the same synth; other instruments boot a new synth first (the music goes on meanwhile)."""

    preset: Preset

    def __call__(self, engine: Engine) -> None:
        instrument = engine.instrument
        if instrument is None or instrument.preset == self.preset:
            return
        if instrument.play(self.preset):
            engine.follow_preset()
            if engine.recorder is not None:
                engine.recorder.preset_played(engine.now_ns, self.preset)
        engine.publish_soon()


@dataclass(frozen=True, slots=True)
class UseProfile:
    """Play through this client's profile from now on: a target, stretch zone, gain or
    calibration just saved (`what` says which, for the log), or another client."""

    profile: Profile | None
    what: str = "profile changed"

    def __call__(self, engine: Engine) -> None:
        recorder, instrument = engine.recorder, engine.instrument
        if instrument is None:
            return
        client = self.profile.client if self.profile else None
        if recorder is not None and recorder.recording and recorder.client != client:
            ended = recorder.client
            recorder.stop()
            engine.on_notice(f"session of {ended} ended and saved: now {client or 'no client'}")
        instrument.use(self.profile)
        if recorder is not None:
            recorder.profile_changed(engine.now_ns, self.profile, self.what)
        engine.publish_soon()


@dataclass(frozen=True, slots=True)
class Calibrate:
    """Run the guided rest → reach steps on the coming frames."""

    calibrator: Calibrator

    def __call__(self, engine: Engine) -> None:
        engine.calibrator, engine.calibrated = self.calibrator, None
        try:  # a face or hand feature: its source is measured until calibration ends
            engine.tracker.use(engine.tracker.needs, sources_of(self.calibrator.features))
        except MotionMusicError as exc:
            engine.on_notice(str(exc))
        if engine.recorder is not None:
            angles = ", ".join(self.calibrator.features)
            engine.recorder.edit(engine.now_ns, "calibration", f"calibration started ({angles})")
        engine.publish_soon()


@dataclass(frozen=True, slots=True)
class Record:
    """Start (`on`), stop, or toggle (None) the session log of the client now playing.
    `say`: tell the watcher (not when a session with a client starts by itself: the header says
    ● REC)."""

    on: bool | None = None
    say: bool = True

    def __call__(self, engine: Engine) -> None:
        recorder, instrument = engine.recorder, engine.instrument
        if recorder is None or instrument is None:
            return
        start = not recorder.recording if self.on is None else self.on
        if not start:
            if recorder.stop() is not None:
                engine.on_notice("recording stopped: the session is being saved")
        elif instrument.profile is None:
            engine.on_notice("no client: choose one (Clients) to record a session")
        elif not recorder.recording:
            engine.restart_counts()
            try:
                path = recorder.start(instrument.profile, instrument.preset, engine.now_ns)
            except MotionMusicError as exc:  # another motionmusic logs this client: play on
                engine.on_notice(f"not recording: {exc}")
                engine.publish_soon()
                return
            if self.say:
                engine.on_notice(f"recording {instrument.profile.client}'s session ({path.name})")
        engine.publish_soon()


@dataclass(frozen=True, slots=True)
class NextClient:
    """Follow the next person to the right on the (mirror-view) figure, wrapping round, from the
    next frame: the therapist's key when the wrong person was taken for the client. Logged; the
    session goes on."""

    def __call__(self, engine: Engine) -> None:
        follower = engine.tracker.follower
        if follower is None:
            engine.on_notice("a recorded trace holds one person only")
            return
        follower.cycle()
        if engine.recorder is not None:
            engine.recorder.edit(engine.now_ns, "client", "switched to the next person in view")
        engine.publish_soon()


@dataclass(frozen=True, slots=True)
class Stop:
    """End the loop after this frame (the synth fades out, the log is closed)."""

    def __call__(self, engine: Engine) -> None:
        engine.stop()
