"""What the client display is sent: a mirror figure, zones the arm sweeps into at its target, the
note as colour and height, and where the client stands for the camera."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from motionmusic.core import view
from motionmusic.core.client import Seen
from motionmusic.core.controls import Controls, VoiceControls
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.profile import Look, parse_profile
from motionmusic.core.targets import TargetState
from tests.skeleton import arm_direction, pose_of, skeleton


def posed(abduction: float = 0.0, right: float = 0.0):
    return pose_of(
        skeleton(
            left_arm=arm_direction(abduction=abduction),
            right_arm=arm_direction(abduction=right, left=False),
        )
    )


def target(feature: str, degrees: float, inside: bool = False, direction: float = 1.0):
    return TargetState(feature, degrees, inside, False, 0, 0.0, 0, direction)


def pointing(points: dict[str, list[float]], start: str, end: str) -> float:
    """Screen degrees (0 down, 90 right) from one drawn point to another."""
    a, b = points[start], points[end]
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1]))


def test_the_figure_is_a_mirror_with_the_clients_left_hand_on_the_left():
    shown = view.frame(posed(90, 90), Seen.CLIENT, (), None, False)
    points = shown["points"]
    assert points["left_wrist"][0] < points["left_shoulder"][0] < points["right_shoulder"][0]
    assert points["right_shoulder"][0] < points["right_wrist"][0]
    assert abs(points["left_wrist"][1] - points["left_shoulder"][1]) < 0.02  # arm level: 90°
    assert shown["aspect"] == pytest.approx(1280 / 720)


@pytest.mark.parametrize("side", ["left", "right"])
def test_an_arm_at_its_target_points_into_its_zone_and_a_resting_arm_does_not(side):
    feature = f"{side}_shoulder_abduction"
    for arm, inside in ((100.0, True), (0.0, False), (60.0, False)):
        pose = posed(arm, 0.0) if side == "left" else posed(0.0, arm)
        shown = view.frame(pose, Seen.CLIENT, (target(feature, 90.0),), None, False)
        (zone,) = shown["zones"]
        assert zone["pivot"] == shown["points"][f"{side}_shoulder"]
        direction = pointing(shown["points"], f"{side}_shoulder", f"{side}_wrist")
        assert (zone["from"] <= direction <= zone["to"]) == inside, (arm, direction, zone)


def test_a_zone_below_the_target_lies_below_it():
    """A target reached by lowering (rest above it) is the sector under the target's line."""
    lowering = target("left_shoulder_abduction", 45.0, direction=-1.0)
    shown = view.frame(posed(30.0), Seen.CLIENT, (lowering,), None, False)
    (zone,) = shown["zones"]
    direction = pointing(shown["points"], "left_shoulder", "left_wrist")
    assert zone["from"] <= direction <= zone["to"]


def test_a_zone_whose_joint_is_out_of_view_is_not_drawn():
    pose = posed(90.0)
    hidden = pose.visibility.copy()
    hidden[L.LEFT_ELBOW] = 0.0
    pose = dataclasses.replace(pose, visibility=hidden)
    shown = view.frame(pose, Seen.CLIENT, (target("left_shoulder_abduction", 90.0),), None, False)
    assert shown["zones"] == []
    assert shown["place"] == "partly"  # an arm out of the picture


def test_where_the_client_stands_is_said_in_three_ways():
    assert view.frame(posed(), Seen.CLIENT, (), None, False)["place"] == "in"
    nobody = view.frame(None, Seen.ABSENT, (), None, False)
    someone_else = view.frame(posed(), Seen.OTHER, (), None, False)
    assert nobody["place"] == "out" and someone_else["place"] == "out"


def test_tracking_too_poor_to_play_says_so_and_nobody_in_view_still_says_not_in_view():
    assert view.frame(posed(), Seen.CLIENT, (), None, False, unsteady=True)["place"] == "unsteady"
    assert view.frame(None, Seen.ABSENT, (), None, False, unsteady=True)["place"] == "out"


def test_the_note_is_its_colour_and_its_height_and_muted_shows_none():
    def controls(midi: float, amp: float = 0.5) -> Controls:
        voice = VoiceControls(440.0, amp, 0.5, 0.5, True, midi=midi)
        return Controls(0, (voice,))

    low = view.frame(None, Seen.ABSENT, (), controls(60.0), False)["note"]
    high = view.frame(None, Seen.ABSENT, (), controls(72.0), False)["note"]
    assert low["name"] == "C4" and high["name"] == "C5"
    assert low["colour"] == high["colour"] == view.NOTE_COLOURS[0]  # both a C
    assert high["height"] > low["height"]
    assert (
        view.frame(None, Seen.ABSENT, (), controls(62.0), False)["note"]["colour"] != low["colour"]
    )
    assert view.frame(None, Seen.ABSENT, (), controls(72.0), True)["note"] is None
    assert view.frame(None, Seen.ABSENT, (), controls(72.0, amp=0.0), False)["note"] is None


def test_nothing_but_numbers_and_names_is_sent():
    """No picture leaves: the frame is the skeleton and the state, a few hundred bytes."""
    zones = (target("left_shoulder_abduction", 90.0),)
    shown = view.frame(posed(90), Seen.CLIENT, zones, None, False)
    text = json.dumps(shown)
    assert len(text) < 1500
    expected = {
        "aspect",
        "seen",
        "place",
        "points",
        "zones",
        "note",
        "muted",
        "gestures",
        "pointer",
    }
    assert set(shown) == expected
    assert all(len(xy) == 2 for xy in shown["points"].values())


def test_the_clients_colours_go_over_the_scheme():
    looks = view.settings(Look(scheme="light", figure="#FF8800", reduced_motion=True))
    assert looks["colours"]["figure"] == "#ff8800"
    assert looks["colours"]["background"] == view.SCHEMES["light"]["background"]
    assert looks["reduced_motion"] and not looks["large_text"]
    assert view.settings(Look())["colours"] == view.SCHEMES["dark"]  # dark by default


@pytest.mark.parametrize("bad", ["bluish", "#12345", "#12345g", "rgb(1,2,3)"])
def test_a_colour_that_does_not_parse_is_one_line_naming_the_field(bad):
    text = f'schema_version = 1\nclient = "D1"\ncreated = 2026-01-01T00:00:00Z\n[display]\nbackground = "{bad}"\n'
    with pytest.raises(
        MotionMusicError, match=r"profile\.toml: display\.background: .*not a colour"
    ):
        parse_profile(text, "profile.toml")


def test_every_voice_silent_means_no_note_even_with_a_preset_playing():
    quiet = Controls(0, (VoiceControls(440.0, 0.01, 0.5, 0.5, True, midi=69.0),))
    assert view.frame(None, Seen.ABSENT, (), quiet, False)["note"] is None
