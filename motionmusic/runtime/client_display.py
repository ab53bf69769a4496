"""The client display wired to the engine: what the page is sent, and how often.

The engine hands its frozen state to the display at 30 Hz (`Engine.watch`), which only keeps a
reference; the display's own thread turns it into a message here (`encode`): the client's look from
their profile, and the frame as `core.view` draws it.
"""

from __future__ import annotations

from typing import Any

from motionmusic.adapters.display_web import Address, WebDisplay
from motionmusic.core import view
from motionmusic.core.profile import Look
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.state import EngineState

HZ = 30.0
DEFAULT_LOOK = Look()


def encode(state: EngineState) -> dict[str, Any]:
    """One message: the look (so a profile edited mid-session shows at once) and the frame."""
    look = state.profile.display if state.profile is not None else DEFAULT_LOOK
    return {
        "settings": view.settings(look),
        "frame": view.frame(
            state.pose,
            state.seen,
            state.targets,
            state.controls,
            state.muted,
            bool(state.unsteady),
            state.gestures,
            state.played is None or "body" in state.played.sources,
            state.pointer,
        ),
    }


def open_display(text: str) -> WebDisplay:
    """Listen on `[HOST:]PORT` now (a port in use or a foreign host is one line, before anything
    else starts); `show(engine)` later feeds it."""
    return WebDisplay(Address.parse(text), encode).start()


def show(display: WebDisplay, engine: Engine) -> None:
    engine.watch(display.offer, HZ)
