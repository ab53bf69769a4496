"""The client, as a notion the engine holds: whom to follow, and who is seen instead.

`ClientLock` chooses the client at the start (`pick`), adopts whom the therapist's cycle key
names (`next_along`, in the follower) and decides, frame by frame, whether a person found is the
client (`difference` against what it remembers). It never guesses: a person who does not match is someone else, and
nothing of them is played or logged. Pure: the runtime's `Follower` asks the pose model where to
look and hands the people found here.
"""

from __future__ import annotations

import math
from enum import Enum

from motionmusic.core.people import CONTINUOUS_S, Signature, Who, difference, pick

SETTLE_S = 0.5  # after choosing someone, whoever is tracked where they stood is them
SETTLE_WITHIN = 1.0  # torso sizes: "where they stood" (a seated neighbour is further off)
CONFIRM = 3  # after a gap, frames in a row a person must match before they are the client again


class Seen(Enum):
    """Whose pose a frame holds, and what the screen says about it."""

    CLIENT = "client"
    ABSENT = "client not in view"
    OTHER = "someone else in view — not playing"
    NO_FACE = "face not in view"  # a face-only preset: the client's face is not seen
    NO_HAND = "hand not in view"  # a hand-only preset: the client's hand is not seen

    @property
    def code(self) -> int:
        """The session log's `present` byte: 1 the client, 0 nobody, 2 someone else."""
        return {Seen.CLIENT: 1, Seen.ABSENT: 0, Seen.OTHER: 2, Seen.NO_FACE: 0, Seen.NO_HAND: 0}[
            self
        ]


class ClientLock:
    def __init__(self, who: Who | None = None) -> None:
        self.who = who
        self.known: Signature | None = None
        self.last_ns: int | None = None
        self._settle_until = 0
        self._streak = 0  # frames in a row someone matched, after a gap

    @property
    def chosen(self) -> bool:
        return self.known is not None

    @property
    def confirming(self) -> bool:
        """Someone matched after a gap, not yet for `CONFIRM` frames: likely the client, back."""
        return 0 < self._streak < CONFIRM

    def settling(self, t_ns: int) -> bool:
        """Just chosen: whoever is tracked where they stood is taken as them, and learnt."""
        return t_ns < self._settle_until

    def gap_s(self, t_ns: int) -> float:
        return 0.0 if self.last_ns is None else max(t_ns - self.last_ns, 0) / 1e9

    def choose(self, people: list[Signature], t_ns: int) -> int | None:
        """At the start: the person `who` names (or the one nearest the centre)."""
        index = pick(people, self.who)
        if index is not None:
            self.adopt(people[index], t_ns)
        return index

    def adopt(self, person: Signature, t_ns: int) -> None:
        """Follow `person` from now on. For `SETTLE_S` the person tracked where they stood is
        taken as them, and learnt afresh: the pose a first fresh look finds can be poor (a body
        side-on), and a poor first memory would rule out the client's own next frames."""
        self.known, self.last_ns = person, t_ns
        self._settle_until = t_ns + int(SETTLE_S * 1e9)

    def fits(self, person: Signature, t_ns: int) -> bool:
        """Could `person` be the client now (nothing is learnt or counted by asking)?"""
        if self.known is None:
            return False
        if self.settling(t_ns) and self.known.near(person, SETTLE_WITHIN):
            return True
        return difference(self.known, person, self.gap_s(t_ns)) is not None

    def match(self, people: list[Signature], t_ns: int) -> int | None:
        """The person among `people` who is the client (the likeliest), or None."""
        if self.known is None:
            return None
        if self.settling(t_ns):
            known = self.known
            near = [i for i, p in enumerate(people) if known.near(p, SETTLE_WITHIN)]
            if near:
                index = min(near, key=lambda i: math.dist(people[i].centre, known.centre))
                self.known, self.last_ns = people[index], t_ns
                return index
        gap = self.gap_s(t_ns)
        scored = [(difference(self.known, p, gap), i) for i, p in enumerate(people)]
        fits = [(score, i) for score, i in scored if score is not None]
        self._streak = self._streak + 1 if fits else 0
        if not fits or (gap >= CONTINUOUS_S and self._streak < CONFIRM):
            return None  # back after a gap: one lucky frame is not enough
        _, index = min(fits)
        self.known, self.last_ns = self.known.blend(people[index]), t_ns
        return index
