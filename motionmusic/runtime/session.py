"""One way to open a live session, for the terminal UI and the headless prompt alike.

A front end says what it wants (`SessionRequest`); `open_session` opens, in this order, the
client display (a port in use is said before anything starts), the frame source and its pose
model, the other instruments, the synth, and the session itself, each closed with `stack`. What
the therapist should be told (no camera, another model than the preset's, no audio output, where
the display is, what MIDI plays) comes back as notes, for the front end to show its own way.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field

from motionmusic.core.people import Who
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import FrameSource, PoseEstimator
from motionmusic.runtime.audio import AudioSettings, start_synth
from motionmusic.runtime.client_display import open_display, show
from motionmusic.runtime.live_session import LiveSession
from motionmusic.runtime.outputs import NONE_WANTED, Wanted, open_outputs
from motionmusic.runtime.sources import open_parts, open_source


@dataclass(frozen=True)
class SessionRequest:
    """What a front end asks for. `source` is SOURCE as typed, or a source already opened with
    its estimator (a replayed session log)."""

    source: str | tuple[FrameSource, PoseEstimator]
    preset: Preset
    profile: Profile | None = None
    audio: AudioSettings = field(default_factory=AudioSettings)
    model: str | None = None
    loop: bool = False  # a trace replayed forever (the demo)
    silent_ok: bool = False  # no audio output is no error even when asked for by name (the demo)
    who: Who | None = None
    display: str | None = None  # [HOST:]PORT of the client display
    wanted: Wanted = NONE_WANTED
    kind: str = "live"  # "replay" and "unlogged" for a replayed session log
    source_name: str = ""  # the session log replayed
    notes: tuple[str, ...] = ()  # what the front end already has to say (the demo's, no camera)


@dataclass(frozen=True)
class OpenedSession:
    live: LiveSession
    notes: list[str]  # to tell the therapist, in order
    display_url: str | None


def open_session(request: SessionRequest, stack: ExitStack) -> OpenedSession:
    notes = list(request.notes)
    screen = open_display(request.display) if request.display else None
    if screen is not None:
        stack.callback(screen.close)
    source, estimator = _source(request, stack, notes)
    parts = open_parts(source, stack, request.preset.sources)
    outputs = open_outputs(request.preset, request.wanted)
    for output in outputs:
        stack.callback(output.close)
    # a MIDI-only preset (a DAW or a keyboard makes the sound) needs no audio output; the synth
    # still starts where it can, for a switch to a preset that plays it
    silent_ok = request.silent_ok or not request.preset.plays_synth
    synth, factory, warning = start_synth(request.preset, request.audio, silent_ok)
    stack.callback(synth.close)
    live = LiveSession(
        source, estimator, request.preset, synth, factory, request.profile,
        source_name=request.source_name, kind=request.kind, who=request.who, outputs=outputs,
        parts=parts, opener=lambda part: open_parts(source, stack, frozenset({part}))[part],
    )  # fmt: skip
    stack.callback(live.close)  # a front end closes it; this covers one that never started
    notes += [warning] if warning else []
    url = None
    if screen is not None:
        show(screen, live.engine)
        url = screen.url
        notes.append(f"client display: {url}")
    notes += [output.note for output in outputs if output.note is not None]
    return OpenedSession(live, notes, url)


def _source(
    request: SessionRequest, stack: ExitStack, notes: list[str]
) -> tuple[FrameSource, PoseEstimator]:
    if not isinstance(request.source, str):
        return request.source
    return open_source(
        request.source, stack, True, request.model, loop=request.loop,
        preferred=request.preset.model, notes=notes,
    )  # fmt: skip
