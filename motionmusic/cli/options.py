"""Options several commands share, defined once."""

from __future__ import annotations

import functools
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


AUTO = (
    "auto: JACK where a server (or PipeWire's JACK) runs, else the sound server's default output "
    "through PortAudio, else no sound (said on screen) and the session goes on."
)


def audio_options(offline: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--audio, --device, --buffer, handed to the command as one `AudioSettings` (`audio`);
    `offline` adds --audio offline (render to --out)."""
    from motionmusic.runtime.audio import BUFFER, AudioSettings

    choices = ["auto", "jack", "portaudio", *(["offline"] if offline else [])]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def combined(*args: Any, audio: str, device: int | None, buffer: int, **kw: Any) -> Any:
            return command(*args, audio=AudioSettings(audio, device, buffer), **kw)

        for option in reversed(
            (
                click.option(
                    "--audio", type=click.Choice(choices), default="auto", show_default=True,
                    help=AUTO + (" offline: render to --out." if offline else ""),
                ),
                click.option("--device", type=int,
                             help="PortAudio output device (see: motionmusic audio-devices)."),
                click.option("--buffer", type=click.IntRange(32, 4096), default=BUFFER,
                             show_default=True, help="Audio buffer, frames."),
            )
        ):  # fmt: skip
            combined = option(combined)
        return combined

    return decorate
