"""Messages from the engine's thread to the UI.

`EngineUpdate` supersedes any older one still waiting: a slow terminal (SSH from a tablet) renders
only the newest state and drops the rest, while the engine never waits for it.
"""

from __future__ import annotations

from textual.message import Message

from motionmusic.runtime.state import EngineState


class EngineUpdate(Message):
    def __init__(self, state: EngineState) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, EngineUpdate)


class Notice(Message):
    """A line for the therapist (a session saved, a preset refused), from any thread."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
