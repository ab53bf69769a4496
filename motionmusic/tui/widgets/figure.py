"""The client's upper body as a braille stick figure (drawn by `core.figure`), with anyone else in
view dotted beside them."""

from __future__ import annotations

from textual.widgets import Static

from motionmusic.core.figure import draw
from motionmusic.core.pose import PoseFrame


class Figure(Static):
    DEFAULT_CSS = """
    Figure { width: 40%; min-width: 32; height: 1fr; max-height: 30; border: round $primary; }
    """

    pose: PoseFrame | None = None
    others: tuple[PoseFrame, ...] = ()

    def on_resize(self) -> None:
        self.show(self.pose, self.others)

    def show(self, pose: PoseFrame | None, others: tuple[PoseFrame, ...] = ()) -> None:
        self.pose, self.others = pose, others
        cols = max(self.content_size.width, 10)
        rows = max(self.content_size.height, 4)
        self.update("\n".join(draw(pose, cols, rows, others)))
