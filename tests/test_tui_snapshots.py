"""How every screen looks, at 80x24 and 120x40, on a fixed frame (arms raised, a client with a
calibrated range and a target, recording). Review changes with `pytest --snapshot-update` and the
SVGs in tests/__snapshots__."""

from __future__ import annotations

import pytest

from motionmusic.tui.app import MotionMusicApp
from tests.tui_support import client_with_target, frozen_state, live_on

SCREENS = {
    "session": (),
    "mappings": ("2",),
    "targets": ("3",),
    "calibrate": ("4",),
    "presets": ("5",),
    "clients": ("6",),
    "help": ("question_mark",),
    "muted": ("space",),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_looks_right(snap_compare, screen, size):
    live = live_on(profile=client_with_target())
    app = MotionMusicApp(live, run_engine=False)

    async def show_frame(pilot) -> None:
        app.state = frozen_state(live)
        app.show_state()
        for key in SCREENS[screen]:
            await pilot.press(key)
        await pilot.pause(0.2)
        app.show_state()
        app.clear_notifications()
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=show_frame)
