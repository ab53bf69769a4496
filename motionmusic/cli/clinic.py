"""Clinical commands: clients, calibration, session summaries, replays and progress reports.

Each command only wires things together; the maths lives in `motionmusic.core` (calibration,
targets, outcomes) and the files in `motionmusic.store.clients`.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from motionmusic.cli.options import model_option, who_option
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import FEATURE_NAMES
from motionmusic.core.people import Who
from motionmusic.core.profile import Profile
from motionmusic.core.summary import SessionSummary, summarise
from motionmusic.core.trace import read_trace
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset

console = Console()
err = Console(stderr=True)
Angle = click.Choice(FEATURE_NAMES)


def _pairs(values: tuple[str, ...], what: str) -> dict[str, float]:
    """ANGLE=NUMBER options into a dict, with one-line errors."""
    out: dict[str, float] = {}
    for item in values:
        name, _, number = item.partition("=")
        if name not in FEATURE_NAMES:
            raise MotionMusicError(f"{what} {item!r}: unknown angle {name!r}")
        try:
            out[name] = float(number)
        except ValueError:
            raise MotionMusicError(f"{what} {item!r}: expected ANGLE=NUMBER") from None
    return out


@click.group("clients")
def clients_group() -> None:
    """Client profiles (pseudonymous ids; stored on this machine only)."""


def _holds(values: tuple[str, ...]) -> dict[str, int]:
    """GESTURE=MS options into a dict, with one-line errors."""
    out: dict[str, int] = {}
    for item in values:
        name, _, number = item.partition("=")
        if not name or not number.strip().isdigit():
            raise MotionMusicError(f"--hold {item!r}: expected GESTURE=MS (e.g. long_blink=600)")
        out[name] = int(number)
    return out


@clients_group.command("add")
@click.argument("client")
@click.option("--preset", help="Default preset for this client's sessions.")
@click.option("--notes", default="", help="Free notes (no names: this is health data).")
def clients_add(client: str, preset: str | None, notes: str) -> None:
    """Create a client profile."""
    if preset is not None:
        find_preset(preset)
    clients.create(client, preset, notes)
    click.echo(f"created client {client} ({clients.client_dir(client)})")


@clients_group.command("list")
def clients_list() -> None:
    """Clients with their number of sessions."""
    for client in clients.ids():
        click.echo(f"{client}\t{len(clients.sessions(client))} session(s)")


@clients_group.command("show")
@click.argument("client")
def clients_show(client: str) -> None:
    """A client's profile: ranges, targets, gains, default preset, notes."""
    clients.load(client)  # validated first: a corrupt profile is reported, not printed
    click.echo((clients.client_dir(client) / clients.PROFILE).read_text(encoding="utf-8"), nl=False)


@clients_group.command("set")
@click.argument("client")
@click.option("--preset", help="Default preset.")
@click.option("--notes", help="Replace the notes.")
@click.option("--target", "targets", multiple=True, metavar="ANGLE=DEG", help="ROM target.")
@click.option("--clear-target", multiple=True, type=Angle, help="Remove an angle's target.")
@click.option(
    "--stretch",
    "stretches",
    multiple=True,
    metavar="ANGLE=DEG",
    help="Where the stretch zone starts (default: just past the calibrated reach).",
)
@click.option("--gain", "gains", multiple=True, metavar="ANGLE=G", help="Sensitivity (1..20).")
@click.option(
    "--hold",
    "holds",
    multiple=True,
    metavar="GESTURE=MS",
    help="This client's hold time for a gesture (0..3000 ms), e.g. long_blink=600.",
)
@click.option(
    "--look",
    "looks",
    multiple=True,
    metavar="NAME=VALUE",
    help="The client display's look: scheme=dark|light|high-contrast, background/figure/target/"
    "reached=#rrggbb (empty: the scheme's), large_text=yes|no, reduced_motion=yes|no.",
)
def clients_set(
    client: str,
    preset: str | None,
    notes: str | None,
    targets: tuple[str, ...],
    clear_target: tuple[str, ...],
    stretches: tuple[str, ...],
    gains: tuple[str, ...],
    holds: tuple[str, ...],
    looks: tuple[str, ...],
) -> None:
    """Change a client's default preset, notes, ROM targets, sensitivity gains or display look."""
    profile = clients.load(client)
    if preset is not None:
        find_preset(preset)
        profile = profile.model_copy(update={"preset": preset})
    if notes is not None:
        profile = profile.model_copy(update={"notes": notes})
    try:
        for name, value in _pairs(targets, "--target").items():
            profile = profile.with_angle(name, target=value)
        for name in clear_target:
            profile = profile.with_angle(name, target=None)
        for name, value in _pairs(stretches, "--stretch").items():
            profile = profile.with_angle(name, stretch=value)
        for name, value in _pairs(gains, "--gain").items():
            profile = profile.with_angle(name, gain=value)
        if holds:
            profile = profile.with_holds(_holds(holds))
        if looks:
            profile = profile.with_look(dict(item.partition("=")[::2] for item in looks))
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise MotionMusicError(f"{client}: {str(exc).splitlines()[-2].strip()}") from None
    except MotionMusicError as exc:
        raise MotionMusicError(f"{client}: {exc}") from None
    click.echo(f"saved {clients.save(profile)}")


def client_preset(profile: Profile, name: str | None) -> str:
    return name or profile.preset or "theremin"


@click.command()
@click.option("--client", required=True, help="Client id (see: motionmusic clients list).")
@click.option("--source", "source_spec", help="Camera index or name, video file or .mmtrace.")
@click.option(
    "--angle",
    "angles",
    multiple=True,
    type=Angle,
    help="Angle(s) to calibrate (default: those the client's preset plays).",
)
@click.option(
    "--prepare",
    type=click.FloatRange(0.5, 20),
    default=3.0,
    show_default=True,
    help="Seconds to get into position before each hold.",
)
@click.option(
    "--hold",
    type=click.FloatRange(1, 20),
    default=3.0,
    show_default=True,
    help="Seconds each position is held and measured.",
)
@model_option
@who_option
def calibrate(
    client: str,
    source_spec: str | None,
    angles: tuple[str, ...],
    prepare: float,
    hold: float,
    model: str | None,
    who: Who | None,
) -> None:
    """Measure the client's rest and comfortable reach; mappings then span exactly that range."""
    from motionmusic.cli.calibrate_view import run_calibration

    profile = clients.load(client)
    chosen = list(angles) or find_preset(client_preset(profile, None)).features
    ranges = run_calibration(source_spec, chosen, prepare, hold, model, console, who)
    for name, rng in ranges.items():
        profile = profile.with_angle(name, range=rng.model_dump())
    path = clients.save(profile)
    table = Table("angle", "rest", "reach", "range", title=f"calibrated {client}")
    for name, rng in ranges.items():
        table.add_row(name, f"{rng.rest:.1f}", f"{rng.reach:.1f}", f"{rng.reach - rng.rest:+.1f}")
    console.print(table)
    console.print(f"saved {path}")


def load_summary(path: Path) -> SessionSummary:
    if not path.is_file():
        raise MotionMusicError(f"no such session: {path}")
    return summarise(read_trace(path))


def summary_table(summary: SessionSummary) -> Table:
    flag = " · LOW CONFIDENCE" if summary.low_confidence else ""
    table = Table(
        "angle",
        "peak",
        "p95",
        "median",
        "target",
        "in target",
        "reps",
        title=f"{summary.source}: {summary.seconds:.0f} s, tracked {summary.coverage:.0%}, "
        f"{summary.notes} notes{flag}",
        caption="camera estimates: typically within about 10° of a goniometer",
    )
    for a in summary.angles:
        target = "—" if a.target is None else f"{a.target:.0f}"
        table.add_row(
            a.feature,
            f"{a.peak:.1f}",
            f"{a.p95:.1f}",
            f"{a.median:.1f}",
            target,
            f"{a.seconds_in_target:.1f} s",
            str(a.reps),
        )
    return table


def left_out(summary: SessionSummary) -> list[str]:
    """What the summary left out of range of motion, in words."""
    lines = [
        f"{a.feature}: {a.artefacts:.1%} of frames beyond what the joint can do (up to "
        f"{a.artefact_peak:.0f}): measurement artefacts, left out"
        for a in summary.angles
        if a.artefact_peak is not None
    ]
    if summary.glitches:
        lines.append(
            f"{summary.glitches} frame(s) where the skeleton jumped: tracking glitches, left out"
        )
    if summary.damaged:
        lines.append(f"{summary.damaged} damaged record(s) in the log: unreadable, skipped")
    if summary.torn:
        lines.append("the log's last record was cut off (a crash or a full disk): skipped")
    if summary.others:
        lines.append(
            f"{summary.others} frame(s) with someone else in view instead of the client: "
            "not logged, not played"
        )
    return lines


@click.command("summary")
@click.argument("session", type=click.Path(path_type=Path))
def summary_command(session: Path) -> None:
    """Summarise a session log (or any trace): ROM per angle, time in target, reps, notes, and
    what the therapist changed during it, when."""
    summary = load_summary(session)
    console.print(summary_table(summary))
    for gesture in summary.gestures:
        console.print(
            f"gesture {gesture.name} ({gesture.feature}): switched {gesture.presses} time(s), "
            f"held {gesture.seconds_held:.1f} s; crossed its threshold {gesture.crossings} "
            "time(s) in all",
            highlight=False,
        )
    for line in left_out(summary):
        console.print(line)
    for seconds, what in summary.edits:
        minutes, rest = divmod(int(seconds), 60)
        console.print(f"  {minutes:02d}:{rest:02d}  {what}", highlight=False)


@click.command()
@click.option("--client", required=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html, PNG plots and sessions.csv (default: ./report-CLIENT).",
)
def report(client: str, out: Path | None) -> None:
    """Progress over sessions: an HTML page with its plots embedded, the PNGs, and a CSV."""
    from motionmusic.store.report import write_report

    profile = clients.load(client)
    summaries: list[SessionSummary] = []
    for path in clients.sessions(client):
        try:
            summary = summarise(read_trace(path))
        except MotionMusicError as exc:
            err.print(f"skipped: {exc}", highlight=False)
            continue
        if summary.kind == "live":
            summaries.append(summary)
    if not summaries:
        raise MotionMusicError(f"client {client} has no usable sessions yet")
    written = write_report(profile, summaries, out or Path(f"report-{client}"))
    click.echo(f"report: {written}")


def register(cli: click.Group) -> None:
    for command in (clients_group, calibrate, summary_command, report):
        cli.add_command(command)
