"""Options several commands share, defined once."""

from __future__ import annotations

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
