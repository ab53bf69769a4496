"""One person followed: who they are, where they have been of late, where to look for them and
MediaPipe's tracker for them.

A seat's place (`home`) is learnt slowly: a tracker sliding off its person in a few frames hardly
moves it, so it tells a slide onto a neighbour from the person moving. The crop stays where it is
while they are well inside it (`keeps`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from motionmusic.core.client import ClientLock, Seen
from motionmusic.core.people import REACH, Signature
from motionmusic.core.pose import PoseFrame, Zone

KEEP_CROP = REACH - 1.0  # torso sizes of room either side of the torso that keep the crop
HOMING = 0.05  # per frame: how fast a seat's place follows its person (about 20 frames)
HOME_RADIUS = 0.4  # torso sizes from their place, frame to frame, while others are in view
OWN_PLACE = 0.5  # torso sizes: someone found this near a seat's place was its own person


@dataclass
class Seat:
    """One person followed: who they are, where to look, and MediaPipe's tracker for them."""

    slot: int
    lock: ClientLock
    zone: Zone | None = None
    tracking: bool = False  # MediaPipe's tracker is on them
    fresh: bool = True  # MediaPipe's tracker has seen nobody since it was made or forgotten
    seen: Seen = Seen.ABSENT  # this frame
    pose: PoseFrame | None = field(default=None, repr=False)
    home: tuple[float, float] | None = None  # where they have been of late (a slow average)
    found_ns: int | None = None  # when they were last found

    def settle(self, mark: Signature, afresh: bool) -> None:
        """Their place, learnt slowly: a tracker sliding off them in a few frames hardly moves
        it, someone who moves to another chair takes it along within a second or two. Learnt
        `afresh` where they were just chosen or found again after a gap."""
        if self.home is None or afresh:
            self.home = mark.centre
            return
        x, y = self.home
        self.home = (x + HOMING * (mark.centre[0] - x), y + HOMING * (mark.centre[1] - y))

    def back_home(self) -> None:
        """They were lost: look for them where they have been of late, not where the tracker
        last put them (it may have been sliding onto a neighbour)."""
        known = self.lock.known
        if known is not None and self.home is not None:
            self.lock.known = replace(known, centre=self.home)

    def strays(self, mark: Signature, places: list[tuple[float, float]]) -> bool:
        """Is `mark` off this seat's place while others sit at `places`: nearer to one of them
        than to where this seat's person has been of late, or more than `HOME_RADIUS` from it?
        Then it is the neighbour, a tracker sliding over to them, or a body made of both (the
        pose model blends people who overlap). Someone who moves far from one frame to the next
        is lost for a moment and found again by matching, which learns their new place."""
        known, home = self.lock.known, self.home
        if known is None or home is None:
            return False
        others = [p for p in places if math.dist(p, home) > OWN_PLACE * known.size]
        away = math.dist(mark.centre, home)
        return bool(others) and (
            away > HOME_RADIUS * known.size or any(math.dist(mark.centre, p) < away for p in others)
        )


def keeps(current: Zone | None, person: Signature) -> bool:
    """May the crop stay where it is: `KEEP_CROP` torso sizes of room either side of the torso
    (or the picture's edge), and not far too wide? Each move of the crop shakes the landmarks
    (the 3-D ones most) and can slide MediaPipe's tracker onto someone else."""
    if current is None:
        return False
    x, room = person.centre[0], KEEP_CROP * person.size
    inside = (current.left <= x - room or current.left == 0.0) and (
        x + room <= current.right or current.right == 1.0
    )
    return inside and current.width <= 1.5 * person.zone().width + 1e-9
