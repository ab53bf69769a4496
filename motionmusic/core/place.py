"""Which of the faces or hands found is the client's, when the body is not tracked to say so.

The first time, the largest (the nearest the camera: the client sits in front); then always the
one nearest where the client's was last seen, within `KEEP_WITHIN` of its own sizes. One found
further off is someone else's: nothing of it is played or logged, and the lock keeps waiting
where the client was. `release` (the therapist's cycle key) takes the largest again.
"""

from __future__ import annotations

import math

KEEP_WITHIN = 1.5
"""How far, in its own widths, the client's face or hand may move between two frames it is seen
in and still be theirs."""

Place = tuple[float, float, float]
"""Centre x, centre y and width, in pixels."""


class PlaceLock:
    def __init__(self) -> None:
        self.last: Place | None = None

    def release(self) -> None:
        self.last = None

    def choose(self, places: list[Place]) -> int | None:
        """The index of the client's among `places` (None: none of them is)."""
        if not places:
            return None
        if self.last is None:
            chosen = max(range(len(places)), key=lambda i: places[i][2])
        else:
            x, y, width = self.last
            distance = [math.hypot(px - x, py - y) for px, py, _ in places]
            chosen = min(range(len(places)), key=lambda i: distance[i])
            if distance[chosen] > KEEP_WITHIN * width:
                return None
        self.last = places[chosen]
        return chosen
