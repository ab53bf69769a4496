"""The face plays: MediaPipe's golden face, natural blinks that never switch, a long blink that
does, once, heard in the rendered WAV."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from motionmusic.core.face import measure_face
from motionmusic.core.features import FEATURE_INDEX, Source
from motionmusic.core.filters import OFF, FeatureFilter
from motionmusic.core.gestures import GestureDetector
from motionmusic.core.pose import WHOLE, Frame, PoseFrame, Zone
from motionmusic.core.protocols import FeatureSource, Sample
from motionmusic.runtime.engine import track_all
from motionmusic.runtime.face_source import FaceSource
from motionmusic.runtime.tracker import Tracker
from motionmusic.store.preset_library import find_preset
from tests.audio import read
from tests.conftest import without_pixels
from tests.pictures import read_image
from tests.test_cli import assert_clean_error, mm

CLIP = "head_tilt_webcam.mp4"
BOTH_EYES = (0, 29, 56, 91, 119, 162, 244, 279)
"""The frames where both eyes close in the clip (looked at frame by frame): natural blinks,
0.1-0.25 s each. From frame 203 the left eye alone is half shut for 0.7 s, from 234 the right
eye for 1 s (the head tilted)."""
HELD = 32  # a frame with both eyes shut
HOLD_FRAMES = 20  # the shut eyes held 0.67 s longer: a deliberate blink


def _pbtxt(path: Path, field: str) -> list[float]:
    return [float(v) for v in re.findall(rf"{field}: (-?[\d.e-]+)", path.read_text())]


def test_the_golden_face_matches_mediapipes_expected_landmarks_and_blendshapes(
    face_model_path: Path, media_dir: Path
) -> None:
    from motionmusic.adapters.face_mediapipe import MediaPipeFace

    face_dir = media_dir / "face"
    image = read_image(face_dir / "portrait.jpg")
    with MediaPipeFace(face_model_path) as model:
        faces = model.faces(Frame(0, 0, image))
    assert len(faces) == 1
    face = faces[0]
    expected_x = _pbtxt(face_dir / "portrait_expected_face_landmarks.pbtxt", "x")
    expected_y = _pbtxt(face_dir / "portrait_expected_face_landmarks.pbtxt", "y")
    assert len(expected_x) == len(face.points) == 478
    assert np.abs(face.points[:, 0] - expected_x).max() <= 0.03
    assert np.abs(face.points[:, 1] - expected_y).max() <= 0.03
    text = (face_dir / "portrait_expected_blendshapes.pbtxt").read_text()
    expected = dict(zip(re.findall(r'label: "(\w+)"', text), _pbtxt_scores(text), strict=True))
    assert len(expected) == 52
    for name, score in expected.items():
        assert face.scores[name] == pytest.approx(score, abs=0.13), name
    features = measure_face(face)
    assert features["smile"] > 0.5  # she smiles
    assert features["jaw_open"] < 0.3
    assert abs(features["face_yaw"]) < 15 and abs(features["face_roll"]) < 15  # faces us


def _pbtxt_scores(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"score: (-?[\d.e-]+)", text)]


def _long_blink_clip(media_dir: Path, out: Path) -> Path:
    """The clip's first two seconds at 640 px wide, with the shut eyes of frame `HELD` held for
    `HOLD_FRAMES` frames more: a natural blink made deliberate."""
    capture = cv2.VideoCapture(str(media_dir / CLIP))
    frames: list[np.ndarray] = []
    while len(frames) < 60:
        ok, frame = capture.read()
        assert ok
        frames.append(cv2.resize(frame, (640, 427)))
    capture.release()
    order = [*range(HELD + 1), *[HELD] * HOLD_FRAMES, *range(HELD + 1, 60)]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (640, 427))
    for i in order:
        writer.write(frames[i])
    writer.release()
    return out


class NoPoses:
    """A pose model never asked: a face-only preset runs no pose model."""

    model = "none"
    sees_people = False

    def __init__(self) -> None:
        self.stage_ms: dict[str, float] = {}

    def estimate(self, frame: Frame, zone: Zone = WHOLE, slot: int = 0) -> PoseFrame | None:
        raise AssertionError("the pose model ran for a face-only preset")

    def find(self, frame: Frame, zone: Zone = WHOLE) -> PoseFrame | None:
        raise AssertionError("the pose model ran for a face-only preset")

    def forget(self, slot: int = 0) -> None: ...

    def close(self) -> None: ...


def _track(clip: Path, face_model_path: Path) -> list[Sample]:
    from motionmusic.adapters.face_mediapipe import MediaPipeFace
    from motionmusic.adapters.video_cv2 import VideoSource

    source = VideoSource(clip, realtime=False)
    with MediaPipeFace(face_model_path) as model:
        preset = find_preset("blink-switch")
        parts: dict[Source, FeatureSource] = {"face": FaceSource(model)}
        tracker = Tracker(source, NoPoses(), FeatureFilter(OFF), parts=parts, needs=preset.sources)
        samples = track_all(tracker, without_pixels)
    source.close()
    return samples


@pytest.fixture(scope="module")
def blinks(face_model_path: Path, media_dir: Path) -> list[Sample]:
    return _track(media_dir / CLIP, face_model_path)


def _eyes(samples: list[Sample]) -> np.ndarray:
    return np.array([s.raw.values[FEATURE_INDEX["eyes_closed"]] for s in samples])


def test_the_face_is_followed_on_every_frame_of_the_clip(blinks: list[Sample]) -> None:
    assert len(blinks) == 325
    assert not np.isnan(_eyes(blinks)).any()


def test_every_natural_blink_is_seen_and_none_switches(blinks: list[Sample]) -> None:
    gesture = find_preset("blink-switch").gestures[0]
    detector = GestureDetector(gesture)
    starts = []
    for i, sample in enumerate(blinks):
        before = detector.crossings
        detector(sample.frame.t_ns / 1e9, sample.raw["eyes_closed"])
        if detector.crossings > before:
            starts.append(i)
    assert len(starts) == len(BOTH_EYES)
    assert all(abs(a - b) <= 2 for a, b in zip(starts, BOTH_EYES, strict=True)), starts
    assert detector.presses == 0


def test_one_eye_closing_is_seen_on_its_own_side(blinks: list[Sample]) -> None:
    left = np.array([s.raw["left_eye_closed"] for s in blinks])
    right = np.array([s.raw["right_eye_closed"] for s in blinks])
    assert left[204:224].min() > 0.4 and right[204:224].max() < 0.25
    assert right[237:242].min() > 0.5 and left[237:242].max() < 0.4


def test_a_one_eye_switch_never_switches_on_the_clip_though_each_eye_half_shuts_alone(
    blinks: list[Sample],
) -> None:
    """A wink switch (one eye shut, the other open, for a client whose other eye cannot
    close): the clip's one-eye half closures (the head tilted, 0.7 and 1 s long) never press
    it, and a wink held for half a second does."""
    from motionmusic.core.gestures import Gesture

    for side in ("left", "right"):
        wink = Gesture(name="wink", feature=f"{side}_wink", threshold=0.55, hold_ms=450)
        detector = GestureDetector(wink)
        for sample in blinks:
            detector(sample.frame.t_ns / 1e9, sample.raw[f"{side}_wink"])
        assert detector.presses == 0, side
        held = GestureDetector(wink)
        pressed = [held(i / 30, 0.75 if 10 <= i < 30 else 0.05).pressed for i in range(40)]
        assert sum(pressed) == 1


def test_a_long_blink_switches_exactly_once(
    face_model_path: Path, media_dir: Path, tmp_path: Path
) -> None:
    samples = _track(_long_blink_clip(media_dir, tmp_path / "long.mp4"), face_model_path)
    detector = GestureDetector(find_preset("blink-switch").gestures[0])
    pressed = [
        i
        for i, s in enumerate(samples)
        if detector(s.frame.t_ns / 1e9, s.raw["eyes_closed"]).pressed
    ]
    assert len(pressed) == 1
    assert HELD + 10 <= pressed[0] <= HELD + HOLD_FRAMES  # after 0.45 s of shut eyes


def _render(source: Path, out: Path) -> np.ndarray:
    result = subprocess.run(
        [sys.executable, "-m", "motionmusic", "render", str(source), "--preset", "blink-switch",
         "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return read(out)[0]


def _rms(audio: np.ndarray, start_s: float, end_s: float, rate: int = 48000) -> float:
    part = audio[int(start_s * rate) : int(end_s * rate)]
    return float(np.sqrt(np.mean(part.astype(np.float64) ** 2)))


def test_the_blink_switch_drone_sounds_after_a_long_blink_and_never_for_natural_ones(
    media_dir: Path, tmp_path: Path
) -> None:
    natural = _render(media_dir / CLIP, tmp_path / "natural.wav")
    assert _rms(natural, 0.0, 10.0) < 1e-4  # nine blinks, no drone
    clip = _long_blink_clip(media_dir, tmp_path / "long.mp4")
    held = _render(clip, tmp_path / "held.wav")
    switched = (HELD + 14) / 30  # 0.45 s into the held blink
    assert _rms(held, 0.0, switched - 0.1) < 1e-4
    assert _rms(held, switched + 0.5, 2.6) > 0.01


@pytest.mark.parametrize("problem", ["missing", "corrupt", "not installed", "a hand model"])
def test_a_face_model_that_is_missing_or_corrupt_is_one_line_with_the_fix(
    problem: str, media_dir: Path, tmp_path: Path, hand_model_path: Path
) -> None:
    corrupt = tmp_path / "face.task"
    corrupt.write_bytes(b"PK\x03\x04 not a whole bundle")
    named = {
        "missing": str(tmp_path / "nowhere.task"),
        "corrupt": str(corrupt),
        "not installed": "",
        "a hand model": str(hand_model_path),
    }[problem]
    result = mm(
        "render", str(media_dir / CLIP), "--preset", "blink-switch",
        "--out", str(tmp_path / "x.wav"), env={"MOTIONMUSIC_FACE_MODEL": named},
    )  # fmt: skip
    assert_clean_error(result, "face", "motionmusic model fetch face")
    assert not (tmp_path / "x.wav").exists()
