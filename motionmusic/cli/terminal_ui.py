"""Opening the terminal UI: the session opened first, the runtime's one way (so the synth's and
the pose model's native output goes to the log file, not over the screen), then the app runs."""

from __future__ import annotations

from contextlib import ExitStack, suppress

from rich.console import Console

from motionmusic.cli.switch_input import open_switch
from motionmusic.core.errors import MotionMusicError
from motionmusic.native_output import native_logs_to_file
from motionmusic.paths import config_dir
from motionmusic.runtime.session import SessionRequest, open_session


def open_ui(request: SessionRequest, console: Console) -> None:
    """The session `request` asks for, in the terminal UI; its summaries printed after."""
    from motionmusic.tui.app import MotionMusicApp, load_keymap

    with native_logs_to_file(), ExitStack() as stack:
        opened = open_session(request, stack)
        live = opened.live
        keymap = load_keymap(config_dir() / "keymap.toml")
        app = MotionMusicApp(
            live, keymap=keymap, notes=opened.notes, display_url=opened.display_url
        )
        switch = open_switch(
            request.wanted.switch, lambda action: app.call_from_thread(app.press, action)
        )
        if switch is not None:
            stack.callback(switch.close)
            app.notes.append(f"switch: MIDI {switch.api} input {switch.name}")
        with suppress(KeyboardInterrupt):  # SIGTERM or SIGHUP (see main): a stop, as q is
            app.run()
    error = live.error
    if isinstance(error, MotionMusicError):
        raise error
    for summary in live.summaries:
        console.print(f"session {summary.source}: {summary.seconds:.0f} s saved")
