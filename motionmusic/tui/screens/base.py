"""What every screen shares: the live session it watches and the newest state to show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from motionmusic.engine import EngineState

if TYPE_CHECKING:
    from motionmusic.live import LiveSession
    from motionmusic.tui.app import MotionMusicApp


class Watching(Screen[None]):
    """A screen that shows engine state; the app hands it the newest one."""

    @property
    def mm(self) -> MotionMusicApp:
        from motionmusic.tui.app import MotionMusicApp

        assert isinstance(self.app, MotionMusicApp)
        return self.app

    @property
    def live(self) -> LiveSession:
        return self.mm.live

    def update_state(self, state: EngineState | None) -> None:
        """Show `state` (None before the first frame)."""

    def on_mount(self) -> None:
        self.mount(Static("", id="muted-banner"))

    def show_mute(self, muted: bool) -> None:
        """Unmistakable, in words, on every screen."""
        banner = self.query_one("#muted-banner", Static)
        banner.update("MUTED · space to unmute" if muted else "")
        banner.set_class(muted, "on")

    def show(self, state: EngineState | None) -> None:
        try:
            self.show_mute(self.live.engine.muted)
            self.update_state(state)
        except NoMatches:
            pass  # not composed yet: the next state will be shown

    def on_screen_resume(self) -> None:
        self.show(self.mm.state)
