"""motionmusic: a movement-to-music instrument for music therapy and range-of-motion rehab."""

__version__ = "0.1.0"


def run() -> None:
    """The `motionmusic` command. The CLI is imported here, not at the top: each synth process
    is spawned and imports again whatever the command's script imports, so it imports only this
    small package (80 ms sooner at every synth start, restart and preset switch)."""
    from motionmusic.cli.main import main

    main()
