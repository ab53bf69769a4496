"""Group play: each person drives their own voices, heard in the WAV; whoever is missing is silent.

People are numbered left to right on the mirror-view figure: in the test rooms (tests/scenes.py)
person 1 is the tai chi man (the picture's right), person 2 the dancer (the picture's left).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from motionmusic.adapters.pose_mediapipe import MediaPipePose
from motionmusic.adapters.synth_pyo import OfflineSynth
from motionmusic.adapters.video_cv2 import VideoSource
from motionmusic.core.features import FEATURE_INDEX, Features
from motionmusic.core.performer import Performer
from motionmusic.core.trace import read_trace
from motionmusic.runtime.recorder import SessionRecorder
from motionmusic.runtime.render import render
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset
from tests.audio import band, f0_track, level_db, peak_track, read
from tests.scenes import FPS, make_scene


def raised(t_ns: int, height: float) -> Features:
    values = np.full(len(FEATURE_INDEX), np.nan)
    values[FEATURE_INDEX["right_wrist_height"]] = height
    confidence = np.where(np.isnan(values), 0.0, 1.0)
    return Features(t_ns, values, confidence)


def test_each_voice_follows_its_own_person_and_a_missing_person_is_silent():
    duet = Performer(find_preset("duet"))
    both = duet.step(raised(0, 1.5), group=[raised(0, -1.0)])
    melody, bass = both.voices
    assert melody.present and bass.present
    assert melody.midi > 70 and bass.midi < 40  # person 1 high hand, person 2 low hand
    alone = duet.step(raised(33_000_000, 1.5))
    assert alone.voices[0].present and not alone.voices[1].present
    assert find_preset("duet").people == 2 and find_preset("circle").people == 4


def midi(f0: np.ndarray) -> np.ndarray:
    return 69 + 12 * np.log2(f0 / 440.0)


@pytest.mark.model
def test_two_people_drive_their_own_voices_in_the_wav(media_dir: Path, model_path: Path, tmp_path):
    scene = make_scene(media_dir, tmp_path / "pair.mp4", hidden=(60, 90))  # person 2 hidden 1 s
    preset = find_preset("duet")
    profile = clients.create("G1", "duet")
    source = VideoSource(scene.path, realtime=False)
    wav = tmp_path / "duet.wav"
    with MediaPipePose(model_path) as estimator:
        recorder = SessionRecorder(source.info, "live", estimator.model)
        render(source, estimator, preset, OfflineSynth(preset, wav), wav, profile, recorder)
    source.close()
    audio, rate = read(wav)
    melody, bass = band(audio, rate, 230, 1200), band(audio, rate, 55, 150)
    _, f_m = f0_track(melody, rate, fmin=230, fmax=1200, floor_db=-35)
    t_b, f_b = f0_track(bass, rate, fmin=55, fmax=150, floor_db=-35)  # the reverb's tail: -42
    start, end = (i / FPS for i in scene.hidden)
    hidden_b = (t_b > start + 0.6) & (t_b < end)  # after the fade and the reverb's tail
    seen_b = (t_b < start) | (t_b > end + 0.3)
    # the bass is heard in its register while person 2 is in view, and stops while they are hidden
    assert np.isfinite(f_b[seen_b]).mean() > 0.8
    assert np.nanmin(midi(f_b)) >= 36 - 0.5 and np.nanmax(midi(f_b)) <= 48 + 0.5  # C2..C3
    assert np.isfinite(f_b[hidden_b]).mean() < 0.1
    times, low = level_db(bass, rate)
    assert low[(times > start + 0.6) & (times < end)].max() < low[times < start].max() - 20
    # the melody plays on throughout, in its register, from person 1's (the client's) hand
    assert np.isfinite(f_m).mean() > 0.8
    log = read_trace(clients.sessions("G1")[0])
    assert [e.data["what"] for e in log.events if e.kind == "people"] == [
        "person 2 in view",  # joined at the start
        "person 2 out of view",
        "person 2 in view",
    ]
    heights = log.records["angles"][:, FEATURE_INDEX["right_wrist_height"]].astype(float)
    t_p, f_p = peak_track(melody, rate, 230, floor_db=-35)  # its pitch, over the bass's harmonics
    heard = np.interp(log.records["t_ns"] / 1e9 + 0.05, t_p, midi(f_p))
    ok = np.isfinite(heard) & np.isfinite(heights)
    assert np.corrcoef(heights[ok], heard[ok])[0, 1] > 0.8  # higher hand, higher melody
    assert np.nanmin(heard) >= 60 - 0.5 and np.nanmax(heard) <= 84 + 0.5  # C4..C6


@pytest.mark.model
def test_a_group_preset_with_one_person_in_view_plays_for_that_one(media_dir, model_path, tmp_path):
    circle = find_preset("circle")
    preset = circle.model_copy(update={"voices": circle.voices[:3]})  # three players
    assert preset.people == 3  # and one dancer in view
    source = VideoSource(media_dir / "dance_arms_raise_front.mp4", realtime=False)
    wav = tmp_path / "circle.wav"
    with MediaPipePose(model_path) as estimator:
        result = render(source, estimator, preset, OfflineSynth(preset, wav), wav)
    source.close()
    import csv

    rows = list(csv.DictReader(result.curves.open()))
    present = {v.name: np.array([int(r[f"{v.name}_present"]) for r in rows]) for v in preset.voices}
    assert present["treble"].mean() > 0.95
    assert not any(present[name].any() for name in ("alto", "tenor"))
    audio, rate = read(wav)
    _, f0 = f0_track(audio, rate, fmin=300, fmax=1000, floor_db=-50)
    assert np.isfinite(f0).mean() > 0.8
    assert np.nanmin(midi(f0)) >= 67 - 0.5 and np.nanmax(midi(f0)) <= 79 + 0.5  # G4..G5
