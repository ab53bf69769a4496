"""A switch on a MIDI interface (`--switch`): its presses, mapped in keymap.toml's `[switch]`
table, do what the keys do. The MIDI input runs on rtmidi's thread; `act` must hand the action to
whoever owns the screen (the UI's `call_from_thread`, or the headless session's own methods)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.switches import load_switches
from motionmusic.paths import config_dir


def open_switch(api: str | None, act: Callable[[str], None]) -> Any:
    """The MIDI input, or None without `--switch`; no `[switch]` table is one line."""
    if api is None:
        return None
    from motionmusic.adapters.midi_rtmidi import MidiInPort

    path = config_dir() / "keymap.toml"
    switches = load_switches(path)
    if switches is None:
        raise MotionMusicError(f'--switch: no [switch] table in {path} (e.g. mute = "note 60")')

    def pressed(message: tuple[int, ...]) -> None:
        action = switches.press(message, time.monotonic())
        if action is not None:
            with contextlib.suppress(RuntimeError):  # no screen yet, or closing: dropped
                act(action)

    return MidiInPort(pressed, api=None if api == "auto" else api)
