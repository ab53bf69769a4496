"""The terminal UI: screens for the session, mappings, targets, calibration, presets, clients.

The engine's thread reaches the UI only through `post_message(EngineUpdate)`, and an update still
waiting is replaced by a newer one, so a slow terminal drops frames of the display, never of
the loop. Commands go back through `LiveSession`, which queues them for the loop. Mute (space)
and the safe stop (x) are app-wide priority bindings: they work on every screen, even while a
field has focus. Every binding has an id, so a keymap (`keymap.toml` in the user config dir) can
move it.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.theme import Theme

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.switches import read_keymap
from motionmusic.runtime.live_session import LiveSession
from motionmusic.runtime.state import EngineState
from motionmusic.tui.messages import EngineUpdate, Notice
from motionmusic.tui.screens.base import Watching
from motionmusic.tui.screens.calibrate import CalibrateScreen
from motionmusic.tui.screens.clients import ClientsScreen
from motionmusic.tui.screens.help import HelpScreen
from motionmusic.tui.screens.mappings import MappingsScreen
from motionmusic.tui.screens.presets import PresetsScreen
from motionmusic.tui.screens.session import SessionScreen
from motionmusic.tui.screens.targets import TargetsScreen

HIGH_CONTRAST = Theme(
    name="motionmusic-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffffff",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    warning="#ffff00",
    error="#ff5555",
    success="#55ff55",
    dark=True,
)


class MotionMusicApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "motionmusic"
    SCREENS_BY_MODE: dict[str, type[Watching]] = {
        "mappings": MappingsScreen,
        "targets": TargetsScreen,
        "calibrate": CalibrateScreen,
        "presets": PresetsScreen,
        "clients": ClientsScreen,
    }
    BINDINGS = [
        Binding("space", "mute", "Mute", id="mute", priority=True),
        Binding("x", "panic", "Stop", id="panic", priority=True),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", id="quit.interrupt", show=False, priority=True),
        Binding("question_mark,f1", "help", "Help", id="help"),
        Binding("1", "switch_mode('session')", "Session", id="screen.session"),
        Binding("2", "switch_mode('mappings')", "Mappings", id="screen.mappings"),
        Binding("3", "switch_mode('targets')", "Targets", id="screen.targets"),
        Binding("4", "switch_mode('calibrate')", "Calibrate", id="screen.calibrate"),
        Binding("5", "switch_mode('presets')", "Presets", id="screen.presets"),
        Binding("6", "switch_mode('clients')", "Clients", id="screen.clients"),
        Binding("c", "contrast", "Contrast", id="contrast", show=False),
        Binding("d", "display", "Display", id="display", show=False),
        Binding("a", "all_notes_off", "All notes off", id="panic.midi", show=False),
    ]

    def __init__(
        self,
        live: LiveSession,
        run_engine: bool = True,
        keymap: dict[str, str] | None = None,
        high_contrast: bool = False,
        notes: list[str] | None = None,
        display_url: str | None = None,
    ) -> None:
        super().__init__()
        self.display_url = display_url  # the client display's page (`--display`), if served
        self.live = live
        self.updates = 0  # states shown (the rest were superseded while waiting)
        self._run_engine = run_engine
        self._keymap = keymap or {}
        self._high_contrast = high_contrast
        self.notes = notes or []  # shown on the session screen all along (e.g. no camera)
        self.state = live.state
        self.add_mode("session", lambda: SessionScreen(live, self.notes))
        for mode, screen in self.SCREENS_BY_MODE.items():
            self.add_mode(mode, lambda screen=screen: screen(live))  # type: ignore[misc]

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        if self._high_contrast:
            self.theme = HIGH_CONTRAST.name
        if self._keymap:
            self.set_keymap(self._keymap)
        self.switch_mode("session")
        if self._run_engine:
            self.live.start(self.post_update, self.post_notice)

    def post_update(self, state: EngineState) -> None:
        """From the engine's thread: returns at once; an older waiting update is dropped."""
        self.post_message(EngineUpdate(state))

    def post_notice(self, text: str) -> None:
        self.post_message(Notice(text))

    def on_unmount(self) -> None:
        self.live.silence_notices()  # the screen is going: summaries print after exit
        self.live.close()

    def on_engine_update(self, message: EngineUpdate) -> None:
        self.state = message.state
        self.updates += 1
        self.show_state()

    def show_state(self) -> None:
        if not self.screen_stack:
            return  # closing: updates still in flight are dropped
        screen = self.screen
        if isinstance(screen, Watching):
            screen.show(self.state)

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, timeout=6)

    def act(self, action: str) -> None:
        """Do what a key or a switch asks, the session's one way (`LiveSession.act`), and show
        it at once, before the next frame."""
        said = self.live.act(action)
        self.state = self.state.with_muted(self.live.state.muted)
        if said:
            self.notify(said, timeout=8 if action == "safe_stop" else 3)
        self.show_state()

    def action_mute(self) -> None:
        self.act("mute")

    def action_panic(self) -> None:
        """Silence, save the session, stop tracking; the UI stays to read, q quits."""
        self.act("safe_stop")

    def action_record(self) -> None:
        """Start or stop the session log; the engine says which happened (or why not)."""
        self.act("record")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def press(self, action: str) -> None:
        """A switch pressed (keymap.toml's `[switch]`): what its key does."""
        self.act(action)

    def action_next_preset(self) -> None:
        self.act("next_preset")

    def action_all_notes_off(self) -> None:
        """Panic for other instruments: every MIDI note let go at once (the synth is untouched)."""
        self.act("all_notes_off")

    def action_display(self) -> None:
        """Show the client display's URL, and open it here when there is a desktop to open it
        on (a console browser would take over this terminal)."""
        if self.display_url is None:
            self.notify("no client display: start with --display PORT", timeout=6)
            return
        opened = desktop() and webbrowser.open(self.display_url)
        where = "opened here" if opened else "no desktop here: open it on the client's screen"
        self.notify(f"{self.display_url}\n{where}", title="client display", timeout=12)

    def action_contrast(self) -> None:
        self.theme = "textual-dark" if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name


def desktop() -> bool:
    """A graphical session to open a browser in (never a text browser in this terminal)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def load_keymap(path: Path) -> dict[str, str]:
    """`binding id = "keys"` lines of a TOML file (optionally under `[keymap]`); missing file: no
    remapping. Anything else is one line naming the file and the entry."""
    data = read_keymap(path)
    table = data.get("keymap", data)
    if table is data:  # keys at the top level: the `[switch]` table beside them is not a key
        table = {key: value for key, value in data.items() if key != "switch"}
    if not isinstance(table, dict):
        raise MotionMusicError(f'{path}: keymap: must be a table of binding id = "keys"')
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise MotionMusicError(f'{path}: {key}: must be keys in quotes, e.g. {key} = "f9"')
    return dict(table)
