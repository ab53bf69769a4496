"""The command line: click commands that parse, wire objects and run. No logic lives here."""

from motionmusic.cli.main import main

__all__ = ["main"]
