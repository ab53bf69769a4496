"""The follower: asks the pose model for the client, and only for the client, every frame.

Each frame costs one pose: MediaPipe tracks whoever is in the client's zone (the picture cropped
around where the client was), and the `ClientLock` checks that it is still the client. When it is
not (the client hidden, someone else in the zone), nothing is played, and the follower looks
afresh in the client's zone every frame (MediaPipe's own tracker would stay on whoever it held),
and over the whole picture twice a second, so the client is found again by matching, wherever
they come back, and not by whoever is found first.

The whole picture is searched (`scan`) only at the start, on the therapist's cycle key and while
someone followed is lost: one fresh look over the picture, then one in each part left and right of
the people found, so each person costs one more look and nobody is found twice.

Group play follows up to four people the same way, each in a seat of their own (a lock, a zone,
a MediaPipe tracker): one pose per person per frame. People are numbered left to right on the
mirror-view figure when play starts, and keep their number by who they are; someone new takes
the lowest free number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from motionmusic.core.client import ClientLock, Seen
from motionmusic.core.people import Signature, Who, next_along, signature
from motionmusic.core.pose import Frame, PoseFrame, Zone
from motionmusic.core.protocols import PoseEstimator

SCAN_EVERY_S = 0.5  # while someone followed is lost (or not yet chosen)
SHOW_OTHERS_S = 3.0  # the figure shows people found by the last scan this long
MAX_PEOPLE = 4
NARROWEST = 0.12  # parts of the picture narrower than this are not searched
LEARN_EVERY = 5  # frames: colour and proportions of someone tracked are learnt this often
CYCLE_S = 1.5  # seconds the cycle key searches for someone new before it gives up
SMALLEST = 0.5  # a find less than half the size of the largest person is a part of someone


@dataclass(frozen=True, slots=True)
class Sighting:
    pose: PoseFrame | None  # the client's, or None
    seen: Seen
    others: tuple[PoseFrame, ...] = ()
    group: tuple[PoseFrame | None, ...] = ()  # group play: persons 2, 3, ... (None: not seen)


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


class Follower:
    def __init__(self, estimator: PoseEstimator, who: Who | None = None, people: int = 1) -> None:
        self.estimator = estimator
        self.seats = [Seat(0, ClientLock(who))]
        self.scans = 0
        self._cycle = False
        self._cycle_since: int | None = None  # when the cycle key's search began (ns)
        self._scanned_ns: int | None = None
        self._others: tuple[PoseFrame, ...] = ()
        self.play_for(people)

    @property
    def lock(self) -> ClientLock:
        """The client's (person 1's)."""
        return self.seats[0].lock

    def play_for(self, people: int) -> None:
        """Follow `people` people from now on (a group preset chosen, or a solo one)."""
        people = max(1, min(people, MAX_PEOPLE))
        while len(self.seats) > people:
            self.estimator.forget(self.seats.pop().slot)
        while len(self.seats) < people:
            self.seats.append(Seat(len(self.seats), ClientLock()))

    def cycle(self) -> None:
        """Follow the next person to the right from the next frame (the therapist's key)."""
        self._cycle = True

    def look(self, frame: Frame) -> Sighting:
        for seat in self.seats:
            seat.pose, seat.seen = None, Seen.ABSENT
        if self._cycle or not self.lock.chosen:
            self._choose(frame)
        else:
            for seat in self.seats:
                self._look(seat, frame)
        if any(s.seen is not Seen.CLIENT for s in self.seats) and self._scan_due(frame.t_ns):
            self._search(frame)
        client = self.seats[0]
        group = tuple(s.pose for s in self.seats[1:])
        others = tuple(p for p in group if p is not None) or self._recent_others(frame.t_ns)
        return Sighting(client.pose, client.seen, others, group)

    def _look(self, seat: Seat, frame: Frame) -> None:
        """Where `seat`'s person was: still them (and not someone another seat follows)?"""
        if not seat.lock.chosen or seat.zone is None:
            return
        if seat.tracking:
            pose = self.estimator.estimate(frame, seat.zone, seat.slot)
        else:
            pose = self.estimator.find(frame, seat.zone)
        whole = not seat.tracking or frame.index % LEARN_EVERY == 0
        mark = signature(pose, frame.image, whole) if pose is not None else None
        ours = pose is not None and mark is not None and not self._held(pose)
        if (
            ours
            and pose is not None
            and mark is not None
            and seat.lock.match([mark], frame.t_ns) == 0
        ):
            self._found(seat, frame, pose)
            return
        seat.tracking = False  # MediaPipe lost them, or holds someone else: look afresh
        if mark is not None and not seat.lock.confirming:
            seat.seen = Seen.OTHER

    def _choose(self, frame: Frame) -> None:
        """At the start (and on the cycle key): whom to follow, from a search of the picture."""
        if not self._cycle and not self._scan_due(frame.t_ns):
            return
        people = self.scan(frame)
        marks = [signature(p, frame.image) for p in people]
        if self._cycle:
            self._next_client(frame, people, marks)
            return
        if len(self.seats) > 1:
            self._seat_newcomers(frame, people, marks)
            return
        index = self.lock.choose(marks, frame.t_ns)
        if index is not None:
            self.seats[0].tracking = False
            self._found(self.seats[0], frame, people[index], people)

    def _next_client(self, frame: Frame, people: list[PoseFrame], marks: list[Signature]) -> None:
        """The cycle key: the next person along. A search can miss someone in one frame (arms
        held out across a neighbour): when it finds nobody new, the client plays on and the next
        frames search again, for up to `CYCLE_S` seconds of video (not a count of frames: a busy
        loop that skips frames must search as long)."""
        known = self.lock.known
        # someone else stands outside what is seen of the client: a find whose torso is within
        # the client's extent is a part of them (an arm found as a person), never the next one
        others = [
            i for i, m in enumerate(marks) if known is None or not _within(m.centre[0], known)
        ]
        along = next_along([marks[i] for i in others], known)
        index = others[along] if along is not None else None
        new = index is not None
        if self._cycle_since is None:
            self._cycle_since = frame.t_ns
        if not new and frame.t_ns - self._cycle_since < CYCLE_S * 1e9:
            for seat in self.seats:
                self._look(seat, frame)
            return
        self._cycle, self._cycle_since = False, None
        if index is not None:
            self.lock.adopt(marks[index], frame.t_ns)
            self.seats[0].tracking = False
            self._found(self.seats[0], frame, people[index], people)

    def _search(self, frame: Frame) -> None:
        """Someone followed is lost: search the whole picture for them (by matching), and give
        newcomers a free seat in group play."""
        people = [p for p in self.scan(frame) if not self._held(p)]
        marks = [signature(p, frame.image) for p in people]
        for seat in self.seats:
            if seat.seen is Seen.CLIENT or not seat.lock.chosen:
                continue
            index = seat.lock.match(marks, frame.t_ns)
            if index is not None:
                self._found(seat, frame, people[index], people)
                del people[index], marks[index]
        if len(self.seats) > 1:
            self._seat_newcomers(frame, people, marks)

    def _seat_newcomers(
        self, frame: Frame, people: list[PoseFrame], marks: list[Signature]
    ) -> None:
        """Group play: people not followed yet take the free seats, left to right as the mirror
        figure shows them (the picture's right first)."""
        free = [s for s in self.seats if not s.lock.chosen]
        order = sorted(range(len(people)), key=lambda i: -marks[i].centre[0])
        for seat, i in zip(free, [i for i in order if not self._held(people[i])], strict=False):
            seat.lock.adopt(marks[i], frame.t_ns)
            self._found(seat, frame, people[i], people)

    def _held(self, pose: PoseFrame) -> bool:
        """Is `pose` someone a seat already follows this frame?"""
        x = float(pose.image[[11, 12, 23, 24], 0].mean())
        return any(
            s.seen is Seen.CLIENT and s.lock.known is not None and _within(x, s.lock.known)
            for s in self.seats
        )

    def _found(
        self, seat: Seat, frame: Frame, pose: PoseFrame, people: list[PoseFrame] | None = None
    ) -> None:
        """`seat`'s person is `pose`: play it, and track them from here on."""
        assert seat.lock.known is not None
        seat.zone = _steady(seat.zone, seat.lock.known)
        seat.pose, seat.seen = pose, Seen.CLIENT
        if people is not None:
            self._others = tuple(p for p in people if p is not pose)
        if seat.tracking:
            return
        if not seat.fresh:  # found by a fresh look: MediaPipe's tracker may hold someone else
            self.estimator.forget(seat.slot)
        seat.fresh, seat.tracking = False, True
        tracked = self.estimator.estimate(frame, seat.zone, seat.slot)  # from this very frame
        mark = signature(tracked, frame.image) if tracked is not None else None
        if tracked is not None and mark is not None and seat.lock.match([mark], frame.t_ns) == 0:
            seat.pose = tracked  # smoothed like every frame after it: the angles do not jump

    def _scan_due(self, t_ns: int) -> bool:
        return self._scanned_ns is None or t_ns - self._scanned_ns >= SCAN_EVERY_S * 1e9

    def _recent_others(self, t_ns: int) -> tuple[PoseFrame, ...]:
        if self._scanned_ns is None or t_ns - self._scanned_ns > SHOW_OTHERS_S * 1e9:
            return ()
        return self._others

    def scan(self, frame: Frame) -> list[PoseFrame]:
        """Everyone in view (up to `MAX_PEOPLE`), left to right in the camera's picture."""
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
            largest = max((m.size for _, m in found), default=0.0)
            if mark.size < SMALLEST * largest or any(_within(mark.centre[0], m) for _, m in found):
                continue  # a part of someone already found (an arm held out, found as a person)
            found.append((pose, mark))
            lo, hi = mark.extent
            parts += [(left, lo), (hi, right)]
        found.sort(key=lambda pair: pair[1].centre[0])
        self._others = tuple(pose for pose, _ in found)
        return [pose for pose, _ in found]


def _within(x: float, person: Signature) -> bool:
    lo, hi = person.extent
    return lo <= x <= hi


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
