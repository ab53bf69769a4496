"""Commands that make sound: run (live, in the terminal UI or headless), demo, render, replay,
audio-devices. A client's session is logged by the runtime's one session recorder.

Each command wires objects together; the loop is the engine's, the sound the synth's.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import click
from rich.console import Console

from motionmusic.cli.clinic import err, summary_table
from motionmusic.cli.options import display_option, model_option, outputs_options, who_option
from motionmusic.cli.switch_input import open_switch
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.people import Who
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import FrameSource, PoseEstimator, SourceInfo
from motionmusic.core.session import Kind
from motionmusic.core.summary import SessionSummary, session_parts
from motionmusic.core.trace import read_trace
from motionmusic.native_output import native_logs_to_file
from motionmusic.runtime.live_session import LiveSession
from motionmusic.runtime.outputs import NONE_WANTED, Wanted, open_outputs
from motionmusic.runtime.recorder import SessionRecorder
from motionmusic.runtime.render import Rendered
from motionmusic.runtime.render import render as render_offline
from motionmusic.runtime.sources import bundled_trace, open_source
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset

console = Console()
AUTO = (
    "auto: JACK where a server (or PipeWire's JACK) runs, else the sound server's default output "
    "through PortAudio, else no sound (said on screen) and the session goes on."
)


def default_source() -> str:
    from motionmusic.adapters.camera_cv2 import list_cameras

    cameras = list_cameras()
    if cameras:
        return str(cameras[0].index)
    trace = bundled_trace()
    click.echo(f"no camera found: replaying the bundled trace {trace.name}", err=True)
    return str(trace)


def demo_ui(
    audio: str,
    device: int | None,
    buffer: int,
    note: str | None = None,
    display: str | None = None,
    wanted: Wanted = NONE_WANTED,
) -> None:
    from motionmusic.cli.terminal_ui import open_ui

    trace = bundled_trace()
    note = note or f"demo: replaying {trace.name} in a loop (no camera, no model needed)"
    preset = find_preset("arm-raise-pentatonic")
    open_ui(
        str(trace), preset, None, audio, device, buffer, None, console, demo=True, note=note,
        display=display, wanted=wanted,
    )  # fmt: skip


@click.command()
@click.option(
    "--audio",
    type=click.Choice(["auto", "jack", "portaudio"]),
    default="auto",
    show_default=True,
    help=AUTO,
)
@click.option("--device", type=int, help="PortAudio output device.")
@click.option("--buffer", type=click.IntRange(32, 4096), default=256, show_default=True)
@display_option
@outputs_options
def demo(
    audio: str,
    device: int | None,
    buffer: int,
    display: str | None,
    midi: str | None,
    midi_connect: str | None,
    osc: str | None,
    switch: str | None,
) -> None:
    """The terminal UI on a recorded movement, looped, with sound: no camera, no model needed."""
    wanted = Wanted(midi, osc, midi_connect, switch)
    demo_ui(audio, device, buffer, display=display, wanted=wanted)


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
        result = _render(frame_source, estimator, preset, out, profile, recorder, who)
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
) -> Rendered:
    from motionmusic.adapters.synth_pyo import OfflineSynth

    synth = OfflineSynth(preset, out)
    return render_offline(
        source, estimator, preset, synth, out, profile, recorder, who, console.print
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
@click.option(
    "--audio",
    type=click.Choice(["auto", "jack", "portaudio", "offline"]),
    default="auto",
    show_default=True,
    help=f"{AUTO} offline: render to --out.",
)
@click.option(
    "--device", type=int, help="PortAudio output device (see: motionmusic audio-devices)."
)
@click.option(
    "--buffer",
    type=click.IntRange(32, 4096),
    default=256,
    show_default=True,
    help="Audio buffer, frames.",
)
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
    audio: str,
    device: int | None,
    buffer: int,
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
    spec = source_spec or default_source()
    wanted = Wanted(midi, osc, midi_connect, switch)
    if audio == "offline":
        if out is None:
            raise MotionMusicError("--audio offline needs --out FILE.wav")
        _render_to(spec, preset, out, model, profile, who)
        return
    if not no_ui:
        from motionmusic.cli.terminal_ui import open_ui

        open_ui(
            spec, preset, profile, audio, device, buffer, model, console, who=who, display=display,
            wanted=wanted,
        )  # fmt: skip
        return
    with native_logs_to_file(), ExitStack() as stack:
        notes: list[str] = []
        frame_source, estimator = open_source(
            spec, stack, realtime=True, model=model, preferred=preset.model, notes=notes
        )
        for note in notes:
            console.print(note)
        play(
            frame_source, estimator, preset, profile, audio, device, buffer, stack, "live", who=who,
            display=display, wanted=wanted,
        )  # fmt: skip


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
@click.option(
    "--audio",
    type=click.Choice(["auto", "jack", "portaudio"]),
    default="auto",
    show_default=True,
    help=AUTO,
)
@click.option("--device", type=int, help="PortAudio output device.")
@click.option("--buffer", type=click.IntRange(32, 4096), default=256, show_default=True)
def replay(
    session: Path,
    preset_name: str | None,
    out: Path | None,
    audio: str,
    device: int | None,
    buffer: int,
) -> None:
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
        kind = "replay" if logged else "unlogged"
        play(
            source, TracePoses(trace), preset, profile, audio, device, buffer, stack, kind, session
        )


def play(
    source: FrameSource,
    estimator: PoseEstimator,
    preset: Preset,
    profile: Profile | None,
    audio: str,
    device: int | None,
    buffer: int,
    stack: ExitStack,
    kind: str,
    replayed: Path | None = None,
    who: Who | None = None,
    display: str | None = None,
    wanted: Wanted = NONE_WANTED,
) -> None:
    """Headless live play with the synth in its own process (shared by `run` and `replay`); a
    client's session is recorded unless `kind` is "unlogged"."""
    from motionmusic.cli.status_line import play_live
    from motionmusic.runtime.audio import start_synth
    from motionmusic.runtime.client_display import open_display, show

    screen = open_display(display) if display else None
    if screen is not None:
        stack.callback(screen.close)
    outputs = open_outputs(preset, wanted)
    for output in outputs:
        stack.callback(output.close)
    # MIDI only (a DAW or a keyboard makes the sound): no audio device is no error; the synth
    # still starts where it can, for a switch to a preset that plays it
    synth, factory, warning = start_synth(
        preset, audio, device, buffer, silent_ok=not preset.plays_synth
    )
    stack.callback(synth.close)
    if warning is not None:
        console.print(warning)
    live = LiveSession(
        source,
        estimator,
        preset,
        synth,
        factory,
        profile,
        source_name=str(replayed or ""),
        kind=kind,
        who=who,
        outputs=outputs,
    )
    for output in outputs:
        console.print(output.describe())
        if output.note is not None:
            console.print(output.note)
    switch = open_switch(wanted.switch, lambda action: _act(live, action))
    if switch is not None:
        stack.callback(switch.close)
        console.print(f"switch: MIDI {switch.api} input {switch.name}")
    if screen is not None:
        show(screen, live.engine)
        console.print(f"client display: {screen.url}")
    play_live(live, console, record=kind != "unlogged" and profile is not None)


def _act(live: LiveSession, action: str) -> None:
    """A switch pressed in a headless run (on rtmidi's thread: `act` only mutes or queues)."""
    said = live.act(action)
    if said:
        console.print(said)


def register(group: click.Group) -> None:
    for command in (demo, render, run, replay, audio_devices):
        group.add_command(command)
