"""The hand's features: each finger's flexion in degrees, the thumb-index pinch, how open the hand
is and how high, from the 21 points a hand model found in one frame.

Finger flexion is the clinical *total active motion* of a finger: the flexion of its three joints
added up (MCP + PIP + DIP; the thumb's MCP + IP), each the angle by which a bone turns away from
the line of the one before it, measured on the model's 3-D (world) points, so it holds whichever
way the hand faces the camera. 0 is a straight finger; a full fist is about 260° (American
Society for Surgery of the Hand). The pinch gap and the openness are in palm lengths (the wrist to
the middle finger's knuckle), so a hand near the camera and one far off measure alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from motionmusic.core.features import FEATURE_INDEX, FINGERS, Features, FloatArray

HAND_POINTS = 21
WRIST, THUMB_TIP, INDEX_TIP, MIDDLE_MCP = 0, 4, 8, 9
CHAINS = {
    "thumb": (1, 2, 3, 4),
    "index": (0, 5, 6, 7, 8),
    "middle": (0, 9, 10, 11, 12),
    "ring": (0, 13, 14, 15, 16),
    "little": (0, 17, 18, 19, 20),
}
"""Each finger's points from its base: the angle at every inner point is one joint's flexion (the
thumb's first segment, CMC to MCP, has no bone before it that the model sees well)."""
TIPS = (8, 12, 16, 20)
CLOSED, OPEN = 1.0, 1.9
"""A fingertip's mean distance from the wrist, in palm lengths, in a fist and an open hand (the
shared hand clips measure about 0.9-1.1 and 1.8-2.0)."""


@dataclass(frozen=True, slots=True)
class HandFrame:
    """One hand at one instant, as plain arrays.

    Attributes:
        t_ns: capture time of the frame (monotonic ns).
        points: (21, 3) normalised image coordinates, x and y 0..1 (y down).
        world: (21, 3) metres, centred on the hand.
        side: "left" or "right", as the model tells it (None: unsure).
        image_size: (width, height) of the picture.
    """

    t_ns: int
    points: FloatArray
    world: FloatArray
    side: str | None
    image_size: tuple[int, int]

    def __post_init__(self) -> None:
        for name in ("points", "world"):
            if getattr(self, name).shape != (HAND_POINTS, 3):
                raise ValueError(f"HandFrame.{name} must have shape ({HAND_POINTS}, 3)")

    @property
    def wrist(self) -> tuple[float, float]:
        return float(self.points[WRIST, 0]), float(self.points[WRIST, 1])

    def width(self) -> float:
        """The hand's size in the picture, in pixels (the longer side of its box)."""
        width, height = self.image_size
        spans = np.ptp(self.points[:, :2], axis=0) * np.array([width, height])
        return float(np.max(spans))


def _turn(a: FloatArray, b: FloatArray) -> float:
    """Degrees by which the direction `b` turns away from `a` (0: straight on)."""
    cos = float(a @ b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12)
    return math.degrees(math.acos(min(max(cos, -1.0), 1.0)))


def flexion(world: FloatArray, chain: tuple[int, ...]) -> float:
    """The total flexion of one finger: the turns at each of its inner joints, added up."""
    bones = [world[b] - world[a] for a, b in pairwise(chain)]
    return sum(_turn(a, b) for a, b in pairwise(bones))


def measure_hand(hand: HandFrame) -> Features:
    """Every hand feature of one hand (the other sources' features: not measured)."""
    features = Features.missing(hand.t_ns)
    values, world = features.values, hand.world
    for finger in FINGERS:
        values[FEATURE_INDEX[f"{finger}_flexion"]] = flexion(world, CHAINS[finger])
    palm = max(float(np.linalg.norm(world[MIDDLE_MCP] - world[WRIST])), 1e-6)
    gap = float(np.linalg.norm(world[THUMB_TIP] - world[INDEX_TIP])) / palm
    values[FEATURE_INDEX["pinch_gap"]] = gap
    reach = float(np.mean([np.linalg.norm(world[t] - world[WRIST]) for t in TIPS])) / palm
    values[FEATURE_INDEX["hand_open"]] = min(max((reach - CLOSED) / (OPEN - CLOSED), 0.0), 1.0)
    values[FEATURE_INDEX["hand_height"]] = 1.0 - float(hand.points[WRIST, 1])
    features.confidence[~np.isnan(values)] = 1.0
    return features
