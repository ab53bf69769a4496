"""Movement as OSC messages: the documented addresses, only what changed, events when they happen."""

from __future__ import annotations

import numpy as np

from motionmusic.core.controls import Controls, VoiceControls
from motionmusic.core.features import FEATURE_INDEX, FEATURE_NAMES, Features
from motionmusic.core.osc import OscPlan
from motionmusic.core.protocols import Played
from motionmusic.core.targets import TargetState
from motionmusic.runtime.outputs import OscOutput


def angles(**values: float) -> Features:
    out = np.full(len(FEATURE_NAMES), np.nan)
    for name, value in values.items():
        out[FEATURE_INDEX[name]] = value
    return Features(0, out, np.where(np.isnan(out), 0.0, 0.9))


def target(inside: bool, reps: int, reached: int, seconds: float = 0.0) -> TargetState:
    return TargetState("left_shoulder_flexion", 90.0, inside, False, reps, seconds, reached)


def test_angles_are_sent_with_their_confidence_and_only_when_they_move():
    plan = OscPlan()
    first = plan.step(angles(left_shoulder_flexion=42.0), None, (), True)
    assert first == [
        ("/motionmusic/client/present", ()),
        ("/motionmusic/angle/left_shoulder_flexion", (42.0, 0.9)),
    ]
    assert plan.step(angles(left_shoulder_flexion=42.04), None, (), True) == []
    assert plan.step(angles(left_shoulder_flexion=45.0), None, (), True) == [
        ("/motionmusic/angle/left_shoulder_flexion", (45.0, 0.9))
    ]


def test_each_voice_says_its_note_frequency_level_brightness_and_pan():
    plan = OscPlan()
    voice = VoiceControls(261.63, 0.5, 0.25, 0.75, True, midi=60.0)
    sent = dict(plan.step(None, Controls(0, (voice,)), (), True)[1:])
    assert sent == {
        "/motionmusic/voice/1/note": (60,),
        "/motionmusic/voice/1/freq": (261.63,),
        "/motionmusic/voice/1/amp": (0.5,),
        "/motionmusic/voice/1/brightness": (0.25,),
        "/motionmusic/voice/1/pan": (0.75,),
    }
    gone = VoiceControls(261.63, 0.5, 0.25, 0.75, False, midi=60.0)
    assert plan.step(None, Controls(0, (gone,)), (), False) == [
        ("/motionmusic/client/lost", ()),
        ("/motionmusic/voice/1/amp", (0.0,)),
    ]


def test_a_target_is_entered_hit_and_left():
    plan = OscPlan()
    assert plan.step(None, None, (target(False, 0, 0),), True)[1:] == []
    entered = plan.step(None, None, (target(True, 1, 1),), True)
    assert entered == [
        ("/motionmusic/target/left_shoulder_flexion/enter", (1,)),
        ("/motionmusic/target/left_shoulder_flexion/hit", (1,)),
    ]
    assert plan.step(None, None, (target(True, 1, 1, 0.5),), True) == []
    assert plan.step(None, None, (target(False, 1, 1, 0.8),), True) == [
        ("/motionmusic/target/left_shoulder_flexion/leave", (0.8,))
    ]
    # hovering back in without coming back to rest: entered (reward), but no new repetition
    assert plan.step(None, None, (target(True, 1, 2, 0.8),), True) == [
        ("/motionmusic/target/left_shoulder_flexion/enter", (1,))
    ]


def test_silence_sends_amp_0_for_every_voice_still_sounding():
    """A receiver holds the last level it was sent: silence (mute, a preset switch, the end) sets
    each sounding voice to 0, once; the next frame's levels are sent again."""
    plan = OscPlan()
    loud = VoiceControls(261.63, 0.5, 0.25, 0.75, True, midi=60.0)
    quiet = VoiceControls(329.63, 0.0, 0.25, 0.75, True, midi=64.0)
    plan.step(None, Controls(0, (loud, quiet)), (), True)
    assert plan.silence() == [("/motionmusic/voice/1/amp", (0.0,))]
    assert plan.silence() == []
    again = plan.step(None, Controls(0, (loud, quiet)), (), True)
    assert again == [("/motionmusic/voice/1/amp", (0.5,))]


class Collected:
    """Where an OscOutput sends, kept in a list (the wire itself: tests/test_osc_out.py)."""

    target = "test"

    def __init__(self) -> None:
        self.messages: list[tuple[str, tuple[float | int, ...]]] = []

    def send(self, messages: list[tuple[str, tuple[float | int, ...]]]) -> None:
        self.messages += messages

    def close(self) -> None:
        pass


def test_mute_silences_the_voices_on_osc_and_keeps_measuring():
    sent = Collected()
    output = OscOutput(sent)
    loud = Controls(0, (VoiceControls(261.63, 0.5, 0.25, 0.75, True, midi=60.0),))
    arm = angles(left_shoulder_flexion=42.0)
    output.play(Played(arm, loud, (), True))
    output.set_muted(True)
    output.play(Played(angles(left_shoulder_flexion=50.0), loud, (), True))
    while_muted = sent.messages[-2:]
    assert while_muted[0] == ("/motionmusic/voice/1/amp", (0.0,))  # at once, on mute
    assert while_muted[1] == ("/motionmusic/angle/left_shoulder_flexion", (50.0, 0.9))
    output.set_muted(False)
    output.play(Played(arm, loud, (), True))
    assert ("/motionmusic/voice/1/amp", (0.5,)) in sent.messages[-3:]
