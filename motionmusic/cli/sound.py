"""Commands that make sound: run (live, in the terminal UI or headless), demo, render, replay,
audio-devices. A client's session is logged by the runtime's one session recorder.

Each command wires objects together; the loop is the engine's, the sound the synth's.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

import click
from rich.console import Console

from motionmusic.cli.clinic import err, summary_table
from motionmusic.cli.options import (
    audio_options,
    display_option,
    model_option,
    outputs_options,
    who_option,
)
from motionmusic.cli.switch_input import open_switch
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import Source
from motionmusic.core.people import Who
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import FeatureSource, FrameSource, PoseEstimator, SourceInfo
from motionmusic.core.session import Kind
from motionmusic.core.summary import SessionSummary, session_parts
from motionmusic.core.trace import read_trace
from motionmusic.native_output import native_logs_to_file
from motionmusic.runtime.audio import AudioSettings
from motionmusic.runtime.live_session import LiveSession
from motionmusic.runtime.outputs import NONE_WANTED, Wanted
from motionmusic.runtime.recorder import SessionRecorder
from motionmusic.runtime.render import Rendered
from motionmusic.runtime.render import render as render_offline
from motionmusic.runtime.session import SessionRequest, open_session
from motionmusic.runtime.sources import (
    DefaultSource,
    bundled_trace,
    default_source,
    open_parts,
    open_source,
)
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset

console = Console()


def demo_ui(
    audio: AudioSettings, display: str | None = None, wanted: Wanted = NONE_WANTED,
    note: str | None = None,
) -> None:  # fmt: skip
    """The terminal UI on the bundled recording, looped: no camera, no model needed."""
    from motionmusic.cli.terminal_ui import open_ui

    trace = bundled_trace()
    note = note or f"demo: replaying {trace.name} in a loop (no camera, no model needed)"
    request = SessionRequest(
        str(trace), find_preset("arm-raise-pentatonic"), audio=audio, loop=True, silent_ok=True,
        display=display, wanted=wanted, notes=(note,),
    )  # fmt: skip
    open_ui(request, console)


@click.command()
@audio_options()
@display_option
@outputs_options
def demo(
    audio: AudioSettings,
    display: str | None,
    midi: str | None,
    midi_connect: str | None,
    osc: str | None,
    switch: str | None,
) -> None:
    """The terminal UI on a recorded movement, looped, with sound: no camera, no model needed."""
    demo_ui(audio, display=display, wanted=Wanted(midi, osc, midi_connect, switch))


@click.command()
@click.argument("source")
@click.option("--preset", "preset_name", required=True, help="Preset name or .toml path.")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="WAV to write."
)
@model_option
@who_option
def render(source: str, preset_name: str, out: Path, model: str | None, who: Who | None) -> None:
    """Render SOURCE (video file or .mmtrace) through a preset into a WAV, offline.

    Writes the control curves beside it (OUT with .controls.csv).
    """
    _render_to(source, find_preset(preset_name), out, model, who=who)


def _render_to(
    source: str,
    preset: Preset,
    out: Path,
    model: str | None,
    profile: Profile | None = None,
    who: Who | None = None,
) -> None:
    """Offline rendering, shared by `render` and `run --audio offline` (which logs a session)."""
    if not out.parent.is_dir():
        raise MotionMusicError(f"cannot write {out}: no such folder {out.parent}")
    with native_logs_to_file(), ExitStack() as stack:
        notes: list[str] = []
        frame_source, estimator = open_source(
            source, stack, realtime=False, model=model, preferred=preset.model, notes=notes
        )
        for note in notes:
            console.print(note)
        recorder = _recorder(frame_source.info, "live", estimator.model) if profile else None
        parts = open_parts(frame_source, stack, preset.sources)
        result = _render(frame_source, estimator, preset, out, profile, recorder, who, parts)
    console.print(
        f"{result.wav}: {result.seconds:.1f} s from {result.frames} frames; curves {result.curves}; "
        f"smoothing heard {result.smoothing_ms:.0f} ms after the movement"
    )


def _render(
    source: FrameSource,
    estimator: PoseEstimator,
    preset: Preset,
    out: Path,
    profile: Profile | None,
    recorder: SessionRecorder | None,
    who: Who | None = None,
    parts: Mapping[Source, FeatureSource] | None = None,
) -> Rendered:
    from motionmusic.adapters.synth_pyo import OfflineSynth

    synth = OfflineSynth(preset, out)
    return render_offline(
        source, estimator, preset, synth, out, profile, recorder, who, console.print, parts
    )


@click.command()
@click.option(
    "--source",
    "source_spec",
    help="Camera index or name, video file, or .mmtrace (default: first camera, else the demo trace).",
)
@click.option(
    "--preset",
    "preset_name",
    help="Preset name or .toml path (default: the client's preset, else theremin).",
)
@click.option(
    "--client",
    help="Client id: play through their calibration and targets, and log the session.",
)
@audio_options(offline=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --audio offline: the WAV to write.",
)
@model_option
@who_option
@display_option
@outputs_options
@click.option("--no-ui", is_flag=True, help="Headless: a status line and typed commands.")
def run(
    source_spec: str | None,
    preset_name: str | None,
    client: str | None,
    audio: AudioSettings,
    out: Path | None,
    model: str | None,
    who: Who | None,
    display: str | None,
    midi: str | None,
    midi_connect: str | None,
    osc: str | None,
    switch: str | None,
    no_ui: bool,
) -> None:
    """Run the whole chain: movement in, music out, in the terminal UI.

    With --no-ui, commands are typed (then Enter): m mute/unmute · p NAME switch preset (a bad one
    is refused and the music goes on) · w follow the next person in view · q stop.
    """
    profile = clients.load(client) if client else None
    if profile is not None:
        clients.ensure_free(profile.client)  # another motionmusic logs this client: refuse now
    preset = find_preset(preset_name or (profile.preset if profile else None) or "theremin")
    chosen = default_source() if source_spec is None else DefaultSource(source_spec, demo=False)
    if audio.backend == "offline":
        if out is None:
            raise MotionMusicError("--audio offline needs --out FILE.wav")
        _render_to(chosen.spec, preset, out, model, profile, who)
        return
    request = SessionRequest(
        chosen.spec, preset, profile, audio, model, loop=chosen.demo, who=who, display=display,
        wanted=Wanted(midi, osc, midi_connect, switch), notes=(chosen.note,) if chosen.note else (),
    )  # fmt: skip
    if not no_ui:
        from motionmusic.cli.terminal_ui import open_ui

        open_ui(request, console)
        return
    with native_logs_to_file(), ExitStack() as stack:
        play(request, stack)


@click.command("audio-devices")
def audio_devices() -> None:
    """List PortAudio output devices (index and name) for `run --device`."""
    with native_logs_to_file():
        from motionmusic.adapters.synth_pyo import LIBRARIES, output_devices

        devices = output_devices()
    click.echo(LIBRARIES.describe())
    if not devices:
        click.echo("no audio output devices found (JACK: use --audio jack)")
    for index, name in devices:
        click.echo(f"{index}\t{name}")


def _recorder(info: SourceInfo, kind: Kind, model: str, source: str = "") -> SessionRecorder:
    """The session recorder of a command-line run: the summary is printed when it is saved."""

    def saved(summary: SessionSummary) -> None:
        console.print(summary_table(summary))
        if summary.client:
            console.print(f"session log: {clients.sessions_dir(summary.client) / summary.source}")

    def problem(text: str) -> None:
        err.print(text, highlight=False)

    return SessionRecorder(info, kind, model, source, on_saved=saved, on_problem=problem)


@click.command()
@click.argument("session", type=click.Path(path_type=Path))
@click.option("--preset", "preset_name", help="Preset to play it through (default: as recorded).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Render to this WAV (offline, fast) instead of playing it.",
)
@audio_options()
def replay(session: Path, preset_name: str | None, out: Path | None, audio: AudioSettings) -> None:
    """Play a recorded session (or trace) through another preset, as the client played it then.

    The client's calibration and targets recorded with the session are used, so the therapist can
    tune a preset afterwards on real movement. The replay is logged as a replay (reports skip it).
    """
    from motionmusic.core.replay import TracePoses, TraceSource

    if not session.is_file():
        raise MotionMusicError(f"no such session: {session}")
    trace = read_trace(session)
    _, profile, recorded = session_parts(trace)
    preset = find_preset(preset_name) if preset_name else recorded
    if preset is None:
        raise MotionMusicError(f"{session} records no preset: give --preset")
    if out is not None and not out.parent.is_dir():
        raise MotionMusicError(f"cannot write {out}: no such folder {out.parent}")
    with ExitStack() as stack:
        source = TraceSource(trace, realtime=out is None)
        if profile is not None and not clients.exists(profile.client):
            profile = profile.model_copy()  # played as recorded, but logged nowhere
            logged = False
        else:
            logged = profile is not None
        if out is not None:
            poses = TracePoses(trace)
            recorder = (
                _recorder(source.info, "replay", poses.model, str(session)) if logged else None
            )
            result = _render(source, poses, preset, out, profile, recorder)
            console.print(f"{result.wav}: {result.seconds:.1f} s from {result.frames} frames")
            return
        request = SessionRequest(
            (source, TracePoses(trace)), preset, profile, audio,
            kind="replay" if logged else "unlogged", source_name=str(session),
        )  # fmt: skip
        play(request, stack)


def play(request: SessionRequest, stack: ExitStack) -> None:
    """Headless live play with the synth in its own process (shared by `run` and `replay`); a
    client's session is recorded unless its kind is "unlogged"."""
    from motionmusic.cli.status_line import play_live

    opened = open_session(request, stack)
    live = opened.live
    for line in [*live.outputs(), *opened.notes]:
        console.print(line)
    switch = open_switch(request.wanted.switch, lambda action: _act(live, action))
    if switch is not None:
        stack.callback(switch.close)
        console.print(f"switch: MIDI {switch.api} input {switch.name}")
    play_live(live, console, record=request.kind != "unlogged" and request.profile is not None)


def _act(live: LiveSession, action: str) -> None:
    """A switch pressed in a headless run (on rtmidi's thread: `act` only mutes or queues)."""
    said = live.act(action)
    if said:
        console.print(said)


def register(group: click.Group) -> None:
    for command in (demo, render, run, replay, audio_devices):
        group.add_command(command)
