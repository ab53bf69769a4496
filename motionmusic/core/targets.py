"""ROM targets: when a reach counts, when the reward plays, how many repetitions were done.

A target is a threshold in the direction of the movement (away from rest). It is reached the
frame the angle gets to it, and only left once the angle falls back by `hysteresis` degrees, so
hovering at the edge plays the reward once, not a stutter. A repetition is an excursion from rest
that reaches the target: after one is counted, the next needs the angle to come back near rest
first (within 35% of the way to the target). Beyond the client's calibrated reach lies the stretch
zone, with its own reward.

The same code runs live (to play the reward) and on a session log (to report time in target and
reps), so the report counts exactly what the client heard.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from motionmusic.core.features import FEATURE_INDEX, Features
from motionmusic.core.presets import Reward
from motionmusic.core.profile import AngleSettings, Profile

REARM = 0.35  # fraction of rest → target the angle must come back within to start a new rep
MAX_DT = 0.25  # seconds: a gap in the frames longer than this is not counted as time in target


class Zone:
    """Inside once the value reaches `edge` (moving in `direction`); outside again only after
    falling back by `hysteresis`."""

    def __init__(self, edge: float, direction: float, hysteresis: float) -> None:
        self.edge, self.direction, self.hysteresis = edge, direction, hysteresis
        self.inside = False

    def update(self, value: float) -> bool:
        """True on the frame the zone is entered."""
        if math.isnan(value):
            self.inside = False
            return False
        beyond = (value - self.edge) * self.direction
        if self.inside:
            self.inside = beyond > -self.hysteresis
            return False
        self.inside = beyond >= 0.0
        return self.inside


@dataclass(frozen=True, slots=True)
class TargetState:
    feature: str
    target: float
    in_target: bool
    in_stretch: bool
    reps: int
    seconds_in_target: float
    reached: int = 0  # times the zone was entered: each plays the reward (the display bursts)
    direction: float = 1.0  # the zone lies beyond `target` this way: +1 above it, -1 below


def stretch_edge(settings: AngleSettings, beyond: float) -> float | None:
    """Where the stretch zone starts: set by the therapist, else just past the calibrated reach."""
    if settings.stretch is not None:
        return settings.stretch
    if settings.range is not None:
        return settings.range.reach + beyond * settings.range.direction
    return None


class TargetTracker:
    """One angle's target: zone, stretch zone, repetitions and time in target."""

    def __init__(
        self, feature: str, target: float, profile: Profile, hysteresis: float, beyond: float
    ) -> None:
        settings = profile.setting(feature)
        rest = settings.range.rest if settings.range else 0.0
        direction = 1.0 if target >= rest else -1.0
        self.feature, self.target, self.rest = feature, target, rest
        self.index = FEATURE_INDEX[feature]
        self.zone = Zone(target, direction, hysteresis)
        self.stretch: Zone | None = None
        edge = stretch_edge(settings, beyond)
        if edge is not None:
            self.stretch = Zone(edge, direction, hysteresis)
        self.rearm_at = rest + REARM * (target - rest)
        self.armed = True
        self.reps = 0
        self.reached = 0
        self.seconds = 0.0
        self._t: float | None = None

    def update(self, t: float, value: float) -> tuple[bool, bool]:
        """Feed one frame; returns (target reached now, stretch zone entered now)."""
        if self.zone.inside and self._t is not None:
            self.seconds += min(max(t - self._t, 0.0), MAX_DT)
        self._t = t
        direction = self.zone.direction
        if not math.isnan(value) and (value - self.rearm_at) * direction <= 0.0:
            self.armed = True
        reached = self.zone.update(value)
        self.reached += reached
        if reached and self.armed:
            self.reps += 1
            self.armed = False
        stretched = self.stretch.update(value) if self.stretch else False
        return reached, stretched

    def carry_on(self, before: TargetTracker) -> None:
        """Continue `before`'s count (same angle, new target or range): a mid-session edit does
        not reset the reps or the time in target, nor count the reach it was made during twice."""
        self.reps, self.reached, self.seconds, self.armed, self._t = (
            before.reps,
            before.reached,
            before.seconds,
            before.armed,
            before._t,
        )
        # in the zone stays in (the next frame decides against the new edge): the reward does
        # not play again for the reach the edit was made in
        self.zone.inside = before.zone.inside
        if self.stretch is not None and before.stretch is not None:
            self.stretch.inside = before.stretch.inside

    def state(self) -> TargetState:
        in_stretch = self.stretch.inside if self.stretch else False
        return TargetState(
            self.feature,
            self.target,
            self.zone.inside,
            in_stretch,
            self.reps,
            self.seconds,
            self.reached,
            self.zone.direction,
        )


class Rewarder:
    """All targeted angles of a client: what reward to play this frame, and the events."""

    def __init__(
        self,
        profile: Profile,
        hysteresis: float = 4.0,
        beyond: float = 5.0,
        carried: Rewarder | None = None,
    ) -> None:
        self.trackers = [
            TargetTracker(feature, target, profile, hysteresis, beyond)
            for feature, target in profile.targets().items()
        ]
        self.rewards = 0  # times a target was reached (each plays the reward once)
        self.stretches = 0
        if carried is not None:
            before = {t.feature: t for t in carried.trackers}
            for tracker in self.trackers:
                if tracker.feature in before:
                    tracker.carry_on(before[tracker.feature])
            self.rewards, self.stretches = carried.rewards, carried.stretches

    def update(self, angles: Features) -> tuple[float, float]:
        """(reward level, stretch level) for this frame: 1 while in the zone, else 0."""
        t = angles.t_ns / 1e9
        for tracker in self.trackers:
            reached, stretched = tracker.update(t, float(angles.values[tracker.index]))
            self.rewards += reached
            self.stretches += stretched
        reward = any(tr.zone.inside for tr in self.trackers)
        stretch = any(tr.stretch is not None and tr.stretch.inside for tr in self.trackers)
        return float(reward), float(stretch)

    def states(self) -> list[TargetState]:
        return [tracker.state() for tracker in self.trackers]


def rewarder_for(
    profile: Profile | None, reward: Reward, carried: Rewarder | None = None
) -> Rewarder | None:
    """The targets of `profile` as `reward` plays them, continuing `carried`'s counts.

    The one rule for a session's targets, live and when its log is summarised: so an edit made
    mid-session changes the counts at the same frame in both.
    """
    if profile is None or not profile.targets():
        return None
    return Rewarder(profile, reward.hysteresis, reward.stretch_beyond, carried)
