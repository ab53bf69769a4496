"""Command line: parse, wire objects, run. The logic lives in the modules it calls.

Every problem a user can fix ends as one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path

import click
from rich.console import Console

from motionmusic import __version__, clinic, models, performance
from motionmusic.catalog import find_preset, preset_path, shipped
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.filters import AngleFilter, OneEuroSettings
from motionmusic.core.presets import json_schema, load_preset
from motionmusic.core.protocols import SourceStatus
from motionmusic.core.summary import RangeRecorder
from motionmusic.core.trace import TraceHeader, TraceWriter
from motionmusic.logs import native_logs_to_file
from motionmusic.sources import open_source
from motionmusic.tracker import Tracker

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
        from motionmusic.adapters.camera_cv2 import list_cameras
        from motionmusic.ui import open_ui

        cameras = list_cameras()
        if not cameras:
            performance.demo_ui(
                "auto", None, 256, "no camera found: showing the bundled demo recording"
            )
            return
        preset = find_preset("theremin")
        open_ui(str(cameras[0].index), preset, None, "auto", None, 256, None, console)


@cli.command()
@click.argument("source", required=False)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write a trace (no pixels)."
)
@click.option(
    "--model", type=click.Path(dir_okay=False, path_type=Path), help="Pose model bundle (.task)."
)
@click.option(
    "--realtime/--fast",
    default=None,
    help="Pace files at their frame rate, or go flat out. "
    "Default: real time without --out, fast with it.",
)
@click.option("--frames", type=click.IntRange(min=1), help="Stop after this many frames.")
@click.option(
    "--filter/--no-filter", "smooth", default=True, help="One Euro smoothing of the angles."
)
@click.option("--min-cutoff", type=click.FloatRange(0.01, 30), default=OneEuroSettings().min_cutoff)
@click.option("--beta", type=click.FloatRange(0, 10), default=OneEuroSettings().beta)
def track(
    source: str | None,
    out: Path | None,
    model: Path | None,
    realtime: bool | None,
    frames: int | None,
    smooth: bool,
    min_cutoff: float,
    beta: float,
) -> None:
    """Track SOURCE (camera index or name, video file, or .mmtrace) and show or record the angles.

    Without SOURCE: the first camera, or the bundled demo trace when there is none.
    """
    settings = OneEuroSettings(enabled=smooth, min_cutoff=min_cutoff, beta=beta)
    pace = realtime if realtime is not None else out is None
    with native_logs_to_file(), ExitStack() as stack:
        frame_source, estimator = open_source(
            source or performance.default_source(), stack, pace, model
        )
        tracker = Tracker(frame_source, estimator, AngleFilter(settings, frame_source.info.fps))
        writer = None
        if out is not None:
            info = frame_source.info
            writer = TraceWriter(out, TraceHeader((info.width, info.height), info.fps, info.name))
            stack.callback(writer.close)
        _run(tracker, writer, frames)


def _run(tracker: Tracker, writer: TraceWriter | None, frames: int | None) -> None:
    from rich.live import Live

    from motionmusic.track_view import live_table, summary_table

    recorder = RangeRecorder()
    started, shown, lost = time.monotonic(), 0.0, False
    try:
        with Live(console=console, auto_refresh=False, transient=True) as live:

            def on_status(status: SourceStatus) -> None:
                nonlocal lost
                if status is SourceStatus.LOST and not lost:
                    live.console.print("camera lost: retrying every second (Ctrl-C stops)")
                lost = lost or status is SourceStatus.LOST

            for sample in tracker.samples(frames, on_status):
                if lost:
                    live.console.print("camera back")
                    lost = False
                recorder.add(sample.raw, sample.pose is not None)
                if writer:
                    writer.write(sample.frame.t_ns, sample.pose, sample.raw)
                if time.monotonic() - shown >= 0.1:
                    shown = time.monotonic()
                    fps = (sample.frame.index + 1) / max(shown - started, 1e-6)
                    live.update(live_table(sample, tracker.source.info, fps), refresh=True)
    except KeyboardInterrupt:
        console.print("stopped")
    if recorder.summary().frames:
        console.print(summary_table(recorder.summary()))
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
    """Install and inspect the pose model."""


@model.command("fetch")
@click.argument("variant", type=click.Choice(models.VARIANTS), default="full")
@click.option("--if-missing", is_flag=True, help="Do nothing when a model is already available.")
def model_fetch(variant: str, if_missing: bool) -> None:
    """Download the official MediaPipe pose bundle (lite, full or heavy)."""
    if if_missing:
        try:
            click.echo(f"pose model: {models.resolve(variant=variant)}")
            return
        except MotionMusicError:
            pass
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    columns = (*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(f"pose_landmarker_{variant}", total=None)
        path = models.fetch(
            variant, lambda done, total: bar.update(task, completed=done, total=total)
        )
    click.echo(f"installed {path}")


@model.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--variant", type=click.Choice(models.VARIANTS), default="full")
def model_import(path: Path, variant: str) -> None:
    """Install a pose bundle copied from elsewhere (for offline machines)."""
    click.echo(f"installed {models.import_bundle(path, variant)}")


@model.command("path")
@click.option("--model", type=click.Path(dir_okay=False, path_type=Path))
def model_path(model: Path | None) -> None:
    """Print the model that would be loaded, after verifying it."""
    click.echo(str(models.resolve(model)))


clinic.register(cli)
performance.register(cli)


def main() -> None:
    cli(prog_name="motionmusic")
