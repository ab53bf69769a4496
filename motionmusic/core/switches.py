"""Switches: a footswitch or an accessibility switch, through a MIDI interface, does what a key
does. `keymap.toml` maps them beside the keys:

    [switch]
    mute = "note 60"          # a note pressed (any channel; a velocity of 0 is a release)
    next_preset = "cc 64"     # a controller going up through 64, as a sustain pedal does
    record = "note 62"
    safe_stop = "note 64"
    debounce_ms = 250         # a press this soon after the last one of the same action is ignored

A switch bounces, and a hand with a tremor or a spasm presses twice: mute pressed twice at once
would unmute. So a press of an action within `debounce_ms` of its last one counts for nothing.
One line names the file and the entry for anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from motionmusic.core.errors import MotionMusicError

ACTIONS = ("mute", "next_preset", "record", "safe_stop")
NOTE_ON, CONTROL = 0x90, 0xB0
DEBOUNCE_MS = 250


@dataclass
class Switches:
    """Which press does what; `press(message, t)` names the action a MIDI message asks for."""

    notes: dict[int, str] = field(default_factory=dict)
    controls: dict[int, str] = field(default_factory=dict)
    debounce_s: float = DEBOUNCE_MS / 1000
    _down: set[int] = field(default_factory=set)  # controllers held at or above 64
    _last: dict[str, float] = field(default_factory=dict)  # when each action last counted

    def press(self, message: tuple[int, ...], t: float) -> str | None:
        """The action of a press at `t` seconds (any clock), or None: not a press, not mapped,
        or a bounce."""
        action = self._pressed(message)
        if action is None or t - self._last.get(action, -1e9) < self.debounce_s:
            return None
        self._last[action] = t
        return action

    def _pressed(self, message: tuple[int, ...]) -> str | None:
        if len(message) < 3:
            return None
        kind, number, value = message[0] & 0xF0, message[1], message[2]
        if kind == NOTE_ON and value > 0:
            return self.notes.get(number)
        if kind == CONTROL and number in self.controls:
            was_down = number in self._down
            if value >= 64:
                self._down.add(number)
                return None if was_down else self.controls[number]
            self._down.discard(number)
        return None


def parse_switches(table: object, where: str) -> Switches:
    """The `[switch]` table of a keymap file."""
    if not isinstance(table, dict):
        raise MotionMusicError(f'{where}: switch: must be a table of action = "note N" or "cc N"')
    switches = Switches()
    for action, text in table.items():
        if action == "debounce_ms":
            if not isinstance(text, int) or isinstance(text, bool) or not 0 <= text <= 5000:
                raise MotionMusicError(f"{where}: switch.debounce_ms: {text!r} is not 0..5000")
            switches.debounce_s = text / 1000
            continue
        if action not in ACTIONS:
            raise MotionMusicError(
                f"{where}: switch.{action}: unknown (one of: {', '.join(ACTIONS)})"
            )
        kind, _, number = str(text).strip().partition(" ")
        if kind not in ("note", "cc") or not number.strip().isdigit() or int(number) > 127:
            raise MotionMusicError(
                f'{where}: switch.{action}: {text!r} is not "note N" or "cc N" (N 0..127)'
            )
        (switches.notes if kind == "note" else switches.controls)[int(number)] = action
    return switches


def read_keymap(path: Path) -> dict[str, object]:
    """The keymap file's TOML (keys and switches); no file: empty. One line if unreadable."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MotionMusicError(f"cannot read keymap {path}: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MotionMusicError(f"{path}: not valid TOML ({exc})") from exc


def load_switches(path: Path) -> Switches | None:
    """The `[switch]` table of the keymap file at `path`, or None when there is none."""
    data = read_keymap(path)
    return parse_switches(data["switch"], str(path)) if "switch" in data else None
