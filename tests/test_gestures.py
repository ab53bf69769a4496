"""Gestures at the feature level: hold time, refractory time, the three modes, a still face that
never switches, and what a gesture does to the sound's controls."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from motionmusic.core.calibration import Calibrator
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import FEATURE_NAMES, Features
from motionmusic.core.gestures import Gesture, GestureDetector
from motionmusic.core.performer import Performer
from motionmusic.core.presets import parse_preset_text
from motionmusic.core.scales import note_to_midi
from motionmusic.core.summary import summarise
from motionmusic.core.trace import read_trace
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset
from tests.motion import face_trace
from tests.test_cli import mm
from tests.test_sessions import play_offline

FPS = 30.0


def _run(gesture: Gesture, trace: list[float]) -> list[tuple[bool, bool]]:
    """(on, pressed) after each frame of a feature trace at 30 fps."""
    detector = GestureDetector(gesture)
    return [((s := detector(i / FPS, value)).on, s.pressed) for i, value in enumerate(trace)]


def _mouth(**settings: object) -> Gesture:
    return Gesture.model_validate({"name": "mouth", "feature": "jaw_open", **settings})


def _held(frames: int, before: int = 5, after: int = 10, level: float = 0.8) -> list[float]:
    return [0.0] * before + [level] * frames + [0.0] * after


def test_a_gesture_presses_only_once_held_for_its_hold_time() -> None:
    gesture = _mouth(hold_ms=200)
    short = _run(gesture, _held(5))  # 0.13 s
    assert not any(pressed for _, pressed in short)
    held = _run(gesture, _held(12))  # 0.37 s
    pressed = [i for i, (_, p) in enumerate(held) if p]
    assert pressed == [5 + 6]  # 200 ms after it crossed: the 7th frame past the threshold


def test_momentary_is_on_while_held_and_off_when_let_go() -> None:
    states = _run(_mouth(hold_ms=0), _held(10))
    on = [i for i, (o, _) in enumerate(states) if o]
    assert on == list(range(5, 15))


def test_latch_toggles_on_one_press_and_off_on_the_next() -> None:
    trace = _held(6, after=15) + [0.8] * 6 + [0.0] * 10
    states = _run(_mouth(hold_ms=0, mode="latch", refractory_ms=100), trace)
    on = [o for o, _ in states]
    assert on[4] is False and all(on[5:26]) and not any(on[26:])


def test_retrigger_presses_again_every_refractory_time_while_held() -> None:
    states = _run(_mouth(hold_ms=0, mode="retrigger", refractory_ms=300), _held(30))
    assert sum(p for _, p in states) == 4  # at 0, 0.3, 0.6, 0.9 s of a 1 s hold


def test_the_refractory_time_ignores_a_second_press_soon_after() -> None:
    twice = [0.0] * 3 + [0.8] * 3 + [0.0] * 2 + [0.8] * 3 + [0.0] * 5  # two presses 0.17 s apart
    assert sum(p for _, p in _run(_mouth(hold_ms=0, refractory_ms=400), twice)) == 1
    assert sum(p for _, p in _run(_mouth(hold_ms=0, refractory_ms=100), twice)) == 2


def test_a_value_hovering_at_the_threshold_does_not_chatter() -> None:
    hover = [0.0, *([0.52, 0.47] * 20)]
    states = _run(_mouth(hold_ms=0, threshold=0.5, release=0.1), hover)
    assert sum(p for _, p in states) == 1


@pytest.mark.parametrize("preset", ["blink-switch", "face-chords"])
def test_a_still_face_with_camera_noise_never_switches(preset: str) -> None:
    rng = np.random.default_rng(3)
    for gesture in find_preset(preset).gestures:
        rest = gesture.input[0] + 0.2 * (gesture.input[1] - gesture.input[0])
        trace = list(rest + rng.normal(0, 0.03, 900))  # 30 s, noisier than the clip's face
        detector = GestureDetector(gesture)
        for i, value in enumerate(trace):
            detector(i / FPS, value)
        assert detector.presses == 0, gesture.name


def _face(t_s: float, **values: float) -> Features:
    features = Features.missing(round(t_s * 1e9))
    for name, value in values.items():
        features.values[FEATURE_NAMES.index(name)] = value
        features.confidence[FEATURE_NAMES.index(name)] = 1.0
    return features


def test_face_chords_sound_while_the_mouth_is_open_and_brows_step_to_the_next_chord() -> None:
    performer = Performer(find_preset("face-chords"))
    shut = performer.step(_face(0.0, jaw_open=0.0, brows_up=0.0))
    assert not any(v.present for v in shut.voices)
    frames = [performer.step(_face(i / FPS, jaw_open=0.4, brows_up=0.0)) for i in range(1, 10)]
    assert all(v.present for v in frames[-1].voices)
    assert [round(v.midi) for v in frames[-1].voices] == [
        note_to_midi(n) for n in ("C4", "E4", "G4")
    ]
    for i in range(10, 20):  # brows raised for a third of a second
        raised = performer.step(_face(i / FPS, jaw_open=0.4, brows_up=0.7))
    assert [round(v.midi) for v in raised.voices] == [note_to_midi(n) for n in ("F4", "A4", "C5")]


def test_a_gesture_can_mute() -> None:
    text = """
name = "mute-by-pucker"
[[gestures]]
name = "pucker"
feature = "mouth_pucker"
hold_ms = 0
action = "mute"
[[voices]]
name = "drone"
instrument = "pad"
"""
    performer = Performer(parse_preset_text(text, "test"))
    performer.step(_face(0.0, mouth_pucker=0.9))
    assert performer.actions == ["mute"]


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            'feature = "jaw"',
            "unknown feature 'jaw'; known features are body: left_shoulder_flexion",
        ),
        ("hold_ms = 9000", "gestures[0].hold_ms: Input should be less than or equal to 3000"),
        ("threshold = 1.5", "gestures[0].threshold: Input should be less than or equal to 0.95"),
        ('mode = "toggle"', "gestures[0].mode: got 'toggle'; allowed: 'momentary', 'latch'"),
    ],
)
def test_a_bad_gesture_setting_is_one_line_naming_it(edit: str, said: str) -> None:
    text = f"""
name = "bad"
[[gestures]]
name = "mouth"
feature = "jaw_open"
{edit}
[[voices]]
name = "drone"
instrument = "pad"
gate = "mouth"
"""
    with pytest.raises(MotionMusicError) as caught:
        parse_preset_text(text.replace('feature = "jaw_open"\nfeature', "feature"), "p.toml")
    message = str(caught.value)
    assert "\n" not in message and said in message
    if "unknown feature" in message:
        assert "face: jaw_open" in message and "hand: thumb_flexion" in message


def test_a_gate_naming_no_gesture_is_refused() -> None:
    text = 'name = "x"\n[[voices]]\nname = "d"\ninstrument = "pad"\ngate = "blink"\n'
    with pytest.raises(MotionMusicError, match="no gesture 'blink' \\(gestures: none\\)"):
        parse_preset_text(text, "x.toml")


def test_a_face_session_counts_each_switch_in_the_summary_and_the_report(tmp_path: Path) -> None:
    """blink-switch played by a face that holds its eyes shut twice for 0.6 s: the session log's
    summary and the report say it switched twice, each crossing counted."""
    assert mm("clients", "add", "F1", "--preset", "blink-switch").returncode == 0
    trace = face_trace(tmp_path / "face.mmtrace")
    play_offline("F1", trace, tmp_path / "f.wav")
    log = clients.sessions("F1")[-1]
    gesture = summarise(read_trace(log)).gestures[0]
    assert (gesture.name, gesture.presses, gesture.crossings) == ("long_blink", 2, 2)
    assert gesture.seconds_held == pytest.approx(0.3, abs=0.07)  # 0.6 s shut, 0.45 s to switch
    said = mm("summary", str(log))
    assert said.returncode == 0, said.stderr
    assert "gesture long_blink (eyes_closed): switched 2 time(s)" in said.stdout
    report = mm("report", "--client", "F1", "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "report" / "report.html").read_text()
    assert (
        "<h2>Gestures</h2>" in page and "<td>long_blink</td><td>eyes_closed</td><td>2</td>" in page
    )


def test_a_face_is_calibrated_from_its_rest_to_its_own_widest() -> None:
    """Calibration of jaw_open (a score, 0..1): the rest and the client's widest opening, 0.3
    apart, are a range (a degree's threshold would have called it no movement)."""
    calibrator = Calibrator(["jaw_open"], prepare_s=0.5, hold_s=0.5)
    phase = "rest"
    for i in range(300):  # 10 s at most
        if calibrator.done:
            break
        opening = 0.05 if phase == "rest" else 0.35  # as the prompt asks
        phase = calibrator.update(_face(i / FPS, jaw_open=opening)).phase
    assert calibrator.done
    found = calibrator.results["jaw_open"]
    assert found.rest == pytest.approx(0.05) and found.reach == pytest.approx(0.35)


def test_a_clients_own_hold_time_is_used_and_a_bad_one_refused() -> None:
    """A client whose deliberate blink is slower: their profile holds long_blink for 0.7 s, so
    a 0.6 s closure (enough for the preset's 0.45 s) does not switch, and 0.8 s does."""
    assert mm("clients", "add", "H1").returncode == 0
    assert mm("clients", "set", "H1", "--hold", "long_blink=700").returncode == 0
    profile = clients.load("H1")
    for shut_s, presses in ((0.6, 0), (0.8, 1)):
        performer = Performer(find_preset("blink-switch"), profile)
        frames = round(1.5 * FPS)
        for i in range(frames):
            shut = 0.9 if 0.2 <= i / FPS < 0.2 + shut_s else 0.05
            performer.step(_face(i / FPS, eyes_closed=shut))
        assert performer.detectors[0].presses == presses, shut_s
    bad = mm("clients", "set", "H1", "--hold", "long_blink=9000")
    assert bad.returncode == 2 and "\n" not in bad.stderr.strip() and "3000" in bad.stderr
    assert mm("clients", "set", "H1", "--hold", "blink").returncode == 2
