"""What a session achieved, computed from its log alone (so a crashed session reports too).

Per angle: peak, 95th percentile and median of the confidently measured frames, time in target
and repetitions (by replaying the same smoothing and target logic the client heard live), and the
music made. The peak is the highest value that held for five frames running (a rolling median),
so a single mis-tracked frame cannot set a record; values no joint can reach, and frames
whose skeleton jumped further than a body moves, are left out and counted
(`core/plausibility.py`). "Highest" means furthest in the direction of
the movement: away from rest, toward the target.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from motionmusic.core.controls import CONTROL_FIELDS
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import FEATURE_INDEX
from motionmusic.core.filters import FeatureFilter, refilter
from motionmusic.core.gestures import GestureDetector
from motionmusic.core.plausibility import glitches, implausible
from motionmusic.core.presets import Preset, recorded_preset
from motionmusic.core.profile import Profile, apply_profile
from motionmusic.core.targets import Rewarder, rewarder_for
from motionmusic.core.trace import CLIENT, SOMEONE_ELSE, Trace

MIN_CONFIDENCE = 0.5
LOW_COVERAGE = 0.7  # a session tracked in fewer frames than this is marked low-confidence
PEAK_FRAMES = 5


@dataclass(frozen=True, slots=True)
class AngleOutcome:
    feature: str
    measured: float  # fraction of frames with a confident value
    peak: float
    p95: float
    median: float
    target: float | None
    seconds_in_target: float
    reps: int
    rest: float | None  # calibrated range at the time of the session
    reach: float | None
    artefacts: float = 0.0  # fraction of measured frames beyond what the joint can do: left out
    artefact_peak: float | None = None  # the furthest such value, so the therapist can see it


@dataclass(frozen=True, slots=True)
class GestureOutcome:
    """How often a gesture switched, and how long it was held, as the client played it."""

    name: str
    feature: str
    presses: int  # times it switched (held for its hold time)
    seconds_held: float
    crossings: int  # times the feature crossed the threshold at all (each blink, deliberate or not)


@dataclass(frozen=True, slots=True)
class SessionSummary:
    source: str
    client: str | None
    kind: str  # "live", "replay", or "trace" (a plain recording)
    preset: str | None
    started: str
    frames: int
    seconds: float
    coverage: float  # fraction of frames with the client tracked
    notes: int  # notes struck or changed to
    low_confidence: bool
    angles: tuple[AngleOutcome, ...]
    edits: tuple[tuple[float, str], ...] = ()  # (seconds from the start, what changed)
    model: str | None = None  # the pose model that tracked it, when recorded
    glitches: int = 0  # frames whose skeleton jumped further than a body moves: left out
    others: int = 0  # frames with someone else in view instead of the client: nothing logged
    damaged: int = 0  # records skipped because their bytes were garbled
    torn: bool = False  # the log ends in a record cut off (a crash, a full disk)
    gestures: tuple[GestureOutcome, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, allow_nan=True) + "\n"


def session_parts(trace: Trace) -> tuple[dict[str, Any], Profile | None, Preset | None]:
    meta = trace.header.session or {}
    profile = Profile.model_validate(meta["profile"]) if meta.get("profile") else None
    preset = recorded_preset(meta["preset"]) if meta.get("preset") else None
    return meta, profile, preset


def _peak(values: np.ndarray, direction: float) -> float:
    signed = values * direction
    if signed.size >= PEAK_FRAMES:
        windows = np.lib.stride_tricks.sliding_window_view(signed, PEAK_FRAMES)
        signed = np.median(windows, axis=1)
    return float(np.max(signed)) * direction


def _outcome(
    feature: str, column: np.ndarray, profile: Profile | None, rewarder: Rewarder | None
) -> AngleOutcome:
    """Range of motion from the plausible values only; the others counted and shown apart."""
    odd = implausible(feature, column)
    artefacts = column[odd]
    column = np.where(odd, np.nan, column)
    settings = profile.setting(feature) if profile else None
    rng = settings.range if settings else None
    target = settings.target if settings else None
    direction = rng.direction if rng else 1.0
    if target is not None:
        direction = 1.0 if target >= (rng.rest if rng else 0.0) else -1.0
    valid = column[~np.isnan(column)]
    tracker = (
        next((t for t in rewarder.trackers if t.feature == feature), None) if rewarder else None
    )
    nan = math.nan
    peak = _peak(valid, direction) if valid.size else nan
    p95 = float(np.percentile(valid * direction, 95) * direction) if valid.size else nan
    median = float(np.median(valid)) if valid.size else nan
    return AngleOutcome(
        feature,
        valid.size / column.size if column.size else 0.0,
        peak,
        p95,
        median,
        target,
        tracker.seconds if tracker else 0.0,
        tracker.reps if tracker else 0,
        rng.rest if rng else None,
        rng.reach if rng else None,
        artefacts.size / max(int((~np.isnan(column)).sum()) + artefacts.size, 1),
        float(artefacts[np.argmax(np.abs(artefacts))]) if artefacts.size else None,
    )


@dataclass
class Practice:
    """What replaying a session found: target counts, gesture counts, the profile at the end."""

    rewarder: Rewarder | None = None
    profile: Profile | None = None
    gestures: dict[str, GestureOutcome] = field(default_factory=dict)

    def count(self, detectors: list[GestureDetector]) -> None:
        """Add a preset's gestures as they ended (a preset switch, or the session's end)."""
        for d in detectors:
            was = self.gestures.get(d.gesture.name)
            presses, held, crossings = (
                (was.presses, was.seconds_held, was.crossings) if was else (0, 0.0, 0)
            )
            self.gestures[d.gesture.name] = GestureOutcome(
                d.gesture.name,
                d.gesture.feature,
                presses + d.presses,
                held + d.held_s,
                crossings + d.crossings,
            )


def practice(trace: Trace, profile: Profile | None, preset: Preset | None) -> Practice:
    """Replay the session's smoothing, targets and gestures frame by frame, applying each logged
    edit (preset, profile) where it happened, by the rules the live loop used: so reps, time in
    target and gesture presses come out as the client heard them."""
    if preset is None:
        return Practice(profile=profile)
    done = Practice(profile=profile)
    smoother = FeatureFilter(preset.smoothing, trace.header.fps)
    done.rewarder = rewarder_for(profile, preset.reward)
    detectors = _detectors(preset, profile)
    edits = _edits(trace)
    for i, angles in enumerate(trace.angles()):
        for data in edits.get(i, ()):
            if data.get("type") == "preset":
                new = recorded_preset(data["preset"])
                smoother = refilter(smoother, new.smoothing, trace.header.fps)
                preset = new
            else:
                done.profile = Profile.model_validate(data["profile"])
            done.count(detectors)  # a new Performer plays from here, its gestures afresh
            detectors = _detectors(preset, done.profile)
            done.rewarder = rewarder_for(done.profile, preset.reward, done.rewarder)
        smoothed = smoother(angles)
        if done.rewarder is not None:
            done.rewarder.update(smoothed)
        t = smoothed.t_ns / 1e9
        for detector in detectors:
            detector(t, smoothed[detector.gesture.feature])
    done.count(detectors)
    return done


def _detectors(preset: Preset, profile: Profile | None) -> list[GestureDetector]:
    return [GestureDetector(g) for g in apply_profile(preset, profile).gestures]


def _edits(trace: Trace) -> dict[int, list[dict[str, Any]]]:
    by_frame: dict[int, list[dict[str, Any]]] = {}
    for event in trace.events:
        if event.kind in ("preset", "profile"):
            by_frame.setdefault(event.frame, []).append(event.data)
    return by_frame


def _notes(trace: Trace, preset: Preset | None) -> int:
    if preset is None or "controls" not in (trace.records.dtype.names or ()):
        return 0
    controls = trace.records["controls"]
    total = 0
    for i, voice in enumerate(preset.voices):
        if voice.trigger is not None:
            total += int((controls[:, i, 5] > 0).sum())
        elif voice.pitch is not None and voice.pitch.mode == "scale":
            sounding = controls[:, i, 4] > 0.5
            midi = np.round(_midi(controls[sounding, i]))
            total += int((np.diff(midi) != 0).sum()) + int(midi.size > 0)
    return total


def _midi(controls: np.ndarray) -> np.ndarray:
    """The notes played: recorded as such since trace version 3, worked out from Hz before."""
    if controls.shape[-1] > CONTROL_FIELDS.index("midi"):
        return np.asarray(controls[..., CONTROL_FIELDS.index("midi")], dtype=np.float64)
    return np.asarray(69 + 12 * np.log2(np.maximum(controls[..., 0], 1.0) / 440.0))


def edits(trace: Trace) -> tuple[tuple[float, str], ...]:
    """What was changed during the session and when (seconds from its start), in words."""
    return tuple((e.t_ns / 1e9, str(e.data.get("what", e.kind))) for e in trace.events)


def summarise(trace: Trace, features: list[str] | None = None) -> SessionSummary:
    """The summary of a session log (or of any trace: then only movement, no targets or music)."""
    if len(trace) == 0:
        raise MotionMusicError(f"{trace.path}: empty session (no frames recorded)")
    client = trace.records["present"] == CLIENT
    if not client.any():
        raise MotionMusicError(f"{trace.path}: no person was tracked in any frame")
    meta, profile, preset = session_parts(trace)
    names = [name for name in trace.header.angles if name in FEATURE_INDEX]
    records = trace.records
    jumped = glitches(
        records["image"].astype(np.float64),
        records["world"].astype(np.float64),
        client,
        records["t_ns"],
        trace.header.image_size,
    )
    measured, confidence = trace.features()
    confident = (confidence >= MIN_CONFIDENCE) & ~jumped[:, None]
    values = np.where(confident, measured, np.nan)
    done = practice(trace, profile, preset)
    rewarder, profile = done.rewarder, done.profile
    chosen = (
        features
        or meta.get("features")
        or [n for n in names if (~np.isnan(values[:, FEATURE_INDEX[n]])).mean() > 0.5]
    )
    if profile is not None:
        chosen = list(dict.fromkeys([*chosen, *profile.targets()]))
    times = trace.records["t_ns"]
    seconds = float(times[-1] - times[0]) / 1e9
    coverage = float(client.mean())
    outcomes = tuple(_outcome(n, values[:, FEATURE_INDEX[n]], profile, rewarder) for n in chosen)
    low = coverage < LOW_COVERAGE or any(o.measured < LOW_COVERAGE for o in outcomes)
    return SessionSummary(
        trace.path.name,
        meta.get("client"),
        meta.get("kind", "trace"),
        preset.name if preset else None,
        meta.get("started", ""),
        len(trace),
        seconds,
        coverage,
        _notes(trace, preset),
        low,
        outcomes,
        edits(trace),
        trace.header.model,
        int(jumped.sum()),
        int((trace.records["present"] == SOMEONE_ELSE).sum()),
        trace.damaged,
        trace.torn,
        tuple(done.gestures.values()),
    )
