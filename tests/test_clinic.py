"""The clinical core as a therapist meets it: calibration, a client's range spanning the music,
rewards that play once per reach, repetitions counted the way they were done."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from motionmusic.core.calibration import Calibrator
from motionmusic.core.features import FEATURE_INDEX, FEATURE_NAMES, Features
from motionmusic.core.performer import Performer
from motionmusic.core.profile import Profile, calibrated_input
from motionmusic.core.scales import hz_to_midi
from motionmusic.core.targets import Rewarder
from motionmusic.core.trace import read_trace
from motionmusic.store.preset_library import find_preset
from tests.motion import FPS, arm_trace, segments

FLEX = "right_shoulder_flexion"


def profile(**angles: object) -> Profile:
    created = datetime(2026, 1, 5, tzinfo=timezone.utc)
    return Profile.model_validate({"client": "T1", "created": created, "angles": angles})


def frames(feature: str, values: np.ndarray, confidence: np.ndarray | None = None):
    conf = np.ones(len(values)) if confidence is None else confidence
    for i, value in enumerate(values):
        row = np.full(len(FEATURE_NAMES), math.nan)
        row[FEATURE_INDEX[feature]] = value
        c = np.zeros(len(FEATURE_NAMES))
        c[FEATURE_INDEX[feature]] = conf[i]
        yield Features(round(i * 1e9 / FPS), row, c)


def test_calibration_recovers_rest_and_reach_from_a_trace(tmp_path: Path):
    # rest at 15° (with 1.5° of tracking jitter), a second to raise, then reach held at 97°
    script = segments((4.0, 15, 15), (1.0, 15, 97), (5.0, 97, 97))
    trace = read_trace(arm_trace(tmp_path / "cal.mmtrace", script, noise=1.5))
    calibrator = Calibrator([FLEX], prepare_s=1.0, hold_s=3.0)
    for angles in trace.angles():
        calibrator.update(angles)
        if calibrator.done:
            break
    assert calibrator.done
    found = calibrator.results[FLEX]
    assert found.rest == pytest.approx(15, abs=2)
    assert found.reach == pytest.approx(97, abs=2)


def test_calibration_ignores_doubtful_frames_and_repeats_an_unseen_hold():
    # rest hold: a third of the frames are low-confidence garbage at 170°: ignored
    values = np.full(int(4 * FPS), 20.0)
    confidence = np.ones_like(values)
    values[::3], confidence[::3] = 170.0, 0.2
    # then the reach is out of view for a whole hold (repeated), then seen at 60°
    values = np.concatenate([values, np.full(int(4 * FPS), np.nan), np.full(int(4 * FPS), 60.0)])
    confidence = np.concatenate([confidence, np.zeros(int(4 * FPS)), np.ones(int(4 * FPS))])
    calibrator = Calibrator([FLEX], prepare_s=1.0, hold_s=2.5)
    retries = []
    for angles in frames(FLEX, values, confidence):
        progress = calibrator.update(angles)
        retries += [progress.retry] if progress.retry else []
        if calibrator.done:
            break
    assert calibrator.results[FLEX].rest == pytest.approx(20)
    assert calibrator.results[FLEX].reach == pytest.approx(60)
    assert retries and "seen in only" in retries[0]


def top_and_middle_notes(client: Profile, rest: float, reach: float) -> tuple[float, float]:
    performer = Performer(find_preset("arm-raise-pentatonic"), client)
    sweep = np.linspace(rest, reach, 200)
    midis = [hz_to_midi(performer.step(a).voices[0].freq) for a in frames(FLEX, sweep)]
    return round(max(midis)), round(midis[len(midis) // 2])


def test_a_25_degree_and_a_150_degree_range_both_play_the_whole_scale():
    small = profile(**{FLEX: {"range": {"rest": 10, "reach": 35}}})
    large = profile(**{FLEX: {"range": {"rest": 10, "reach": 160}}})
    top_small, mid_small = top_and_middle_notes(small, 10, 35)
    top_large, mid_large = top_and_middle_notes(large, 10, 160)
    assert top_small == top_large == 84  # C6: the top of two octaves of C pentatonic from C4
    assert mid_small == mid_large  # half the client's range is the same note for both
    # without calibration the 25° client would not get past the first notes
    uncalibrated, _ = top_and_middle_notes(profile(), 10, 35)
    assert uncalibrated < 66


def test_gain_lets_a_few_degrees_play_everything():
    tiny = profile(**{FLEX: {"range": {"rest": 30, "reach": 60}, "gain": 6}})
    top, _ = top_and_middle_notes(tiny, 30, 35)  # five degrees of movement
    assert top == 84


def test_head_turn_calibration_is_centred_on_the_clients_rest():
    settings = profile(head_yaw={"range": {"rest": 5, "reach": 25}}).setting("head_yaw")
    assert calibrated_input((-40, 40), settings) == (-15, 25)  # rest ± 20°, both ways
    assert calibrated_input((40, -40), settings) == (25, -15)  # direction kept


def test_reward_fires_once_per_reach_and_reps_count_excursions_from_rest():
    client = profile(**{FLEX: {"range": {"rest": 10, "reach": 100}, "target": 90}})
    rng = np.random.default_rng(5)
    hover = 90 + rng.uniform(-3, 3, int(2 * FPS))  # hovering at the edge: within hysteresis
    script = np.concatenate(
        [
            segments((1, 10, 10), (1, 10, 95)),
            hover,
            segments((1, 95, 10)),  # rep 1
            segments(
                (1, 10, 95), (0.5, 95, 70), (0.5, 70, 95), (1, 95, 10)
            ),  # rep 2 (dip: 2 rewards)
            segments((1, 10, 80), (1, 80, 10)),  # short of the target: no rep, no reward
            segments((1, 10, 110), (1, 110, 12)),  # rep 3, into the stretch zone (> 105)
        ]
    )
    rewarder = Rewarder(client, hysteresis=4.0, beyond=5.0)
    for angles in frames(FLEX, script):
        rewarder.update(angles)
    state = rewarder.states()[0]
    assert state.reps == 3
    assert rewarder.rewards == 4  # rep 2 dipped 25° below the target and came back: heard again
    assert rewarder.stretches == 1
    assert 3.0 < state.seconds_in_target < 6.0


def test_reps_on_a_real_clip(tracked):
    # dance_arms_raise_front.mp4, counted by eye frame by frame: the arms start slightly out,
    # drop, go straight overhead ONCE (frames ~35-75), then come down to the face. One rep per arm.
    samples = tracked("dance_arms_raise_front.mp4")
    client = profile(
        right_shoulder_elevation={"target": 140}, left_shoulder_elevation={"target": 140}
    )
    rewarder = Rewarder(client)
    for sample in samples:
        rewarder.update(sample.raw)
    assert [s.reps for s in rewarder.states()] == [1, 1]


def test_one_sided_preset_ignores_the_other_arm():
    left = find_preset("one-sided-left")

    def sound(feature: str, values: list[float]) -> list[tuple[float, float]]:
        performer = Performer(left)
        out = []
        for i, value in enumerate(values):
            row = np.full(len(FEATURE_NAMES), 30.0)  # everything else held still, tracked
            row[FEATURE_INDEX[feature]] = value
            angles = Features(round(i * 1e9 / FPS), row, np.ones(len(FEATURE_NAMES)))
            voice = performer.step(angles).voices[0]
            out.append((round(voice.freq, 3), round(voice.amp, 3)))
        return out

    sweep = [float(v) for v in np.linspace(20, 140, 60)]
    assert len(set(sound("right_shoulder_elevation", sweep))) == 1  # the other arm: nothing
    assert len(set(sound("left_shoulder_elevation", sweep))) >= 8  # the affected arm plays


def test_a_drone_sounds_only_while_the_client_is_seen():
    performer = Performer(find_preset("head-turn-drone"))
    seen = Features(0, np.full(len(FEATURE_NAMES), 0.0), np.ones(len(FEATURE_NAMES)))
    assert performer.step(seen).voices[0].present
    assert not performer.step(Features.missing(10**8)).voices[0].present


def test_the_therapist_can_place_the_stretch_zone():
    client = profile(**{FLEX: {"target": 90, "stretch": 120}})  # no calibration needed
    rewarder = Rewarder(client)
    for angles in frames(FLEX, segments((1, 10, 115), (1, 115, 10), (1, 10, 125), (1, 125, 10))):
        rewarder.update(angles)
    assert rewarder.rewards == 2 and rewarder.stretches == 1  # only the second reach got there


def test_a_new_target_mid_session_keeps_the_reps_and_time_already_counted():
    """The therapist lowers a target after two reps: the count goes on from two, not zero, and
    the reach during which the edit was made is not counted twice."""
    from motionmusic.core.features import FEATURE_INDEX, FEATURE_NAMES, Features
    from motionmusic.core.profile import Profile
    from motionmusic.core.targets import Rewarder

    flex = "right_shoulder_flexion"
    profile = Profile(client="C1", created="2026-01-01T00:00:00").with_angle(
        flex, range={"rest": 20, "reach": 150}, target=120
    )

    def at(t: float, value: float) -> Features:
        values = np.full(len(FEATURE_NAMES), np.nan)
        values[FEATURE_INDEX[flex]] = value
        return Features(int(t * 1e9), values, np.where(np.isnan(values), 0.0, 1.0))

    rewarder = Rewarder(profile)
    movement = [20, 130, 20, 130, 130]  # two reps, and the arm still up
    for i, value in enumerate(movement):
        rewarder.update(at(i * 0.1, value))
    lowered = Rewarder(profile.with_angle(flex, target=100), carried=rewarder)
    lowered.update(at(0.5, 130))  # still up: the same reach
    state = lowered.states()[0]
    assert state.reps == 2 and state.target == 100
    assert state.seconds_in_target == pytest.approx(0.3)  # the 0.2 s before plus this frame
    for i, value in enumerate([20, 105]):
        lowered.update(at(0.6 + i * 0.1, value))
    assert lowered.states()[0].reps == 3  # a new reach of the new target counts
