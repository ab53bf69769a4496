"""The follower: asks the pose model for the client, and only for the client, every frame.

Each frame costs one pose: MediaPipe tracks whoever is in the client's zone (the picture cropped
around where the client was), and the `ClientLock` checks that it is still the client. When it is
not, the follower looks again in the same frame, afresh, with the person it found instead veiled
(`core.veil`: head and torso painted over): a neighbour leaning in, or a tracker that slid onto
the neighbour, costs one more look and no silence. When that finds nobody who matches (the client
hidden, someone else in their place), nothing is played, and the follower looks afresh in the
client's zone every frame and over the whole picture twice a second, so the client is found again
by matching, wherever they come back, and not by whoever is found first.

The crop stays where it is while the client is well inside it: MediaPipe's tracker takes the
person to be where the last frame had them *in the crop*, so a crop that moved under it slid it
onto a neighbour (a seated pair flipped between "client" and "someone else" every other frame).
A client who moves far is tracked afresh in a new crop. Tracking always starts on a picture with
everyone else veiled, so it starts on the client; and a pose where someone else sits (another
player, or a neighbour the last search found) is never the client's, however gently the tracker
slid there.

The whole picture is searched (`runtime.search`) at the start, on the therapist's cycle key and
while someone followed is lost.

Group play follows up to four people the same way, each in a seat of their own (a lock, a zone,
a MediaPipe tracker): one pose per person per frame. People are numbered left to right on the
mirror-view figure when play starts, and keep their number by who they are; someone new takes
the lowest free number. A seat keeps its person's place while they are lost: nobody else is taken
there. Where people sit close, a newcomer is seated once two searches in a row found them in the
same place, so a body blended of two neighbours, which comes and goes, never takes a seat.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from motionmusic.core.client import ClientLock, Seen
from motionmusic.core.people import CONTINUOUS_S, Signature, Who, next_along, signature
from motionmusic.core.pose import Frame, PoseFrame
from motionmusic.core.protocols import PoseEstimator
from motionmusic.runtime.search import MAX_PEOPLE, apart, search, veiled
from motionmusic.runtime.seat import Seat, keeps

SCAN_EVERY_S = 0.5  # while someone followed is lost (or not yet chosen)
NEWCOMERS_EVERY_S = 2.0  # group play with a seat free: how often to look for someone new
CONFIRM_AFTER_S = 0.2  # and how soon to look again where someone new was found
SHOW_OTHERS_S = 3.0  # the figure shows people found by the last scan this long
LEARN_EVERY = 5  # frames: colour and proportions of someone tracked are learnt this often
CYCLE_S = 1.5  # seconds the cycle key searches for someone new before it gives up
SAME_PLACE = 0.5  # torso sizes: a find whose torso is this near a known one's is that person
CROWDED = 2.0  # torso sizes: someone else nearer than this, and a find may be two people blended


@dataclass(frozen=True, slots=True)
class Sighting:
    pose: PoseFrame | None  # the client's, or None
    seen: Seen
    others: tuple[PoseFrame, ...] = ()
    group: tuple[PoseFrame | None, ...] = ()  # group play: persons 2, 3, ... (None: not seen)


class Follower:
    def __init__(self, estimator: PoseEstimator, who: Who | None = None, people: int = 1) -> None:
        self.estimator = estimator
        self.seats = [Seat(0, ClientLock(who))]
        self.scans = 0
        self._cycle = False
        self._cycle_since: int | None = None  # when the cycle key's search began (ns)
        self._scanned_ns: int | None = None
        self._others: tuple[PoseFrame, ...] = ()  # people the last search found (the figure's)
        self._newcomers: list[Signature] = []  # found by the last search, not yet seated
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
        if self._search_due(frame.t_ns):
            self._search(frame)
        client = self.seats[0]
        group = tuple(s.pose for s in self.seats[1:])
        others = tuple(p for p in group if p is not None) or self._recent_others(frame.t_ns)
        return Sighting(client.pose, client.seen, others, group)

    def _look(self, seat: Seat, frame: Frame) -> None:
        """Where `seat`'s person was: still them (and not someone another seat follows)? If the
        tracker holds someone else, look again at once with them veiled."""
        if not seat.lock.chosen or seat.zone is None:
            return
        wrong: list[PoseFrame] = []
        if seat.tracking:
            pose = self.estimator.estimate(frame, seat.zone, seat.slot)
            if pose is not None and self._is(seat, frame, pose, frame.index % LEARN_EVERY == 0):
                self._found(seat, frame, pose)
                return
            seat.tracking = False  # MediaPipe lost them, or holds someone else: look afresh
            wrong = [pose] if pose is not None else []
            seat.back_home()  # the last frames before a loss are often the tracker sliding off
        hidden = wrong + self._others_than(seat)
        pose = self.estimator.find(veiled(frame, hidden), seat.zone)
        if pose is not None and self._is(seat, frame, pose, True):
            self._found(seat, frame, pose, hide=hidden)
        elif (pose is not None or wrong) and not seat.lock.confirming:
            seat.seen = Seen.OTHER

    def _is(self, seat: Seat, frame: Frame, pose: PoseFrame, whole: bool) -> bool:
        """Is `pose` `seat`'s person, and not where somebody else is (another seat's person, or
        someone the last search found beside them)? Learnt if so. A tracker sliding from the
        client onto a neighbour moves less per frame than a person may, so where the
        neighbours sit is what stops it."""
        mark = signature(pose, frame.image, whole)
        if self._reserved(mark, seat) or self._astray(mark, seat, frame.t_ns):
            return False
        return seat.lock.match([mark], frame.t_ns) == 0

    def _reserved(self, mark: Signature, seat: Seat | None) -> bool:
        """Is `mark`'s torso where another seat's person was last seen? A seat keeps its place
        while its person is lost. An arm held out across a neighbour does not count: it is the
        torso that says where someone is."""
        return any(
            s is not seat and s.lock.known is not None and s.lock.known.near(mark, SAME_PLACE)
            for s in self.seats
        )

    def _astray(self, mark: Signature, seat: Seat, t_ns: int) -> bool:
        """Is `mark` off `seat`'s person's place, where others sit: another seat's person, or
        someone the last search found (`Seat.strays`)?"""
        if seat.lock.settling(t_ns):
            return False
        places = [s.home for s in self.seats if s is not seat and s.home is not None]
        places += [signature(p).centre for p in self._others]
        return seat.strays(mark, places)

    def _others_than(self, seat: Seat) -> list[PoseFrame]:
        """Everyone known not to be `seat`'s person: the other seats' people this frame, and
        the people of the last search whom no seat follows."""
        poses = [s.pose for s in self.seats if s is not seat and s.pose is not None]
        known = seat.lock.known
        for other in self._others:
            mark = signature(other)
            if known is not None and known.near(mark, SAME_PLACE):
                continue  # where the seat's own person is: that was them
            if not any(signature(p).near(mark, SAME_PLACE) for p in poses):
                poses.append(other)
        return poses

    def _choose(self, frame: Frame) -> None:
        """At the start (and on the cycle key): whom to follow, from a search of the picture."""
        every = CONFIRM_AFTER_S if self._newcomers else SCAN_EVERY_S
        if not self._cycle and not self._scan_due(frame.t_ns, every):
            return
        people, marks = self._scan(frame)
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
        if self._cycle_since is None:
            self._cycle_since = frame.t_ns
        if index is None and frame.t_ns - self._cycle_since < CYCLE_S * 1e9:
            for seat in self.seats:
                self._look(seat, frame)
            return
        self._cycle, self._cycle_since = False, None
        if index is not None:
            self.lock.adopt(marks[index], frame.t_ns)
            self.seats[0].tracking = False
            self._found(self.seats[0], frame, people[index], people)

    def _search_due(self, t_ns: int) -> bool:
        """Someone followed is lost (every `SCAN_EVERY_S`), or a seat is free for a newcomer
        (every `NEWCOMERS_EVERY_S`: a search costs two looks per person in view; sooner, after
        `CONFIRM_AFTER_S`, where someone new was just found)."""
        chosen = [s for s in self.seats if s.lock.chosen]
        if any(s.seen is not Seen.CLIENT for s in chosen):
            return self._scan_due(t_ns, SCAN_EVERY_S)
        every = CONFIRM_AFTER_S if self._newcomers else NEWCOMERS_EVERY_S
        return len(chosen) < len(self.seats) and self._scan_due(t_ns, every)

    def _search(self, frame: Frame) -> None:
        """Find the people followed who are lost (by matching), and give newcomers a free seat
        in group play."""
        people, marks = self._scan(frame)
        for seat in self.seats:
            if seat.seen is Seen.CLIENT or not seat.lock.chosen:
                continue
            candidates = [i for i, m in enumerate(marks) if not self._reserved(m, seat)]
            index = seat.lock.match([marks[i] for i in candidates], frame.t_ns)
            if index is not None:
                i = candidates[index]
                self._found(seat, frame, people[i], people)
                del people[i], marks[i]
        if len(self.seats) > 1:
            self._seat_newcomers(frame, people, marks)

    def _seat_newcomers(
        self, frame: Frame, people: list[PoseFrame], marks: list[Signature]
    ) -> None:
        """Group play: people not followed yet take the free seats, left to right as the mirror
        figure shows them (the picture's right first). Where people sit close (`CROWDED`) a find
        may be two of them blended: then each is seated once the search before found them in
        the same place too (`CONFIRM_AFTER_S` earlier, with other camera noise)."""
        seated = [s.lock.known for s in self.seats if s.lock.known is not None]
        new = [i for i, m in enumerate(marks) if apart(m, seated)]
        crowded = any(a.near(b, CROWDED) for a, b in combinations([*seated, *marks], 2))
        confirmed = [
            i
            for i in new
            if not crowded or any(m.near(marks[i], SAME_PLACE) for m in self._newcomers)
        ]
        self._newcomers = [marks[i] for i in new if i not in confirmed]
        free = [s for s in self.seats if not s.lock.chosen]
        for seat, i in zip(
            free, sorted(confirmed, key=lambda i: -marks[i].centre[0]), strict=False
        ):
            seat.lock.adopt(marks[i], frame.t_ns)
            self._found(seat, frame, people[i], people)

    def _found(
        self,
        seat: Seat,
        frame: Frame,
        pose: PoseFrame,
        people: list[PoseFrame] | None = None,
        hide: list[PoseFrame] | None = None,
    ) -> None:
        """`seat`'s person is `pose`: play it, and track them from here on, in a crop that stays
        put while they stay well inside it. Tracking starts with everyone else veiled (`hide`,
        else the others known), so it starts on them."""
        known = seat.lock.known
        assert known is not None
        seat.pose, seat.seen = pose, Seen.CLIENT
        gap = frame.t_ns - (seat.found_ns if seat.found_ns is not None else frame.t_ns)
        seat.settle(known, seat.lock.settling(frame.t_ns) or gap >= CONTINUOUS_S * 1e9)
        seat.found_ns = frame.t_ns
        if people is not None:
            self._others = tuple(p for p in people if p is not pose)
        if seat.tracking and keeps(seat.zone, known):
            return
        if not seat.fresh:  # MediaPipe's tracker may hold someone else, or a crop gone stale
            self.estimator.forget(seat.slot)
        seat.zone, seat.fresh, seat.tracking = known.zone(), False, True
        hidden = hide if hide is not None else self._others_than(seat)
        tracked = self.estimator.estimate(veiled(frame, hidden), seat.zone, seat.slot)
        if tracked is not None and seat.lock.fits(signature(tracked), frame.t_ns):
            seat.pose = tracked  # smoothed like every frame after it: the angles do not jump

    def _scan(self, frame: Frame) -> tuple[list[PoseFrame], list[Signature]]:
        self.scans += 1
        self._scanned_ns = frame.t_ns
        found = search(self.estimator, frame)
        self._others = tuple(pose for pose, _ in found)
        return [pose for pose, _ in found], [mark for _, mark in found]

    def scan(self, frame: Frame) -> list[PoseFrame]:
        """Everyone in view (up to `MAX_PEOPLE`), left to right in the camera's picture."""
        return self._scan(frame)[0]

    def _scan_due(self, t_ns: int, every_s: float) -> bool:
        return self._scanned_ns is None or t_ns - self._scanned_ns >= every_s * 1e9

    def _recent_others(self, t_ns: int) -> tuple[PoseFrame, ...]:
        if self._scanned_ns is None or t_ns - self._scanned_ns > SHOW_OTHERS_S * 1e9:
            return ()
        return self._others


def _within(x: float, person: Signature) -> bool:
    lo, hi = person.extent
    return lo <= x <= hi
