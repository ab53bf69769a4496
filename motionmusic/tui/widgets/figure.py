"""The client's upper body as a braille stick figure (drawn by `core.figure`)."""

from __future__ import annotations

from textual.widgets import Static

from motionmusic.core.figure import draw
from motionmusic.core.pose import PoseFrame


class Figure(Static):
    DEFAULT_CSS = """
    Figure { width: 40%; min-width: 32; height: 1fr; max-height: 30; border: round $primary; }
    """

    pose: PoseFrame | None = None

    def on_resize(self) -> None:
        self.show(self.pose)

    def show(self, pose: PoseFrame | None) -> None:
        self.pose = pose
        cols = max(self.content_size.width, 10)
        rows = max(self.content_size.height, 4)
        self.update("\n".join(draw(pose, cols, rows)))
