"""What every screen shares: the live session it commands and the newest state it shows.

Screens are given the session when they are made (no screen imports the app); they read only the
frozen `EngineState` the app hands them and change things only by sending commands.
"""

from __future__ import annotations

from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.runtime.engine import Command
from motionmusic.runtime.live_session import LiveSession
from motionmusic.runtime.state import EngineState


class Watching(Screen[None]):
    """A screen that shows engine state; the app hands it the newest one."""

    def __init__(self, live: LiveSession) -> None:
        super().__init__()
        self.live = live
        self.state: EngineState = live.state

    @property
    def preset(self) -> Preset:
        """The preset playing now."""
        assert self.state.preset is not None  # a live session always plays one
        return self.state.preset

    @property
    def profile(self) -> Profile | None:
        """The client now."""
        return self.state.profile

    def send(self, command: Command) -> None:
        self.live.send(command)

    def update_state(self, state: EngineState) -> None:
        """Show `state`."""

    def on_mount(self) -> None:
        self.mount(Static("", id="muted-banner"))

    def show_mute(self, muted: bool) -> None:
        """Unmistakable, in words, on every screen."""
        banner = self.query_one("#muted-banner", Static)
        banner.update("MUTED · space to unmute" if muted else "")
        banner.set_class(muted, "on")

    def show(self, state: EngineState) -> None:
        self.state = state
        try:
            self.show_mute(state.muted)
            self.update_state(state)
        except NoMatches:
            pass  # not composed yet: the next state will be shown

    def on_screen_resume(self) -> None:
        self.show(self.live.state)
