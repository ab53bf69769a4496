"""`motionmusic doctor`: one command a therapist runs on a new laptop, a line per thing checked,
each with its fix; it fails when a session could not run."""

from __future__ import annotations

import sys
from contextlib import ExitStack, suppress

import click

from motionmusic.core.errors import MotionMusicError
from motionmusic.native_output import native_logs_to_file


def _outputs() -> str:
    """The audio libraries in use and PortAudio's outputs (pyo in this process: no engine here)."""
    from motionmusic.adapters.synth_pyo import LIBRARIES, output_devices

    devices = ", ".join(f"{index} {name}" for index, name in output_devices()) or "none"
    return f"{LIBRARIES.describe()}; PortAudio outputs: {devices}"


@click.command()
def doctor() -> None:
    """Check this machine for a session: camera, pose model, data dir, sound (a quiet test tone),
    JACK and MIDI. Exit 1 when something a session needs is missing."""
    from motionmusic.runtime import doctor as checks

    with ExitStack() as stack:
        with suppress(MotionMusicError):  # no log dir: its check says why; the noise shows
            stack.enter_context(native_logs_to_file())
        found = checks.everything()
        outputs = _outputs()
    for check in found:
        click.echo(check.line())
        if check.what.startswith("sound"):
            click.echo(f"  {outputs}")
    failed = [c for c in found if c.needed and not c.ok]
    if failed:
        click.echo(f"{len(failed)} thing(s) to fix before a session", err=True)
        sys.exit(1)
    click.echo("ready for a session")


def register(cli: click.Group) -> None:
    cli.add_command(doctor)
