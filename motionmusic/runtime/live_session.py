"""A live session as a watcher holds it: the engine on its own thread, the session recorder,
and the few things a watcher may do — mute at once, send commands, stop.

Plain Python, no Textual: the terminal UI and the headless prompt each hold one. Nothing here
reads or writes the loop's objects from the watcher's thread: state comes out as a frozen
`EngineState`, commands go in through the engine's queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import Source
from motionmusic.core.people import Who
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import (
    FeatureSource,
    FrameSource,
    Output,
    PoseEstimator,
    Synth,
    SynthFactory,
)
from motionmusic.core.summary import SessionSummary
from motionmusic.runtime.commands import NextClient, PlayPreset, Record, Stop
from motionmusic.runtime.engine import Command, Engine, Notify, Watcher
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.recorder import SessionRecorder
from motionmusic.runtime.state import EngineState
from motionmusic.runtime.tracker import Opener, Tracker
from motionmusic.store.preset_library import find_preset, next_preset

ACTIONS = ("mute", "next_preset", "preset", "record", "next_client", "safe_stop", "all_notes_off",
           "stop")  # fmt: skip
"""What keys, switches and typed commands can do (`preset` takes a name)."""


def saved_line(summary: SessionSummary) -> str:
    reps = sum(a.reps for a in summary.angles)
    return f"session saved: {summary.seconds:.0f} s, {reps} reps ({summary.source})"


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
        kind: str = "live",
        who: Who | None = None,
        outputs: Sequence[Output] = (),
        parts: Mapping[Source, FeatureSource] | None = None,
        opener: Opener | None = None,
    ) -> None:
        self._notify: Notify = lambda text: None
        self.recorder = SessionRecorder(
            source.info,
            "replay" if kind == "replay" else "live",
            estimator.model,
            source_name,
            on_saved=lambda summary: self._notify(saved_line(summary)),
            on_problem=lambda text: self._notify(text),
        )
        tracker = Tracker.for_preset(source, estimator, preset, who, parts)
        tracker.opener = opener
        self.instrument = Instrument(preset, synth, profile, factory, outputs)
        self.engine = Engine(
            tracker,
            self.instrument,
            recorder=self.recorder,
            state_hz=state_hz,
            on_notice=lambda text: self._notify(text),
            on_action=lambda action: self._notify(self.act(action)),
        )
        self.stopped = False

    @property
    def state(self) -> EngineState:
        """The newest state the loop published (frozen: safe to read from any thread)."""
        return self.engine.latest

    @property
    def summaries(self) -> list[SessionSummary]:
        return self.recorder.summaries

    def start(self, on_state: Watcher, notify: Notify, record: bool | None = None) -> None:
        """Start the loop; with a client, recording starts at the first frame (unless told)."""
        self.engine.on_state, self._notify = on_state, notify
        if record if record is not None else self.state.profile is not None:
            self.send(Record(on=True, say=False))
        self.engine.start()

    def mute(self, muted: bool | None = None) -> bool:
        """Straight to the synth: works whatever the loop is doing."""
        return self.engine.mute(muted)

    def send(self, command: Command) -> None:
        self.engine.submit(command)

    def act(self, action: str, argument: str = "") -> str:
        """The one way a key, a switch or a typed command acts on the session (`ACTIONS`); what
        to tell the therapist, "" for nothing. Safe from any thread: it only mutes or queues."""
        if action not in ACTIONS:
            raise MotionMusicError(f"unknown action {action!r} (choose: {', '.join(ACTIONS)})")
        handler: Callable[[str], str] = getattr(self, f"_{action}")
        return handler(argument)

    def _mute(self, _: str) -> str:
        return "MUTED" if self.mute() else "sound on"

    def _next_preset(self, _: str) -> str:
        current = self.state.preset
        return self._preset(next_preset(current.name).name) if current is not None else ""

    def _preset(self, name: str) -> str:
        try:
            preset = find_preset(name.strip())
        except MotionMusicError as exc:
            playing = self.state.preset.name if self.state.preset else "the preset"
            return f"kept {playing}: {exc}"
        self.send(PlayPreset(preset))
        return f"preset {preset.name}"

    def _record(self, _: str) -> str:
        self.send(Record())  # the engine says which happened (or why not)
        return ""

    def _next_client(self, _: str) -> str:
        self.send(NextClient())
        return ""

    def _safe_stop(self, _: str) -> str:
        self.panic()
        return "session stopped safely: sound off, session log saved"

    def _all_notes_off(self, _: str) -> str:
        self.all_notes_off()
        return "all notes off" if self.instrument.outputs else "no other instruments"

    def _stop(self, _: str) -> str:
        self.send(Stop())
        return ""

    def all_notes_off(self) -> None:
        """Panic: every note of every other instrument let go, now (the synth fades by itself)."""
        self.instrument.panic()

    def outputs(self) -> list[str]:
        """One line per other instrument played, with where it goes (for the screen)."""
        return [output.describe() for output in self.instrument.outputs]

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the loop to end (the source ran out, or a Stop); True if it has."""
        return self.engine.wait(timeout)

    @property
    def error(self) -> BaseException | None:
        """What ended the loop, if it failed."""
        return self.engine.error

    def silence_notices(self) -> None:
        """The screen is going: later notices (a summary saved) have nowhere to show."""
        self._notify = lambda text: None

    def panic(self) -> None:
        """Silence at once, finish the log, stop the loop: the safe stop."""
        self.mute(True)
        self.close()

    def close(self) -> None:
        """Stop the loop (the synth fades out), close and summarise the log, stop the synth."""
        if self.stopped:
            return
        self.stopped = True
        self.send(Stop())
        self.engine.stop()
        self.recorder.close()
        self.instrument.close()

    def __enter__(self) -> LiveSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
