"""The hand plays: finger flexion within what fingers can do on both hand clips, a pinch where the
thumb and index meet, and finger-notes whose WAV pitch follows which finger curls."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from motionmusic.core.features import FINGERS, Source
from motionmusic.core.filters import OFF, FeatureFilter
from motionmusic.core.gestures import Gesture, GestureDetector
from motionmusic.core.plausibility import LIMITS
from motionmusic.core.protocols import FeatureSource, Sample
from motionmusic.core.scales import midi_to_hz, note_to_midi
from motionmusic.runtime.engine import track_all
from motionmusic.runtime.hand_source import HandSource
from motionmusic.runtime.tracker import Tracker
from motionmusic.store.preset_library import find_preset
from tests.audio import f0_track, read
from tests.conftest import without_pixels
from tests.motion import hand_trace
from tests.test_cli import mm
from tests.test_face import NoPoses
from tests.test_sound import play

CLIPS = ("hand_open_turn.mp4", "asl_hand_25fps.mp4")
PINCH = Gesture(name="pinch", feature="pinch_gap", input=(0.15, 0.6), invert=True, threshold=0.7)
"""A thumb-index pinch: the gap closing to under 0.29 palm lengths."""


@pytest.fixture(scope="module")
def hands(hand_model_path: Path, media_dir: Path) -> Callable[[str], list[Sample]]:
    """Each hand clip tracked once, by the hand source alone (a hand-only preset)."""
    from motionmusic.adapters.hand_mediapipe import MediaPipeHand
    from motionmusic.adapters.video_cv2 import VideoSource

    cache: dict[str, list[Sample]] = {}

    def run(clip: str) -> list[Sample]:
        if clip not in cache:
            source = VideoSource(media_dir / "hands" / clip, realtime=False)
            with MediaPipeHand(hand_model_path) as model:
                part = HandSource(model)
                parts: dict[Source, FeatureSource] = {"hand": part}
                needs = find_preset("finger-notes").sources
                tracker = Tracker(source, NoPoses(), FeatureFilter(OFF), parts=parts, needs=needs)
                cache[clip] = track_all(tracker, without_pixels)
                assert part.hand is not None and part.hand.side == "right"  # both: a right hand
            source.close()
        return cache[clip]

    return run


def _series(samples: list[Sample], name: str) -> np.ndarray:
    return np.array([s.raw[name] for s in samples])


@pytest.mark.parametrize("clip", CLIPS)
def test_finger_flexion_stays_within_what_fingers_can_do(
    hands: Callable[[str], list[Sample]], clip: str
) -> None:
    samples = hands(clip)
    assert all(not np.isnan(s.raw["index_flexion"]) for s in samples)  # the hand on every frame
    for finger in FINGERS:
        flexion = _series(samples, f"{finger}_flexion")
        high = LIMITS[f"{finger}_flexion"][1]
        assert flexion.min() >= 0.0 and flexion.max() <= high, finger


def test_finger_spelling_curls_each_finger_through_a_wide_range(
    hands: Callable[[str], list[Sample]],
) -> None:
    samples = hands("asl_hand_25fps.mp4")
    for finger in ("index", "middle", "ring", "little"):
        flexion = _series(samples, f"{finger}_flexion")
        assert np.ptp(flexion) > 120, finger  # straight to curled, as the letters ask


def test_a_pinch_is_seen_where_the_thumb_and_index_meet(
    hands: Callable[[str], list[Sample]],
) -> None:
    samples = hands("hand_open_turn.mp4")
    detector = GestureDetector(PINCH.model_copy(update={"hold_ms": 0}))
    starts = []
    for i, sample in enumerate(samples):
        before = detector.crossings
        detector(sample.frame.t_ns / 1e9, sample.raw["pinch_gap"])
        if detector.crossings > before:
            starts.append(i)
    gap = _series(samples, "pinch_gap")
    assert starts == [0]  # the hand starts pinched, then opens and stays open
    assert gap[:2].max() < 0.25 and gap[40:].min() > 0.5


def test_finger_notes_pitch_follows_the_curled_finger(tmp_path: Path) -> None:
    order = ("index", "little", "thumb", "ring", "middle")
    preset = find_preset("finger-notes")
    audio, rate, _ = play(hand_trace(tmp_path / "curls.mmtrace", order), preset, tmp_path / "f.wav")
    notes = {voice.name: voice.note for voice in preset.voices}
    times, f0 = f0_track(audio, rate)
    for turn, finger in enumerate(order):
        middle = 0.4 + 1.2 * turn + 0.5  # well into the curl
        heard = np.nanmedian(f0[(times > middle - 0.1) & (times < middle + 0.1)])
        expected = midi_to_hz(note_to_midi(notes[finger]))
        assert abs(1200 * np.log2(heard / expected)) < 30, (finger, heard, expected)
        gap = 0.4 + 1.2 * turn + 1.0  # straight again: silence
        level = np.abs(audio[int((gap - 0.05) * rate) : int((gap + 0.05) * rate)]).max()
        assert level < 0.05, finger


def test_finger_notes_on_finger_spelling_sound_each_note_while_its_finger_is_curled(
    media_dir: Path, tmp_path: Path
) -> None:
    """finger-notes rendered from the real finger-spelling clip: a finger's note is in the WAV
    while that finger is curled and not while it is straight (its note's band at least 10x
    stronger), for each finger the clip holds straight long enough to tell (thumb, index,
    little: the clip's letters keep the middle and ring fingers curled)."""
    wav = tmp_path / "asl.wav"
    clip = media_dir / "hands" / "asl_hand_25fps.mp4"
    result = mm("render", str(clip), "--preset", "finger-notes", "--out", str(wav))
    assert result.returncode == 0, result.stderr
    audio, rate = read(wav)
    with wav.with_suffix(".controls.csv").open() as file:
        rows = list(csv.DictReader(file))
    times = np.array([float(r["time_s"]) for r in rows])
    for voice in find_preset("finger-notes").voices:
        if voice.name not in ("thumb", "index", "little"):
            continue
        curled = np.array([int(r[f"{voice.name}_present"]) for r in rows])
        band = _band(audio, rate, times, curled, midi_to_hz(note_to_midi(voice.note)))
        assert band[1].size > 20 and band[0].size > 20, voice.name
        assert np.median(band[1]) > 10 * np.median(band[0]), voice.name


def _band(
    audio: np.ndarray, rate: int, times: np.ndarray, curled: np.ndarray, hz: float
) -> dict[int, np.ndarray]:
    """The energy around `hz` in 85 ms of sound after each frame whose finger held still (off
    or on) for four frames either side: by whether it was curled."""
    found: dict[int, list[float]] = {0: [], 1: []}
    window = np.hanning(4096)
    freqs = np.fft.rfftfreq(4096, 1 / rate)
    near = (freqs > hz * 0.98) & (freqs < hz * 1.02)
    for i in range(4, len(curled) - 4):
        start = int((times[i] + 0.05) * rate)
        if not (curled[i - 4 : i + 5] == curled[i]).all() or start + 4096 > len(audio):
            continue
        spectrum = np.abs(np.fft.rfft(audio[start : start + 4096] * window)) ** 2
        found[int(curled[i])].append(float(spectrum[near].sum()))
    return {key: np.array(values) for key, values in found.items()}
