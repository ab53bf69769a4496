"""What the tracker remembers of a person, to know them again in the next frame or after a gap.

A `Signature` holds where a person is (the centre of the torso), how large they look (the torso's
size in the picture), their body proportions (limb lengths over shoulder width, from the metric
world landmarks, which do not shrink when the body turns) and the colour of their clothes over the
torso. Position says most from frame to frame; after a gap (the client hidden, someone walking
past) size, proportions and colour tell the client from the therapist.

Distances are in picture widths, so a 16:9 and a 4:3 picture judge alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.pose import FloatArray, PoseFrame, Zone

Who = Literal["left", "center", "right"]
WHO: tuple[Who, ...] = ("left", "center", "right")
SEEN = 0.5  # visibility from which a landmark counts as seen
MOVE_PER_S = 3.0  # how far a person may move, in torso sizes a second (a brisk step)
STAND_STILL = 0.3  # and how far their torso centre may wobble from one frame to the next
HIDDEN_MOVE_PER_S = 1.5  # out of view they come back near where they went: the zone looked in
FARTHEST = 3.0  # torso sizes: further off is someone else, however long the client was away
SIZE_TOLERANCE = 0.4  # |ln(size ratio)| from frame to frame: 1.5x larger or smaller
SIZE_AFTER_GAP = 0.25  # and after a gap: 1.28x (a step nearer the camera, or someone else)
COLOUR_TOLERANCE = 80.0  # distance of median BGR (0..255 each)
CONTINUOUS_S = 0.25  # seen this recently, where they were: the same person, whatever the colour
PROPORTION_TOLERANCE = 0.3  # mean difference of limb length / shoulder width (ranks only)
REACH = 2.0  # torso sizes from the torso's centre to the edge of the crop: arms held out fit
LIMBS = (
    ((L.LEFT_SHOULDER, L.LEFT_ELBOW), (L.RIGHT_SHOULDER, L.RIGHT_ELBOW)),
    ((L.LEFT_ELBOW, L.LEFT_WRIST), (L.RIGHT_ELBOW, L.RIGHT_WRIST)),
    ((L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE)),
)


@dataclass(frozen=True, slots=True)
class Signature:
    centre: tuple[float, float]  # torso centre, picture widths from the top left
    size: float  # the larger of shoulder width and torso length, in picture widths
    extent: tuple[float, float]  # left and right edge of what is seen of them (fractions)
    proportions: FloatArray  # upper arm, forearm, thigh, torso, hips over shoulder width
    colour: FloatArray | None  # median BGR over the torso; None without pixels

    def blend(self, now: Signature, weight: float = 0.1) -> Signature:
        """The reference after seeing `now`: where they are now, the rest learnt slowly."""
        colour = now.colour if self.colour is None else self.colour
        if self.colour is not None and now.colour is not None:
            colour = self.colour + weight * (now.colour - self.colour)
        size = math.exp(math.log(self.size) + weight * math.log(now.size / self.size))
        known = np.isfinite(self.proportions)
        proportions = np.where(
            known & np.isfinite(now.proportions),
            self.proportions + weight * (now.proportions - self.proportions),
            np.where(known, self.proportions, now.proportions),
        )
        return replace(now, size=size, proportions=proportions, colour=colour)

    @property
    def side(self) -> Who:
        """The third of the picture the torso is in."""
        x = self.centre[0]
        return "left" if x < 1 / 3 else "right" if x > 2 / 3 else "center"

    def zone(self, reach: float = REACH, least: float = 0.3) -> Zone:
        """Where to look for them next: `reach` torso sizes either side of the torso's centre
        (at least `least` of the picture wide), the whole height. From the torso, not from what
        is seen of them: an arm's landmark that wanders must not move the crop, since the pose
        model's tracker takes the person to be where the last frame had them in the crop."""
        x = self.centre[0]
        half = max(reach * self.size, least / 2)
        return Zone(max(x - half, 0.0), 0.0, min(x + half, 1.0), 1.0)

    def near(self, other: Signature, within: float = 0.5) -> bool:
        """Is `other`'s torso within `within` torso sizes of this one's: the same place?"""
        return math.dist(self.centre, other.centre) <= within * self.size


def signature(
    pose: PoseFrame, image: npt.NDArray[np.uint8] | None = None, whole: bool = True
) -> Signature:
    """What there is to remember of `pose` (and of its clothes, when `image` is given). Not
    `whole`: place and size only (frame to frame that is what decides; colour and proportions
    are learnt every few frames, saving a tenth of a millisecond)."""
    width, height = pose.image_size
    xy = pose.image[:, :2] * np.array([1.0, height / width])  # picture widths
    shoulders = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    hips = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    shoulder_w = float(np.linalg.norm(xy[L.LEFT_SHOULDER] - xy[L.RIGHT_SHOULDER]))
    size = max(shoulder_w, float(np.linalg.norm(shoulders - hips)), 1e-3)
    centre = (shoulders + hips) / 2
    seen = pose.image[pose.visibility >= SEEN, 0]
    xs = seen if len(seen) >= 4 else pose.image[:, 0]
    extent = (float(np.clip(np.min(xs), 0.0, 1.0)), float(np.clip(np.max(xs), 0.0, 1.0)))
    colour = _torso_colour(pose, image) if image is not None and whole else None
    proportions = _proportions(pose) if whole else np.full(len(LIMBS) + 2, np.nan)
    return Signature((float(centre[0]), float(centre[1])), size, extent, proportions, colour)


def _proportions(pose: PoseFrame) -> FloatArray:
    """Limb lengths over shoulder width, from the sides in view (NaN: neither side seen): a
    hidden limb's length is the model's guess, and it wanders by a third from frame to frame."""
    w, seen = pose.world, pose.visibility >= SEEN
    shoulder_w = max(float(np.linalg.norm(w[L.LEFT_SHOULDER] - w[L.RIGHT_SHOULDER])), 1e-3)
    limbs = [
        np.mean(lengths) / shoulder_w
        if (lengths := [np.linalg.norm(w[a] - w[b]) for a, b in pair if seen[a] and seen[b]])
        else np.nan
        for pair in LIMBS
    ]
    torso = np.linalg.norm(
        (w[L.LEFT_SHOULDER] + w[L.RIGHT_SHOULDER]) / 2 - (w[L.LEFT_HIP] + w[L.RIGHT_HIP]) / 2
    )
    hips = np.linalg.norm(w[L.LEFT_HIP] - w[L.RIGHT_HIP])
    return np.array([*limbs, torso / shoulder_w, hips / shoulder_w], dtype=np.float64)


def _torso_colour(pose: PoseFrame, image: npt.NDArray[np.uint8]) -> FloatArray | None:
    """Median colour of a 5 x 5 grid inside the torso (shoulders to hips, inset by a fifth)."""
    height, width = image.shape[:2]
    pts = pose.image[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP], :2]
    pts = pts * np.array([width, height])
    u = np.linspace(0.2, 0.8, 5)
    top = pts[0][None, :] + u[:, None] * (pts[1] - pts[0])
    bottom = pts[2][None, :] + u[:, None] * (pts[3] - pts[2])
    v = np.linspace(0.2, 0.8, 5)
    grid = (top[None, :, :] + v[:, None, None] * (bottom - top)[None, :, :]).reshape(-1, 2)
    x, y = np.rint(grid[:, 0]).astype(int), np.rint(grid[:, 1]).astype(int)
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    if inside.sum() < 5:
        return None
    colour: FloatArray = np.median(image[y[inside], x[inside]].astype(np.float64), axis=0)
    return colour


def difference(known: Signature, seen: Signature, gap_s: float) -> float | None:
    """How unlike `known` (last seen `gap_s` ago) `seen` is: 0 alike, about 1 per cue at the edge
    of what a person could do; None when a cue rules them out.

    From frame to frame (`gap_s` < `CONTINUOUS_S`) position and size decide: arms across the
    chest or a turn make the torso's colour jump. After a gap, colour must agree too, size more
    closely, and the client is looked for near where they went (`FARTHEST` at most): silence is
    better than someone else played; the therapist's cycle key finds a client who moved far.
    Body proportions only rank: MediaPipe's limb lengths of one person wander by a fifth as the
    pose changes, as much as two people differ."""
    continuous = gap_s < CONTINUOUS_S
    size = abs(math.log(seen.size / known.size)) / (
        SIZE_TOLERANCE if continuous else SIZE_AFTER_GAP
    )
    if continuous:
        allowed = STAND_STILL + MOVE_PER_S * gap_s
    else:
        allowed = min(STAND_STILL + HIDDEN_MOVE_PER_S * gap_s, FARTHEST)
    moved = math.dist(known.centre, seen.centre) / known.size / allowed
    colour = 0.0
    if known.colour is not None and seen.colour is not None:
        colour = float(np.linalg.norm(known.colour - seen.colour)) / COLOUR_TOLERANCE
    gates = [size, moved] if continuous else [size, moved, colour]
    if max(gates) > 1.0:
        return None
    shared = np.isfinite(known.proportions) & np.isfinite(seen.proportions)
    spread = 0.0
    if shared.sum() >= 2:
        spread = float(np.mean(np.abs(known.proportions - seen.proportions)[shared]))
    return size + moved + min(colour, 1.0) + min(spread / PROPORTION_TOLERANCE, 1.0)


def pick(people: list[Signature], who: Who | None) -> int | None:
    """Whom to follow at the start: the person at `who`'s third of the picture nearest its middle,
    or (no `who`) the person nearest the picture's centre, ties (within 5%) to the larger."""
    if who is not None:
        middle = {"left": 1 / 6, "center": 0.5, "right": 5 / 6}[who]
        at_side = [i for i, p in enumerate(people) if p.side == who]
        return min(at_side, key=lambda i: abs(people[i].centre[0] - middle), default=None)
    if not people:
        return None
    nearest = min(abs(p.centre[0] - 0.5) for p in people)
    close = [i for i, p in enumerate(people) if abs(p.centre[0] - 0.5) <= nearest + 0.05]
    return max(close, key=lambda i: people[i].size)


def next_along(people: list[Signature], current: Signature | None) -> int | None:
    """The cycle key: the next person to the right as the mirror-view figure shows them (the
    people's own left to right as they face the camera), wrapping round to the first."""
    if not people:
        return None
    order = sorted(range(len(people)), key=lambda i: -people[i].centre[0])  # mirrored
    if current is None:
        return order[0]
    x = current.centre[0]
    further = [i for i in order if people[i].centre[0] < x - 0.5 * current.size]
    return further[0] if further else order[0]
