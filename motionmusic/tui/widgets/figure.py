"""The client's upper body as a braille stick figure (drawn by `core.figure`)."""

from __future__ import annotations

from textual.widgets import Static

from motionmusic.core.figure import draw
from motionmusic.core.pose import PoseFrame


class Figure(Static):
    DEFAULT_CSS = """
    Figure { width: 32; height: 14; border: round $primary; padding: 0; }
    """

    def show(self, pose: PoseFrame | None) -> None:
        cols = max(self.content_size.width, 10)
        rows = max(self.content_size.height, 4)
        self.update("\n".join(draw(pose, cols, rows)))
