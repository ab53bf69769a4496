"""The follower: asks the pose model for the client, and only for the client, every frame.

Each frame costs one pose: MediaPipe tracks whoever is in the client's zone (the picture cropped
around where the client was), and the `ClientLock` checks that it is still the client. When it is
not (the client hidden, someone else in the zone), nothing is played, and the follower looks
afresh in the client's zone every frame (MediaPipe's own tracker would stay on whoever it held),
and over the whole picture twice a second, so the client is found again by matching, wherever
they come back, and not by whoever is found first.

The whole picture is searched (`scan`) only at the start, on the therapist's cycle key and while
the client is lost: one fresh look over the picture, then one in each part left and right of the
people found, so each person costs one more look and nobody is found twice. People are numbered
left to right.
"""

from __future__ import annotations

from dataclasses import dataclass

from motionmusic.core.client import ClientLock, Seen
from motionmusic.core.people import Signature, Who, signature
from motionmusic.core.pose import Frame, PoseFrame, Zone
from motionmusic.core.protocols import PoseEstimator

SCAN_EVERY_S = 0.5  # while the client is lost (or not yet chosen)
SHOW_OTHERS_S = 3.0  # the figure shows people found by the last scan this long
MAX_PEOPLE = 4
NARROWEST = 0.12  # parts of the picture narrower than this are not searched


@dataclass(frozen=True, slots=True)
class Sighting:
    pose: PoseFrame | None  # the client's, or None
    seen: Seen
    others: tuple[PoseFrame, ...] = ()


class Follower:
    def __init__(self, estimator: PoseEstimator, who: Who | None = None) -> None:
        self.estimator = estimator
        self.lock = ClientLock(who)
        self.zone: Zone | None = None
        self.tracking = False  # MediaPipe's tracker is on the client
        self._fresh = True  # MediaPipe's tracker has seen nobody since it was made or forgotten
        self.scans = 0
        self._cycle = False
        self._scanned_ns: int | None = None
        self._others: tuple[PoseFrame, ...] = ()

    def cycle(self) -> None:
        """Follow the next person to the right from the next frame (the therapist's key)."""
        self._cycle = True

    def look(self, frame: Frame) -> Sighting:
        if self._cycle or not self.lock.chosen:
            return self._choose(frame)
        assert self.zone is not None
        if self.tracking:
            pose = self.estimator.estimate(frame, self.zone)
        else:
            pose = self.estimator.find(frame, self.zone)
        mark = signature(pose, frame.image) if pose is not None else None
        if pose is not None and mark is not None and self.lock.match([mark], frame.t_ns) == 0:
            return self._found(frame, pose)
        self.tracking = False  # MediaPipe lost the client, or holds someone else: look afresh
        if self._scan_due(frame.t_ns):
            people = self.scan(frame)
            index = self.lock.match([signature(p, frame.image) for p in people], frame.t_ns)
            if index is not None:
                return self._found(frame, people[index], people)
        seen = Seen.OTHER if mark is not None and not self.lock.confirming else Seen.ABSENT
        return Sighting(None, seen, self._recent_others(frame.t_ns))

    def _choose(self, frame: Frame) -> Sighting:
        if not self._cycle and not self._scan_due(frame.t_ns):
            return Sighting(None, Seen.ABSENT, self._recent_others(frame.t_ns))
        people = self.scan(frame)
        marks = [signature(p, frame.image) for p in people]
        chooser = self.lock.cycle if self._cycle else self.lock.choose
        self._cycle = False
        index = chooser(marks, frame.t_ns)
        if index is None:
            return Sighting(None, Seen.ABSENT, tuple(people))
        return self._found(frame, people[index], people)

    def _found(
        self, frame: Frame, pose: PoseFrame, people: list[PoseFrame] | None = None
    ) -> Sighting:
        """The client is `pose`: play it, and track them from here on."""
        assert self.lock.known is not None
        self.zone = _steady(self.zone, self.lock.known)
        if people is not None:
            self._others = tuple(p for p in people if p is not pose)
        if not self.tracking:  # found by a fresh look: track them from this very frame
            if not self._fresh:
                self.estimator.forget()  # MediaPipe's tracker may hold someone else
            self._fresh, self.tracking = False, True
            tracked = self.estimator.estimate(frame, self.zone)
            if (
                tracked is not None
                and self.lock.match([signature(tracked, frame.image)], frame.t_ns) == 0
            ):
                pose = tracked  # smoothed like every frame after it, so the angles do not jump
        return Sighting(pose, Seen.CLIENT, self._recent_others(frame.t_ns))

    def _scan_due(self, t_ns: int) -> bool:
        return self._scanned_ns is None or t_ns - self._scanned_ns >= SCAN_EVERY_S * 1e9

    def _recent_others(self, t_ns: int) -> tuple[PoseFrame, ...]:
        if self._scanned_ns is None or t_ns - self._scanned_ns > SHOW_OTHERS_S * 1e9:
            return ()
        return self._others

    def scan(self, frame: Frame) -> list[PoseFrame]:
        """Everyone in view (up to `MAX_PEOPLE`), left to right."""
        self.scans += 1
        self._scanned_ns = frame.t_ns
        found: list[tuple[PoseFrame, Signature]] = []
        parts = [(0.0, 1.0)]
        while parts and len(found) < MAX_PEOPLE:
            left, right = parts.pop()
            if right - left < NARROWEST:
                continue
            pose = self.estimator.find(frame, Zone(left, 0.0, right, 1.0))
            if pose is None:
                continue
            mark = signature(pose, frame.image)
            if any(lo <= mark.centre[0] <= hi for _, m in found for lo, hi in [m.extent]):
                continue  # a part of someone already found
            found.append((pose, mark))
            lo, hi = mark.extent
            parts += [(left, lo), (hi, right)]
        found.sort(key=lambda pair: pair[1].centre[0])
        self._others = tuple(pose for pose, _ in found)
        return [pose for pose, _ in found]


def _steady(current: Zone | None, person: Signature) -> Zone:
    """The crop, kept still while the client stays well inside it and it is not far too wide:
    MediaPipe's tracker expects the person where the last frame had them, in the crop's
    coordinates, and each move of the crop shakes the landmarks (the 3-D ones most) for a frame."""
    wanted = person.zone()
    if current is None:
        return wanted
    lo, hi = person.extent
    room = 0.1 * (hi - lo)
    inside = (current.left <= lo - room or current.left == 0.0) and (
        hi + room <= current.right or current.right == 1.0
    )
    return current if inside and current.width <= 3.0 * wanted.width else wanted
