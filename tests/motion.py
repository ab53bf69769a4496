"""Synthetic movements with known angles, as traces: a right arm raised forward along a script.

The poses are built by `skeleton` and measured by the real angle code, so what a test feeds the
calibrator, the targets or the report is exactly what tracking would have produced for that arm.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from motionmusic.core.angles import measure_body
from motionmusic.core.features import FEATURE_INDEX, FINGERS, Features
from motionmusic.core.trace import TraceHeader, TraceWriter
from tests.skeleton import SIZE, arm_direction, pose_of, skeleton

FPS = 30.0


def segments(*parts: tuple[float, float, float]) -> np.ndarray:
    """Flexion per frame from (seconds, start degrees, end degrees) pieces, linear within each."""
    out = [
        np.linspace(a, b, max(round(seconds * FPS), 1), endpoint=False) for seconds, a, b in parts
    ]
    return np.concatenate(out)


def arm_trace(path: Path, flexion: np.ndarray, noise: float = 0.0, seed: int = 3) -> Path:
    """A trace of the right arm following `flexion` (degrees per frame, NaN: person absent)."""
    rng = np.random.default_rng(seed)
    writer = TraceWriter(path, TraceHeader(SIZE, FPS, "synthetic"))
    for i, value in enumerate(flexion):
        t_ns = 1_000_000_000 + round(i * 1e9 / FPS)
        if np.isnan(value):
            writer.write(t_ns, None, _missing(t_ns))
            continue
        jitter = rng.normal(0.0, noise) if noise else 0.0
        pose = pose_of(skeleton(right_arm=arm_direction(value + jitter, left=False)), t_ns=t_ns)
        writer.write(t_ns, pose, measure_body(pose))
    writer.close()
    return path


def _missing(t_ns: int):
    from motionmusic.core.features import Features

    return Features.missing(t_ns)


def face_trace(path: Path, seconds: float = 6.0, fps: float = 30.0) -> Path:
    """A face alone (no body), as the face source measures it: the mouth opens and shuts every
    2 s, the brows rise for 0.3 s every 1.5 s, the head turns ±30° and smiles a little, and both
    eyes are held shut for 0.6 s at 1 s and at 4 s (two deliberate blinks)."""
    from motionmusic.core.client import Seen

    writer = TraceWriter(path, TraceHeader(SIZE, fps, "synthetic face"))
    for i in range(round(seconds * fps)):
        t = i / fps
        features = Features.missing(round(t * 1e9))
        shut = 0.85 if (1.0 <= t < 1.6 or 4.0 <= t < 4.6) else 0.05
        values = {
            "jaw_open": 0.3 - 0.3 * np.cos(np.pi * t),
            "brows_up": 0.8 if t % 1.5 < 0.3 else 0.05,
            "left_eye_closed": shut,
            "right_eye_closed": shut,
            "eyes_closed": shut,
            "smile": 0.3,
            "face_yaw": 30.0 * np.sin(2 * np.pi * t / 3),
        }
        for name, value in values.items():
            features.values[FEATURE_INDEX[name]] = value
            features.confidence[FEATURE_INDEX[name]] = 1.0
        writer.write(features.t_ns, None, features, present=Seen.CLIENT.code)
    writer.close()
    return path


def _curl(t: float, turn: int, order: tuple[str, ...], finger: str) -> float:
    """0 straight .. 1 curled: the finger's share of a curl taking 0.15 s each way."""
    if not 0 <= turn < len(order) or order[turn] != finger:
        return 0.0
    return float(np.clip(min(t / 0.15, (0.8 - t) / 0.15), 0.0, 1.0))


def hand_trace(
    path: Path,
    order: tuple[str, ...] = ("index", "little", "thumb", "ring", "middle"),
    fps: float = 30.0,
) -> Path:
    """A hand alone, each finger of `order` curled in turn for 0.8 s (0.4 s straight between),
    with the model's jitter (1° RMS)."""
    rng = np.random.default_rng(5)
    writer = TraceWriter(path, TraceHeader((640, 480), fps, "synthetic hand"))
    frames = round(1.2 * fps * len(order) + 0.4 * fps)
    for i in range(frames):
        t = i / fps
        features = Features.missing(round(t * 1e9))
        turn, within = divmod(t - 0.4, 1.2)
        for finger in FINGERS:
            straight, curl = (10.0, 100.0) if finger == "thumb" else (30.0, 220.0)
            share = _curl(within, int(turn), order, finger)
            value = straight + share * (curl - straight) + rng.normal(0.0, 1.0)
            features.values[FEATURE_INDEX[f"{finger}_flexion"]] = value
        for name in ("pinch_gap", "hand_open", "hand_height"):
            features.values[FEATURE_INDEX[name]] = 0.5
        features.confidence[~np.isnan(features.values)] = 1.0
        writer.write(features.t_ns, None, features, present=1)
    writer.close()
    return path


def pointer_trace(path: Path, yaws: tuple[tuple[float, float], ...], fps: float = 30.0) -> Path:
    """A face alone turning to each (until second, yaw) in turn and resting there, with the face
    model's jitter (0.5°)."""
    from motionmusic.core.client import Seen

    rng = np.random.default_rng(9)
    writer = TraceWriter(path, TraceHeader(SIZE, fps, "synthetic head turns"))
    for i in range(round(yaws[-1][0] * fps)):
        t = i / fps
        features = Features.missing(round(t * 1e9))
        yaw = next(value for until, value in yaws if t < until)
        for name, value in (("face_yaw", yaw + rng.normal(0, 0.5)), ("jaw_open", 0.05)):
            features.values[FEATURE_INDEX[name]] = value
            features.confidence[FEATURE_INDEX[name]] = 1.0
        writer.write(features.t_ns, None, features, present=Seen.CLIENT.code)
    writer.close()
    return path
