"""What every screen shares: the live session it watches and the newest state to show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

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

    def on_screen_resume(self) -> None:
        self.update_state(self.mm.state)
