"""Which landmark space each angle should use, and what the One Euro filter buys.

Two measurements, printed as tables (degrees; wrist height in shoulder widths):

1. Still bodies: each test photo is fed to the real model 90 times in VIDEO mode with fresh camera
   noise (Gaussian, sigma 4 grey levels) on every frame, as a webcam would deliver a client holding
   still. The spread (std) of each angle is its residual jitter at rest — for the 2-D image
   landmarks and for the 3-D world landmarks, raw and after the One Euro filter.
2. Moving clips: the frame-to-frame noise of each angle over real movement, estimated from the
   second difference (for white noise, var(d2) = 6 sigma^2; smooth movement barely contributes), per
   space; and the lag the filter adds on a deliberate 100-degree raise (synthetic step at 30 fps).

Run: MOTIONMUSIC_MEDIA=... python benchmarks/angle_quality.py
"""

from __future__ import annotations

import dataclasses
import time

import cv2
import numpy as np
from common import media_dir, model_path, unsmoothed

from motionmusic.adapters.pose_mediapipe import MediaPipePose
from motionmusic.core.angles import MEASURES, measure_body
from motionmusic.core.features import FEATURE_NAMES, FEATURES, Features
from motionmusic.core.filters import FeatureFilter, Smoothing
from motionmusic.core.pose import Frame, PoseFrame

SPACES = {
    space: tuple(dataclasses.replace(m, space=space) for m in MEASURES)
    for space in ("image", "world")
}
CHOSEN = {m.name: m.space for m in MEASURES}
NEEDS_DEPTH = {n for n in CHOSEN if "flexion" in n and "shoulder" in n} | {"head_yaw", "head_pitch"}
DEPTH = [i for i, m in enumerate(MEASURES) if m.space == "world" and FEATURES[i].unit == "deg"]


def _img(stat, column: np.ndarray, name: str) -> str:
    """The image-space figure, or n/a where a flat picture cannot carry the angle (it needs depth)."""
    return "   n/a" if name in NEEDS_DEPTH else f"{stat(column):6.2f}"


def still_poses(photo: str, frames: int = 90) -> list[PoseFrame]:
    image = cv2.imread(str(media_dir() / "images" / photo)).astype(np.int16)
    rng = np.random.default_rng(7)
    poses = []
    with MediaPipePose(model_path()) as estimator:
        t0 = time.monotonic_ns()
        for i in range(frames):
            noisy = np.clip(image + rng.normal(0, 4, image.shape), 0, 255).astype(np.uint8)
            pose = estimator.estimate(Frame(i, t0 + i * 33_333_333, noisy))
            if pose is not None:
                poses.append(pose)
    return poses


def clip_poses(clip: str) -> list[PoseFrame]:
    return [s.pose for s in unsmoothed(clip)[0] if s.pose is not None]


def table(poses: list[PoseFrame], space: str) -> np.ndarray:
    return np.array([measure_body(p, SPACES[space]).values for p in poses])


def run_filter(settings: Smoothing, values: np.ndarray, times: list[int]) -> np.ndarray:
    smoother = FeatureFilter(settings)
    n = len(FEATURE_NAMES)
    return np.array(
        [smoother(Features(t, v, np.ones(n))).values for t, v in zip(times, values, strict=True)]
    )


def spread(column: np.ndarray) -> float:
    """Std over the still frames, after the first half second (tracker and filter settling)."""
    column = column[15:]
    valid = column[~np.isnan(column)]
    return float(np.std(valid)) if valid.size > len(column) // 2 else float("nan")


def noise(column: np.ndarray) -> float:
    d2 = np.diff(column, n=2)
    d2 = d2[~np.isnan(d2)]
    return float(np.sqrt(np.median(d2**2) / 0.4549) / np.sqrt(6)) if d2.size > 10 else float("nan")


def raise_lag(settings: Smoothing, seconds: float) -> tuple[float, float]:
    """A smooth 100° arm raise lasting `seconds` at 30 fps: (lag at mid-raise in ms, worst error)."""
    t = np.arange(0, 2 + seconds, 1 / 30)
    ramp = np.clip((t - 1) / seconds, 0, 1)
    truth = 20 + 100 * (1 - np.cos(np.pi * ramp)) / 2
    smoother = FeatureFilter(settings)
    n = len(FEATURE_NAMES)
    out = np.array(
        [
            smoother(Features(int(x * 1e9), np.full(n, v), np.ones(n))).values[0]
            for x, v in zip(t, truth, strict=True)
        ]
    )
    lag_frames = int(np.argmax(out >= 70)) - int(np.argmax(truth >= 70))
    return lag_frames * 1000 / 30, float(np.max(np.abs(out - truth)))


def main() -> None:
    stills = {
        photo: still_poses(photo) for photo in ("tfjs_pose.jpg", "mediapipe_pose_test_image.jpg")
    }
    clips = {
        clip: clip_poses(clip)
        for clip in ("dance_arms_raise_front.mp4", "tai_chi_arms_raise.mp4", "head_tilt_webcam.mp4")
    }
    print(
        "Residual jitter at rest (std over 90 noisy frames of a still photo): image | world | chosen+filter"
    )
    print(f"{'angle':26} " + "  ".join(f"{p[:12]:>24}" for p in stills) + "   chosen")
    still_tables = {p: {s: table(poses, s) for s in SPACES} for p, poses in stills.items()}
    still_filtered = {
        p: run_filter(
            Smoothing(),
            np.array([measure_body(x).values for x in poses]),
            [x.t_ns for x in poses],
        )
        for p, poses in stills.items()
    }
    seated = stills["mediapipe_pose_test_image.jpg"]
    still_values, still_times = (
        np.array([measure_body(x).values for x in seated]),
        [x.t_ns for x in seated],
    )
    raw_rest = np.nanmean([spread(still_values[:, i]) for i in DEPTH])
    for i, name in enumerate(FEATURE_NAMES):
        cells = [
            f"{_img(spread, t['image'][:, i], name)} {spread(t['world'][:, i]):6.2f} "
            f"{spread(still_filtered[p][:, i]):6.2f}"
            for p, t in still_tables.items()
        ]
        print(f"{name:26} " + "  ".join(f"{c:>24}" for c in cells) + f"   {CHOSEN[name]}")
    print(
        "\nFrame-to-frame noise on moving clips (robust second-difference estimate): image | world"
    )
    print(f"{'angle':26} " + "  ".join(f"{c[:16]:>16}" for c in clips))
    clip_tables = {c: {s: table(poses, s) for s in SPACES} for c, poses in clips.items()}
    for i, name in enumerate(FEATURE_NAMES):
        cells = [
            f"{_img(noise, t['image'][:, i], name)} {noise(t['world'][:, i]):6.2f}"
            for t in clip_tables.values()
        ]
        print(f"{name:26} " + "  ".join(f"{c:>16}" for c in cells))
    print("\nLag on smooth 100° raises at 30 fps (lag at mid-raise, worst error):")
    candidates = [Smoothing()] + [
        Smoothing(method="one_euro", min_cutoff=cutoff, beta=beta)
        for cutoff, beta in ((0.5, 0.0), (0.5, 0.01), (1.0, 0.05), (1.5, 0.01), (3.0, 0.0))
    ]
    for settings in candidates:
        rest = np.nanmean(
            [spread(run_filter(settings, still_values, still_times)[:, i]) for i in DEPTH]
        )
        cells = "  ".join(
            f"{s:.1f} s: {lag:3.0f} ms {err:5.1f}°"
            for s in (0.5, 1.0)
            for lag, err in [raise_lag(settings, s)]
        )
        default = " (default)" if settings == Smoothing() else ""
        name = (
            f"one euro {settings.min_cutoff:3.1f} Hz beta {settings.beta:4.2f}"
            if settings.method == "one_euro"
            else f"rest hold, stillness {settings.stillness:g}"
        )
        print(f"  {name:30}: rest jitter {rest:4.2f}° (raw {raw_rest:4.2f}°)  {cells}{default}")


if __name__ == "__main__":
    main()
