"""The hand source: the client's hand, measured into hand features.

The hand model tracks up to two hands over the picture. With the body tracked too, the client's
hand is the one whose wrist is nearest one of the client's wrists, as the pose places them:
someone else's hand in view is never played. Without the body (a hand-only preset: a client
seen from close up, the hand on a table), it is the hand where the client's was
(`core.place.PlaceLock`).
"""

from __future__ import annotations

import math

from motionmusic.core.client import Seen
from motionmusic.core.features import Features
from motionmusic.core.hand import HandFrame, measure_hand
from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.place import KEEP_WITHIN, Place, PlaceLock
from motionmusic.core.pose import Frame, PoseFrame
from motionmusic.core.protocols import HandEstimator


def _place(hand: HandFrame) -> Place:
    width, height = hand.image_size
    x, y = hand.wrist
    return x * width, y * height, hand.width()


def nearest_wrist(hands: list[HandFrame], pose: PoseFrame) -> HandFrame | None:
    """The hand whose wrist is nearest one of the pose's wrists, within `KEEP_WITHIN` hand
    widths of it (None: no hand is the client's)."""
    width, height = pose.image_size
    wrists = [pose.image[w, :2] * (width, height) for w in (L.LEFT_WRIST, L.RIGHT_WRIST)]
    best, best_gap = None, math.inf
    for hand in hands:
        x, y, size = _place(hand)
        gap = min(math.hypot(x - wx, y - wy) for wx, wy in wrists) / max(size, 1.0)
        if gap <= KEEP_WITHIN and gap < best_gap:
            best, best_gap = hand, gap
    return best


class HandSource:
    """Measures the client's hand each frame; `hand` is the last one found (for displays)."""

    def __init__(self, estimator: HandEstimator) -> None:
        self.estimator = estimator
        self.hand: HandFrame | None = None
        self.lock = PlaceLock()

    @property
    def stage_ms(self) -> dict[str, float]:
        return self.estimator.stage_ms

    def release(self) -> None:
        self.lock.release()

    def look(self, frame: Frame, pose: PoseFrame | None, body: bool) -> tuple[Features, Seen]:
        """The client's hand features this frame, and whether their hand was seen."""
        hands = self.estimator.hands(frame)
        if body:
            self.hand = nearest_wrist(hands, pose) if pose is not None else None
        else:
            chosen = self.lock.choose([_place(hand) for hand in hands])
            self.hand = None if chosen is None else hands[chosen]
        if self.hand is None:
            return Features.missing(frame.t_ns), Seen.NO_HAND
        return measure_hand(self.hand), Seen.CLIENT
