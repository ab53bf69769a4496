"""A search of the whole picture for everyone in view: one look, then in the parts of the picture
left and right of each person found, and again where they were found with them veiled
(`core.veil`), until nobody new is found.

The pose model gives one person per look, and finds small people better in a part of the picture
than in the whole. The parts beside someone miss a neighbour who overlaps them (the part between
is too narrow, or cuts them in half): the look again with the people found veiled does not, so
nobody is found twice, however close they sit. A look over a whole picture of people who
overlap often gives a body made of two of them (the pose model blends what its crop holds), so
each find is looked at again, closer (`CLOSER` torso sizes either side), where it is one person
the crop holds: two looks a person. What a veiled picture can still give is the person veiled
(a veil does not hide everyone from every side) or a body made of the parts round a veil (an arm
held out, a leg): such a find has its face where a veil is, is on top of someone found, or is
smaller than half the largest; it is left out and veiled too.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.people import Signature, signature
from motionmusic.core.pose import WHOLE, Frame, PoseFrame, Zone
from motionmusic.core.protocols import PoseEstimator
from motionmusic.core.veil import HEAD, torso_size, veil

MAX_PEOPLE = 4
CLOSER = 0.8  # torso sizes either side of a find: the second, closer look at them
NARROWEST = 0.12  # parts of the picture narrower than this are not looked in
MOST_LOOKS = 3 * MAX_PEOPLE  # a search ends after this many looks (closer ones not counted)
SMALLEST = 0.5  # a find less than half the size of the largest person is a part of someone
APART = 0.75  # torso sizes: finds nearer than this to each other are one person


def veiled(frame: Frame, poses: list[PoseFrame]) -> Frame:
    """`frame` with `poses` veiled (itself when there is nothing to veil, or no pixels)."""
    if frame.image is None or not poses:
        return frame
    return replace(frame, image=veil(frame.image, poses))


def search(estimator: PoseEstimator, frame: Frame) -> list[tuple[PoseFrame, Signature]]:
    """Everyone in view (up to `MAX_PEOPLE`) and their signatures, left to right in the camera's
    picture."""
    found: list[tuple[PoseFrame, Signature]] = []
    hidden: list[PoseFrame] = []
    zones = [WHOLE]
    for _ in range(MOST_LOOKS):
        if not zones or len(found) == MAX_PEOPLE:
            break
        zone = zones.pop()
        picture = veiled(frame, hidden)
        pose = estimator.find(picture, zone)
        if pose is None:
            continue
        if not _faceless(pose, hidden):
            closer = estimator.find(picture, signature(pose).zone(CLOSER, least=0.0))
            person = closer if closer is not None else pose
            mark = signature(person, frame.image)
            if apart(mark, [m for _, m in found]):  # not a part of someone already found
                found.append((person, mark))
                zones += [zone, *_beside(zone, pose)]  # the parts beside all of them first
                hidden.append(person)
        hidden.append(pose)
    return sorted(found, key=lambda pair: pair[1].centre[0])


def _beside(zone: Zone, pose: PoseFrame) -> list[Zone]:
    """The parts of `zone` left and right of all of `pose` (hidden limbs too: a part that cut
    through them would show half a person, found as someone), if wide enough."""
    lo, hi = (float(np.clip(f(pose.image[:, 0]), 0.0, 1.0)) for f in (np.min, np.max))
    parts = [
        Zone(zone.left, 0.0, min(lo, zone.right), 1.0),
        Zone(max(hi, zone.left), 0.0, zone.right, 1.0),
    ]
    return [part for part in parts if part.width >= NARROWEST]


def apart(mark: Signature, others: list[Signature]) -> bool:
    """A person of their own: not less than half the size of the largest of `others`, and not
    on top of any of them (`APART`)."""
    largest = max((m.size for m in others), default=0.0)
    return mark.size >= SMALLEST * largest and not any(m.near(mark, APART) for m in others)


def _faceless(pose: PoseFrame, hidden: list[PoseFrame]) -> bool:
    """Is `pose`'s face where a veil is: someone veiled found again, or a body made up of the
    parts round them?"""
    scale = np.array(pose.image_size, dtype=np.float64)
    nose = pose.image[L.NOSE, :2] * scale
    for other in hidden:
        points = other.image[:, :2] * scale
        if float(np.hypot(*(points[L.NOSE] - nose))) <= HEAD * torso_size(points):
            return True
    return False
