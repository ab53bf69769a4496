"""Opening the terminal UI: audio chosen, the synth process and the pose model started first (so
their native output goes to the log file, not over the screen), then the app runs."""

from __future__ import annotations

from contextlib import ExitStack

from rich.console import Console

from motionmusic.cli.switch_input import open_switch
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.people import Who
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.native_output import native_logs_to_file
from motionmusic.paths import config_dir
from motionmusic.runtime.audio import start_synth
from motionmusic.runtime.outputs import NONE_WANTED, Wanted, open_outputs
from motionmusic.runtime.sources import open_source


def open_ui(
    spec: str,
    preset: Preset,
    profile: Profile | None,
    audio: str,
    device: int | None,
    buffer: int,
    model: str | None,
    console: Console,
    demo: bool = False,
    note: str | None = None,
    who: Who | None = None,
    display: str | None = None,
    wanted: Wanted = NONE_WANTED,
) -> None:
    from motionmusic.runtime.client_display import open_display, show
    from motionmusic.runtime.live_session import LiveSession
    from motionmusic.tui.app import MotionMusicApp, load_keymap

    with native_logs_to_file(), ExitStack() as stack:
        screen = open_display(display) if display else None  # a port in use: said before all else
        if screen is not None:
            stack.callback(screen.close)
        found: list[str] = []
        frame_source, estimator = open_source(
            spec, stack, True, model, loop=demo, preferred=preset.model, notes=found
        )
        outputs = open_outputs(preset, wanted)
        for output in outputs:
            stack.callback(output.close)
        synth, factory, warning = start_synth(
            preset, audio, device, buffer, silent_ok=demo or not preset.plays_synth
        )
        stack.callback(synth.close)
        live = LiveSession(
            frame_source, estimator, preset, synth, factory, profile, who=who, outputs=outputs
        )
        url = None
        if screen is not None:
            show(screen, live.engine)
            url = screen.url
        notes = [n for n in (note, *found, warning, url and f"client display: {url}") if n]
        notes += [output.note for output in outputs if output.note is not None]
        keymap = load_keymap(config_dir() / "keymap.toml")
        app = MotionMusicApp(live, keymap=keymap, notes=notes, display_url=url)
        switch = open_switch(wanted.switch, lambda action: app.call_from_thread(app.press, action))
        if switch is not None:
            stack.callback(switch.close)
            app.notes.append(f"switch: MIDI {switch.api} input {switch.name}")
        stack.callback(live.close)  # the app closes it; this covers an app that never mounted
        app.run()
    error = live.error
    if isinstance(error, MotionMusicError):
        raise error
    for summary in live.summaries:
        console.print(f"session {summary.source}: {summary.seconds:.0f} s saved")
