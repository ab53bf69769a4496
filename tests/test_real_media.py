"""The real MediaPipe model on real clips of people moving (never skipped: see conftest)."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from motionmusic.adapters.pose_mediapipe import MediaPipePose
from motionmusic.core.angles import measure_body
from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.pose import Frame
from tests.conftest import series
from tests.pictures import read_image

pytestmark = pytest.mark.model


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~np.isnan(a) & ~np.isnan(b)
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def test_yoga_photo_shows_both_arms_abducted_near_90(model_path, media_dir):
    image = read_image(media_dir / "images" / "tfjs_pose.jpg")
    with MediaPipePose(model_path) as estimator:
        pose = estimator.estimate(Frame(0, time.monotonic_ns(), image))
    assert pose is not None
    angles = measure_body(pose)
    assert angles["left_shoulder_abduction"] == pytest.approx(90, abs=12)
    assert angles["right_shoulder_abduction"] == pytest.approx(90, abs=12)
    assert abs(angles["left_wrist_height"]) < 0.5 and abs(angles["right_wrist_height"]) < 0.5


def test_seated_photo_is_measured(model_path, media_dir):
    image = read_image(media_dir / "images" / "mediapipe_pose_test_image.jpg")
    with MediaPipePose(model_path) as estimator:
        pose = estimator.estimate(Frame(0, time.monotonic_ns(), image))
    assert pose is not None
    angles = measure_body(pose)
    assert (
        angles["left_shoulder_elevation"] < 70 and angles["right_shoulder_elevation"] < 70
    )  # arms down


@pytest.mark.parametrize(
    ("clip", "frames"), [("dance_arms_raise_front.mp4", 120), ("tai_chi_arms_raise.mp4", 300)]
)
def test_arm_raises_swing_the_arm_angles_through_90_degrees(tracked, clip, frames):
    samples = tracked(clip)
    assert len(samples) == frames
    assert sum(s.pose is not None for s in samples) == frames
    # Where the client stands upright and square on, the picture's vertical is the trunk's, so the
    # wrist's height in the picture is an independent check that the angle moves in step.
    lean = series(samples, "trunk_lean")
    upright = np.abs(np.nan_to_num(lean, nan=90.0)) < 15
    assert upright.sum() >= 60
    for side, wrist in (("left", L.LEFT_WRIST), ("right", L.RIGHT_WRIST)):
        elevation = series(samples, f"{side}_shoulder_elevation")
        assert (
            np.nanpercentile(elevation[upright], 95) - np.nanpercentile(elevation[upright], 5) > 90
        )
        wrist_up = np.array([-s.pose.image[wrist, 1] for s in samples])
        assert _corr(elevation[upright], wrist_up[upright]) > 0.9
        assert _corr(series(samples, f"{side}_wrist_height")[upright], wrist_up[upright]) > 0.9


def test_dance_raises_are_mostly_frontal(tracked):
    samples = tracked("dance_arms_raise_front.mp4")
    for side in ("left", "right"):
        abduction = series(samples, f"{side}_shoulder_abduction")
        assert np.mean(~np.isnan(abduction)) > 0.9
        assert np.nanmax(abduction) - np.nanmin(abduction) > 90


def test_head_roll_follows_the_tilts(tracked):
    samples = tracked("head_tilt_webcam.mp4")
    roll = series(samples, "head_roll")
    assert np.mean(~np.isnan(roll)) > 0.95
    width, height = samples[0].pose.image_size
    ears = np.array([s.pose.image[L.LEFT_EAR] - s.pose.image[L.RIGHT_EAR] for s in samples])
    ear_line = np.degrees(
        np.arctan2(-ears[:, 1] * height, ears[:, 0] * width)
    )  # left ear up: tilt right
    assert _corr(roll, ear_line) > 0.9
    assert np.nanmax(roll) > 15 and np.nanmin(roll) < -15  # both ways, tens of degrees


def test_out_of_frame_wrists_are_not_reported_as_measured(tracked):
    samples = tracked("head_tilt_webcam.mp4")
    assert all(
        s.pose.image[L.LEFT_WRIST, 1] > 1 for s in samples
    )  # the model guesses below the picture
    for name in (
        "left_wrist_height",
        "right_wrist_height",
        "left_elbow_flexion",
        "right_elbow_flexion",
    ):
        values = series(samples, name)
        assert np.isnan(values).all(), name
    assert np.isnan(series(samples, "trunk_lean")).all()  # hips unseen: upper-body mode
    assert not math.isnan(np.nanmean(series(samples, "head_yaw")))
