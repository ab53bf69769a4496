"""Features: every named quantity a client can play, where it comes from, its unit and its range.

A *feature source* is one model and one measurement module: the body (the pose model, joint
angles: `core/angles.py`), the face (the face landmarker, blendshapes and head pose:
`core/face.py`) and the hand (the hand landmarker, finger flexion: `core/hand.py`). Everything
downstream (presets, smoothing, calibration, targets, session logs, summaries, MIDI/OSC and both
displays) works by feature name through this one table, and a frame carries every feature in
its order, NaN for those not measured: a source the preset does not need is never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Source = Literal["body", "face", "hand"]
SOURCES: tuple[Source, ...] = ("body", "face", "hand")


@dataclass(frozen=True, slots=True)
class Unit:
    """How a unit is shown and how noisy it is, for smoothing and steadiness.

    `per_degree` makes speeds comparable across units (One Euro's `beta` is set for degrees);
    `jitter` is the rest hold's prior frame-to-frame jitter before it has seen the client still;
    `unsteady` a learnt jitter too large to play steadily; `least` the smallest move from rest
    that calibration counts as a reach."""

    symbol: str  # as screens show it after a value ("°", " sw")
    words: str  # as reports name it
    per_degree: float
    jitter: float
    unsteady: float
    least: float


UNITS: dict[str, Unit] = {
    "deg": Unit("°", "°", 1.0, 1.0, 2.0, 1.0),
    # a shoulder width of wrist travel is about 50° of arm elevation
    "sw": Unit(" sw", "shoulder widths", 50.0, 0.015, 0.035, 0.02),
    # a blendshape score 0..1: its whole range is a face's whole movement, about 100° of an arm's
    "score": Unit("", "score (0-1)", 100.0, 0.01, 0.04, 0.03),
    # thumb-index gap in palm lengths (wrist to the middle finger's knuckle)
    "palm": Unit(" pl", "palm lengths", 100.0, 0.01, 0.04, 0.03),
    # height in the picture, 0 at its bottom edge, 1 at its top
    "frame": Unit("", "picture heights", 100.0, 0.004, 0.015, 0.01),
}


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """One feature: its name, the source measuring it, its unit, and the range it usually spans
    (what a mapping's input defaults to before the client is calibrated)."""

    name: str
    source: Source
    unit: str
    low: float
    high: float
    about: str = ""

    @property
    def symbol(self) -> str:
        return UNITS[self.unit].symbol


def _sides(name: str, source: Source, unit: str, low: float, high: float) -> list[FeatureSpec]:
    return [FeatureSpec(f"{side}_{name}", source, unit, low, high) for side in ("left", "right")]


BODY: tuple[FeatureSpec, ...] = (
    *_sides("shoulder_flexion", "body", "deg", 0.0, 180.0),
    *_sides("shoulder_abduction", "body", "deg", 0.0, 180.0),
    *_sides("shoulder_elevation", "body", "deg", 0.0, 180.0),
    *_sides("elbow_flexion", "body", "deg", 0.0, 150.0),
    *_sides("wrist_height", "body", "sw", -1.5, 1.5),
    FeatureSpec("head_yaw", "body", "deg", -80.0, 80.0),
    FeatureSpec("head_pitch", "body", "deg", -50.0, 60.0),
    FeatureSpec("head_roll", "body", "deg", -45.0, 45.0),
    FeatureSpec("trunk_lean", "body", "deg", -30.0, 30.0),
)

BLENDSHAPES: dict[str, str] = {
    "jaw_open": "jawOpen",
    "mouth_pucker": "mouthPucker",
    "mouth_funnel": "mouthFunnel",
    "cheek_puff": "cheekPuff",
    "brow_inner_up": "browInnerUp",
    "left_brow_up": "browOuterUpLeft",
    "right_brow_up": "browOuterUpRight",
    "left_brow_down": "browDownLeft",
    "right_brow_down": "browDownRight",
    "left_smile": "mouthSmileLeft",
    "right_smile": "mouthSmileRight",
    "left_eye_closed": "eyeBlinkLeft",
    "right_eye_closed": "eyeBlinkRight",
    "left_eye_wide": "eyeWideLeft",
    "right_eye_wide": "eyeWideRight",
}
"""Our name for each blendshape played, and MediaPipe's. Left and right are MediaPipe's sides,
kept apart: one side of a face may not move (facial palsy)."""

FACE: tuple[FeatureSpec, ...] = (
    *(FeatureSpec(name, "face", "score", 0.0, 1.0, shape) for name, shape in BLENDSHAPES.items()),
    FeatureSpec("eyes_closed", "face", "score", 0.0, 1.0, "both eyes: the less closed one"),
    FeatureSpec("left_wink", "face", "score", 0.0, 1.0, "the left eye shut, the right open"),
    FeatureSpec("right_wink", "face", "score", 0.0, 1.0, "the right eye shut, the left open"),
    FeatureSpec("smile", "face", "score", 0.0, 1.0, "either side: the more smiling one"),
    FeatureSpec("brows_up", "face", "score", 0.0, 1.0, "the highest of the brows"),
    FeatureSpec("face_yaw", "face", "deg", -60.0, 60.0, "head turn, + to the client's right"),
    FeatureSpec("face_pitch", "face", "deg", -40.0, 40.0, "nod, + looking up"),
    FeatureSpec("face_roll", "face", "deg", -40.0, 40.0, "tilt, + towards the right shoulder"),
)

FINGERS = ("thumb", "index", "middle", "ring", "little")

HAND: tuple[FeatureSpec, ...] = (
    *(FeatureSpec(f"{finger}_flexion", "hand", "deg", 0.0, 200.0) for finger in FINGERS),
    FeatureSpec("pinch_gap", "hand", "palm", 0.0, 1.0, "thumb tip to index tip"),
    FeatureSpec("hand_open", "hand", "score", 0.0, 1.0, "0 a fist, 1 fingers spread"),
    FeatureSpec("hand_height", "hand", "frame", 0.0, 1.0, "the wrist's height in the picture"),
)

FEATURES: tuple[FeatureSpec, ...] = (*BODY, *FACE, *HAND)
FEATURE_NAMES: tuple[str, ...] = tuple(spec.name for spec in FEATURES)
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}
SPECS: dict[str, FeatureSpec] = {spec.name: spec for spec in FEATURES}


def source_slice(source: Source) -> slice:
    """Where a source's features sit in a frame's values (each source's are contiguous)."""
    indices = [i for i, spec in enumerate(FEATURES) if spec.source == source]
    return slice(indices[0], indices[-1] + 1)


def sources_of(names: list[str] | tuple[str, ...]) -> frozenset[Source]:
    """The sources that must run to measure `names`."""
    return frozenset(SPECS[name].source for name in names)


def unknown_feature(name: str) -> str:
    """One line for a feature nobody measures: what was asked, and what exists, by source."""
    known = "; ".join(
        f"{source}: {', '.join(s.name for s in FEATURES if s.source == source)}"
        for source in SOURCES
    )
    return f"unknown feature {name!r}; known features are {known}"


@dataclass(frozen=True, slots=True)
class Features:
    """Every feature of one frame. `values` is NaN where a feature was not measured."""

    t_ns: int
    values: FloatArray
    confidence: FloatArray

    @classmethod
    def missing(cls, t_ns: int) -> Features:
        """Nothing measured (nobody in view, or no source ran)."""
        n = len(FEATURE_NAMES)
        return cls(t_ns, np.full(n, np.nan), np.zeros(n))

    def __getitem__(self, name: str) -> float:
        return float(self.values[FEATURE_INDEX[name]])

    def as_dict(self) -> dict[str, float]:
        return dict(zip(FEATURE_NAMES, self.values.tolist(), strict=True))

    def merged(self, other: Features, source: Source) -> Features:
        """These features with `source`'s taken from `other` (measured on the same frame)."""
        part = source_slice(source)
        values, confidence = self.values.copy(), self.confidence.copy()
        values[part], confidence[part] = other.values[part], other.confidence[part]
        return Features(self.t_ns, values, confidence)
