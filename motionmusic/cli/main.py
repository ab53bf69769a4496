"""Command line: parse, wire objects, run. The logic lives in the modules it calls.

Every problem a user can fix ends as one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import signal
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Literal

import click
from rich.console import Console

from motionmusic import __version__
from motionmusic.cli import clinic, doctor, sound
from motionmusic.cli.options import model_option, who_option
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.filters import FeatureFilter, Smoothing
from motionmusic.core.people import Who
from motionmusic.core.presets import json_schema, load_preset
from motionmusic.core.protocols import Sink
from motionmusic.core.ranges import RangeRecorder
from motionmusic.core.trace import TraceHeader, TraceWriter
from motionmusic.native_output import native_logs_to_file
from motionmusic.runtime.audio import AudioSettings
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.session import SessionRequest
from motionmusic.runtime.sources import default_source, open_source
from motionmusic.runtime.state import EngineState
from motionmusic.runtime.tracker import Tracker
from motionmusic.store import landmarker_models, pose_models
from motionmusic.store.preset_library import find_preset, preset_path, shipped

console = Console()


class Group(click.Group):
    """Turns `MotionMusicError` into one line and exit code 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MotionMusicError as exc:
            click.echo(f"motionmusic: error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=Group, invoke_without_command=True)
@click.version_option(__version__, prog_name="motionmusic")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """motionmusic: movement in front of a camera becomes music.

    Without a command: the terminal UI on the first camera (the demo when there is none).
    """
    if ctx.invoked_subcommand is None:
        from motionmusic.cli.terminal_ui import open_ui

        chosen = default_source()
        if chosen.demo:
            sound.demo_ui(AudioSettings(), note=chosen.note)
            return
        open_ui(SessionRequest(chosen.spec, find_preset("theremin")), console)


@cli.command()
@click.argument("source", required=False)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write a trace (no pixels)."
)
@model_option
@click.option(
    "--realtime/--fast",
    default=None,
    help="Pace files at their frame rate, or go flat out. "
    "Default: real time without --out, fast with it.",
)
@click.option("--frames", type=click.IntRange(min=1), help="Stop after this many frames.")
@click.option("--filter/--no-filter", "smooth", default=True, help="Smooth the angles.")
@click.option(
    "--method",
    type=click.Choice(["rest_hold", "one_euro"]),
    default="rest_hold",
    help="Rest hold (still body held, moves followed without lag) or One Euro.",
)
@click.option(
    "--min-cutoff",
    type=click.FloatRange(0.01, 30),
    default=Smoothing().min_cutoff,
    help="One Euro only.",
)
@click.option(
    "--beta", type=click.FloatRange(0, 10), default=Smoothing().beta, help="One Euro only."
)
@who_option
def track(
    source: str | None,
    out: Path | None,
    model: str | None,
    realtime: bool | None,
    frames: int | None,
    smooth: bool,
    method: Literal["rest_hold", "one_euro"],
    min_cutoff: float,
    beta: float,
    who: Who | None,
) -> None:
    """Track SOURCE (camera index or name, video file, or .mmtrace) and show or record the angles.

    Without SOURCE: the first camera, or the bundled demo trace when there is none.
    """
    settings = Smoothing(enabled=smooth, method=method, min_cutoff=min_cutoff, beta=beta)
    pace = realtime if realtime is not None else out is None
    with native_logs_to_file(), ExitStack() as stack:
        if source is None:
            chosen = default_source()
            source = chosen.spec
            if chosen.note:
                click.echo(chosen.note, err=True)
        frame_source, estimator = open_source(source, stack, pace, model)
        smoother = FeatureFilter(settings, frame_source.info.fps)
        tracker = Tracker(frame_source, estimator, smoother, who)
        writer = None
        if out is not None:
            info = frame_source.info
            size = (info.width, info.height)
            header = TraceHeader(size, info.fps, info.name, model=estimator.model)
            writer = TraceWriter(out, header)
            stack.callback(writer.close)
        _track(tracker, writer, frames)


def _track(tracker: Tracker, writer: TraceWriter | None, frames: int | None) -> None:
    """The engine's loop with no instrument: the angles shown live, recorded, summarised."""
    from rich.live import Live

    from motionmusic.cli.track_view import live_table, summary_table

    ranges = RangeRecorder()
    sinks: list[Sink] = [ranges] if writer is None else [ranges, writer]
    info, shown = tracker.source.info, {"source": "ok"}
    with Live(console=console, auto_refresh=False, transient=True) as live:

        def show(state: EngineState) -> None:
            if state.source in ("ok", "lost") and state.source != shown["source"]:
                lost = state.source == "lost"  # (a source that ended is no camera coming back)
                live.console.print(
                    "camera lost: retrying every second (Ctrl-C stops)" if lost else "camera back"
                )
                shown["source"] = state.source
            if state.raw is not None:
                live.update(live_table(state, info), refresh=True)

        engine = Engine(
            tracker,
            sinks=sinks,
            on_state=show,
            on_notice=live.console.print,  # the client out of view, someone else, back
            state_hz=10.0,
            max_frames=frames,
        )
        engine.run()
    if engine.status == "stopped":
        console.print("stopped")
    if engine.error is not None:
        raise engine.error
    if ranges.summary().frames:
        console.print(summary_table(ranges.summary()))
    if writer:
        console.print(f"trace: {writer.path} ({writer.frames} frames)")


@cli.group()
def presets() -> None:
    """List, show and validate presets."""


@presets.command("list")
def presets_list() -> None:
    """Shipped presets with their descriptions."""
    for path in shipped():
        preset = load_preset(path)
        click.echo(f"{preset.name:24} {preset.description}")


@presets.command("show")
@click.argument("name")
def presets_show(name: str) -> None:
    """Print a preset's file (name or path)."""
    click.echo(preset_path(name).read_text(encoding="utf-8"), nl=False)


@presets.command("validate")
@click.argument("paths", nargs=-1, required=True)
def presets_validate(paths: tuple[str, ...]) -> None:
    """Check preset files; the first problem of each is reported with its field."""
    failed = 0
    for spec in paths:
        try:
            preset = find_preset(spec)
            click.echo(f"ok: {spec} ({preset.name}, {len(preset.voices)} voice(s))")
        except MotionMusicError as exc:
            click.echo(f"motionmusic: error: {exc}", err=True)
            failed += 1
    if failed:
        sys.exit(2)


@presets.command("schema")
def presets_schema() -> None:
    """Print the presets' JSON Schema (presets/schema.json is this, checked by a test)."""
    click.echo(json_schema(), nl=False)


@cli.command()
def cameras() -> None:
    """List cameras with their names and the mode each grants for MJPG 640x480 @ 30."""
    from motionmusic.adapters.camera_cv2 import list_cameras

    found = list_cameras()
    if not found:
        click.echo("no cameras found")
    for cam in found:
        click.echo(f"{cam.index}\t{cam.name}\t{cam.mode}")


@cli.group()
def model() -> None:
    """Install and inspect the pose, face and hand models."""


@model.command("fetch")
@click.argument(
    "variant", type=click.Choice((*pose_models.VARIANTS, *landmarker_models.KINDS)), default="full"
)
@click.option("--if-missing", is_flag=True, help="Do nothing when a model is already available.")
def model_fetch(variant: str, if_missing: bool) -> None:
    """Download an official MediaPipe bundle: the pose model (lite, full or heavy), the face
    model (face) or the hand model (hand)."""
    kind = next((k for k in landmarker_models.KINDS if k == variant), None)
    if if_missing:
        try:
            found = (
                pose_models.resolve(variant=variant)
                if kind is None
                else landmarker_models.resolve(kind)
            )
            click.echo(f"{kind or 'pose'} model: {found}")
            return
        except MotionMusicError:
            pass
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    columns = (*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(f"{kind}_landmarker" if kind else f"pose_landmarker_{variant}")
        shown = lambda done, total: bar.update(task, completed=done, total=total)  # noqa: E731
        path = landmarker_models.fetch(kind, shown) if kind else pose_models.fetch(variant, shown)
    click.echo(f"installed {path}")
    if kind is None and variant not in pose_models.OFFICIAL_SHA256:
        click.echo(
            f"the {variant} bundle has no pinned official sha256 yet: installed as downloaded "
            f"(sha256 {pose_models.sha256(path)})",
            err=True,
        )


@model.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--variant",
    type=click.Choice(pose_models.VARIANTS),
    help="Which bundle it is (told from the bundle when not given).",
)
def model_import(path: Path, variant: str | None) -> None:
    """Install a pose, face or hand bundle copied from elsewhere (for offline machines)."""
    kind = landmarker_models.kind_of(path) if variant is None else None
    if kind is not None:
        click.echo(f"installed {landmarker_models.import_bundle(kind, path)}")
        return
    click.echo(f"installed {pose_models.import_bundle(path, variant)}")


@model.command("path")
@model_option
def model_path(model: str | None) -> None:
    """Print the model that would be loaded, after verifying it."""
    click.echo(str(pose_models.resolve(model)))


clinic.register(cli)
doctor.register(cli)
sound.register(cli)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP (a closed terminal, a service stop) end a run as Ctrl-C does: the
    sound fades, the session log is closed and summarised, no child process is left."""
    raise KeyboardInterrupt


def main() -> None:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    cli(prog_name="motionmusic")
