"""Options several commands share, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

model_option = click.option(
    "--model",
    metavar="NAME|FILE",
    help="Pose model: lite, full or heavy (installed with `model fetch` or `model import`), "
    "or a .task file. Default: the preset's choice, else $MOTIONMUSIC_MODEL, else the installed "
    "one (full first).",
)

who_option = click.option(
    "--who",
    type=click.Choice(["left", "center", "right"]),
    help="Whom to follow when several people are in view: the person at that side of the picture "
    "at the start. Default: the person nearest the centre (the session screen's `w` switches).",
)

display_option = click.option(
    "--display",
    metavar="[HOST:]PORT",
    help="Serve the client display (a web page: the mirror figure, targets, the note) on PORT, "
    "this machine only; HOST:PORT with another address of this machine serves the LAN (a tablet), "
    "with a secret token in the printed URL.",
)


def _midi_api(name: str, help: str) -> Callable[..., Any]:
    """An option whose value may be left out: `--midi` alone is "auto" (ALSA, else JACK)."""
    return click.option(
        name,
        is_flag=False,
        flag_value="auto",
        default=None,
        type=click.Choice(["auto", "alsa", "jack"]),
        metavar="[API]",
        help=help,
    )


def outputs_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--midi [API], --midi-connect PORT, --osc HOST:PORT: other instruments played too;
    --switch [API]: a switch in."""
    for option in reversed(
        (
            _midi_api(
                "--midi",
                "Play a MIDI port named motionmusic too (a preset's [outputs.midi] says how; "
                "API alsa or jack, default $RTMIDI_API, else ALSA, else JACK).",
            ),
            click.option(
                "--midi-connect", metavar="PORT", help="Connect it to this MIDI input (JACK)."
            ),
            click.option("--osc", metavar="HOST:PORT", help="Send OSC there too (see README)."),
            _midi_api(
                "--switch",
                "Open a MIDI input named switch: presses mapped in keymap.toml's [switch] "
                "table mute, change preset, record or stop safely.",
            ),
        )
    ):
        command = option(command)
    return command
