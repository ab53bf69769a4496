"""What the client display shows, as plain data the page draws: the figure in a mirror, each ROM
target as a zone to reach into, the note as colour and height, and whether the client is placed
well for the camera.

Geometry is worked out here, not in the page, so it is tested in Python and the page stays a
drawing of numbers. Positions are in picture heights (x from 0 to the picture's aspect ratio, y
down from 0 to 1), flipped left-right: the client's right hand is on the right, as in a mirror.
A zone is a sector around a joint: the limb sweeps into it as the angle reaches the target.
Directions are degrees on the screen, 0 pointing down and 90 to the right (`x = sin`, `y = cos`).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from motionmusic.core.client import Seen
from motionmusic.core.controls import Controls
from motionmusic.core.gestures import GestureState
from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.pointer import PointerState
from motionmusic.core.pose import PoseFrame
from motionmusic.core.profile import Look
from motionmusic.core.scales import midi_to_name
from motionmusic.core.targets import TargetState

MIN_VISIBILITY = 0.5
DRAWN = {
    "nose": L.NOSE, "left_ear": L.LEFT_EAR, "right_ear": L.RIGHT_EAR,
    "left_shoulder": L.LEFT_SHOULDER, "right_shoulder": L.RIGHT_SHOULDER,
    "left_elbow": L.LEFT_ELBOW, "right_elbow": L.RIGHT_ELBOW,
    "left_wrist": L.LEFT_WRIST, "right_wrist": L.RIGHT_WRIST,
    "left_hip": L.LEFT_HIP, "right_hip": L.RIGHT_HIP,
}  # fmt: skip
PLACED = ("nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
          "left_wrist", "right_wrist")  # fmt: skip
"""What must be in the picture for an upper-body instrument: head, both arms."""

SCHEMES: dict[str, dict[str, str]] = {
    "dark": {"background": "#101418", "figure": "#f0f0f0", "target": "#2f6fb0",
             "reached": "#ffd23f", "text": "#f0f0f0",
             "in": "#3ccf6e", "partly": "#f2b134", "out": "#ef6b6b"},
    "high-contrast": {"background": "#000000", "figure": "#ffffff", "target": "#1e90ff",
                      "reached": "#ffff00", "text": "#ffffff",
                      "in": "#00ff66", "partly": "#ffb000", "out": "#ff4040"},
    "light": {"background": "#f4f1ea", "figure": "#1b1b1b", "target": "#2f6db3",
              "reached": "#c25e00", "text": "#1b1b1b",
              "in": "#1d7a3e", "partly": "#a86a00", "out": "#b3261e"},
}  # fmt: skip
"""Each scheme's colours; `in`, `partly` and `out` mark where the client stands (with a shape
and words as well: never colour alone)."""
# one colour per pitch class, C red round to B magenta (as coloured bells and tubes do)
NOTE_COLOURS = ("#e6194b", "#f15a24", "#f58231", "#f7b32b", "#ffe119", "#8fd14f",
                "#2eb82e", "#1fb5ad", "#4363d8", "#6a3fc1", "#911eb4", "#d81b8c")  # fmt: skip
LOW_MIDI, HIGH_MIDI = 36, 96  # C2 at the bottom of the screen's pitch scale, C7 at the top
AUDIBLE = 0.02  # a voice quieter than this shows no note


def settings(look: Look) -> dict[str, Any]:
    """The page's colours and options: the scheme's, with the client's own colours over it."""
    colours = dict(SCHEMES[look.scheme])
    for name in ("background", "figure", "target", "reached"):
        chosen = getattr(look, name)
        if chosen is not None:
            colours[name] = chosen
    return {
        "colours": colours,
        "large_text": look.large_text,
        "reduced_motion": look.reduced_motion,
        "pointer_size": look.pointer_size,
    }


def frame(
    pose: PoseFrame | None,
    seen: Seen,
    targets: tuple[TargetState, ...],
    controls: Controls | None,
    muted: bool,
    unsteady: bool = False,
    gestures: tuple[GestureState, ...] = (),
    body: bool = True,
    pointer: PointerState | None = None,
) -> dict[str, Any]:
    """One frame of the display. `body`: the preset plays the body (else the client is placed
    well when their face or hand is seen: `seen`), `gestures`: each gesture's state."""
    points = _points(pose) if pose is not None else {}
    place = placement(points, seen) if body else ("in" if seen is Seen.CLIENT else "out")
    return {
        "aspect": pose.image_size[0] / pose.image_size[1] if pose is not None else 4 / 3,
        "seen": seen.name.lower(),
        "place": "unsteady" if unsteady and place != "out" else place,
        "points": {name: [round(x, 4), round(y, 4)] for name, (x, y) in points.items()},
        "zones": [zone for state in targets if (zone := _zone(state, points)) is not None],
        "note": None if muted else _note(controls),
        "muted": muted,
        "gestures": [_gesture(g) for g in gestures],
        "pointer": _pointer(pointer) if pointer is not None else None,
    }


def _pointer(state: PointerState) -> dict[str, Any]:
    """The head pointer: where it is (0..1 across, 0..1 up), its zones (each note's name and
    colour, bottom row first), the one under it, how much of the dwell is done, and the one
    sounding."""
    shown = not (math.isnan(state.x) or math.isnan(state.y))
    return {
        "x": round(state.x, 4) if shown else None,
        "y": round(state.y, 4) if shown else None,
        "columns": state.zones,
        "rows": state.rows,
        "zones": [{"note": midi_to_name(n), "colour": NOTE_COLOURS[n % 12]} for n in state.notes],
        "zone": state.zone,
        "progress": round(state.progress, 3),
        "sounding": state.sounding,
    }


def _gesture(state: GestureState) -> dict[str, Any]:
    """A gesture as a bar: how far the face or finger is (`level`), the threshold it must pass,
    how much of the hold is done, and whether it is on."""
    level = 0.0 if math.isnan(state.level) else min(max(state.level, 0.0), 1.0)
    return {
        "name": state.name.replace("_", " "),
        "level": round(level, 3),
        "threshold": state.threshold,
        "progress": round(state.progress, 3),
        "on": state.on,
    }


def placement(points: dict[str, tuple[float, float]], seen: Seen) -> str:
    """ "in": head and both arms in the picture; "partly": the client, but not all of that;
    "out": the client is not in the picture. (`frame` says "unsteady" instead of "in" or
    "partly" while the tracking is too poor to play steadily: closer, or more light.)"""
    if seen is not Seen.CLIENT or not points:
        return "out"
    return "in" if all(name in points for name in PLACED) else "partly"


def _points(pose: PoseFrame) -> dict[str, tuple[float, float]]:
    """Landmarks the tracker trusts and that lie in the picture, mirrored, in picture heights."""
    width, height = pose.image_size
    inside = pose.in_frame()
    out: dict[str, tuple[float, float]] = {}
    for name, index in DRAWN.items():
        if pose.visibility[index] >= MIN_VISIBILITY and inside[index]:
            x, y = float(pose.image[index, 0]), float(pose.image[index, 1])
            out[name] = ((1.0 - x) * width / height, y)
    return out


def _length(points: dict[str, tuple[float, float]], *names: str) -> float | None:
    if not all(name in points for name in names):
        return None
    return sum(math.dist(points[a], points[b]) for a, b in itertools.pairwise(names))


def _direction(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Screen degrees of the line from `a` to `b` (0 down, 90 right)."""
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1]))


def _zone(state: TargetState, points: dict[str, tuple[float, float]]) -> dict[str, Any] | None:
    """The target as a sector the limb sweeps into, or None if its joint is not in view."""
    geometry = _geometry(state.feature, points)
    if geometry is None:
        return None
    pivot, radius, base, turn = geometry
    target = _as_angle(state.feature, state.target, points, radius)
    low, high = _LIMITS[_kind(state.feature)]
    limit = high if state.direction > 0 else low
    start, end = base + turn * target, base + turn * limit
    return {
        "feature": state.feature,
        "pivot": [round(pivot[0], 4), round(pivot[1], 4)],
        "radius": round(radius, 4),
        "from": round(min(start, end), 2),
        "to": round(max(start, end), 2),
        "inside": state.in_target,
        "stretch": state.in_stretch,
        "reached": state.reached,
        "reps": state.reps,
    }


# how far each kind of angle can go: a zone runs from the target to the limit beyond it
_LIMITS = {"shoulder": (-60.0, 180.0), "wrist": (-60.0, 180.0), "elbow": (0.0, 160.0),
           "head": (-90.0, 90.0), "trunk": (-45.0, 45.0)}  # fmt: skip


def _kind(feature: str) -> str:
    return next((kind for kind in _LIMITS if kind in feature), "")


def _as_angle(
    feature: str, value: float, points: dict[str, tuple[float, float]], arm: float
) -> float:
    """A wrist height (shoulder widths above the shoulder) as the arm angle that puts the wrist
    there: its height is -arm * cos(angle). Features stay angles."""
    if not feature.endswith("wrist_height"):
        return value
    width = _length(points, "left_shoulder", "right_shoulder") or arm / 2.5
    return math.degrees(math.acos(min(max(-value * width / arm, -1.0), 1.0)))


def _geometry(
    feature: str, points: dict[str, tuple[float, float]]
) -> tuple[tuple[float, float], float, float, float] | None:
    """(pivot, radius, screen direction of angle 0, screen degrees per degree of angle)."""
    side = "left" if feature.startswith("left") else "right"
    outward = -1.0 if side == "left" else 1.0  # the client's left arm is on the screen's left
    shoulder, elbow, wrist = (f"{side}_{part}" for part in ("shoulder", "elbow", "wrist"))
    kind = _kind(feature)
    if kind in ("shoulder", "wrist"):
        arm = _length(points, shoulder, elbow, wrist)
        return None if arm is None else (points[shoulder], arm, 0.0, outward)
    if kind == "elbow":
        forearm = _length(points, elbow, wrist)
        if forearm is None or shoulder not in points:
            return None
        return points[elbow], forearm, _direction(points[shoulder], points[elbow]), -outward
    if feature in ("head_yaw", "head_roll"):
        ears = _length(points, "left_ear", "right_ear")
        if ears is None or "nose" not in points:
            return None
        return points["nose"], 1.6 * ears, 180.0, -1.0  # positive: to the client's right
    if kind == "trunk":
        names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
        if not all(name in points for name in names):
            return None
        neck = np.mean([points[n] for n in names[:2]], axis=0)
        hips = np.mean([points[n] for n in names[2:]], axis=0)
        pivot = (float(hips[0]), float(hips[1]))
        return pivot, float(np.linalg.norm(neck - hips)), 180.0, -1.0
    return None  # head pitch: a nod has no direction on a front view


def _note(controls: Controls | None) -> dict[str, Any] | None:
    """The loudest sounding voice: its colour (pitch class) and height (0 low .. 1 high)."""
    if controls is None:
        return None
    voices = [v for v in controls.voices if v.present and v.amp >= AUDIBLE]
    if not voices:
        return None
    voice = max(voices, key=lambda v: v.amp)
    midi = float(voice.midi)
    return {
        "name": voice.note,
        "colour": NOTE_COLOURS[round(midi) % 12],
        "height": round(min(max((midi - LOW_MIDI) / (HIGH_MIDI - LOW_MIDI), 0.0), 1.0), 4),
        "amp": round(min(voice.amp, 1.0), 3),
    }
