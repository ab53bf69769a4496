"""The head pointer at the feature level: a dwell sounds the zone's note, a head resting on a
border does not flicker between two zones, the client's own zone count and calibrated gain are
used, and a gesture can sound the zone at once."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from motionmusic.core.controls import Controls
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import FEATURE_INDEX, Features
from motionmusic.core.filters import FeatureFilter
from motionmusic.core.performer import Performer
from motionmusic.core.presets import Preset, parse_preset_text
from motionmusic.core.profile import AngleSettings, Look, Profile, Range
from motionmusic.store.preset_library import find_preset

FPS = 30.0


def _face(t: float, **values: float) -> Features:
    features = Features.missing(round(t * 1e9))
    for name, value in values.items():
        features.values[FEATURE_INDEX[name]] = value
        features.confidence[FEATURE_INDEX[name]] = 1.0
    return features


def _play(performer: Performer, yaws: list[float]) -> list[Controls]:
    """The frames through the preset's smoothing and the performer, as the loop plays them."""
    smoother = FeatureFilter(performer.preset.smoothing, FPS)
    return [performer.step(smoother(_face(i / FPS, face_yaw=y))) for i, y in enumerate(yaws)]


def test_dwelling_on_a_zone_sounds_its_note_after_the_dwell_and_not_before() -> None:
    performer = Performer(find_preset("head-pointer"))
    played = _play(performer, [8.0] * 45)  # the third of four zones, for 1.5 s
    sounding = [c.voices[0].present for c in played]
    first = sounding.index(True)
    assert first == round(0.8 * FPS)  # 800 ms of dwell
    assert played[-1].voices[0].note == "E4"


def test_a_head_resting_on_a_border_stays_in_one_zone() -> None:
    """face_yaw 0 is the border between the second and third zones; the jitter of a still head
    (1° RMS, twice the face model's on the clip) must not flip the zone, or the dwell would
    never end."""
    performer = Performer(find_preset("head-pointer"))
    rng = np.random.default_rng(2)
    yaws = list(0.5 + rng.normal(0, 1.0, 90))
    _play(performer, yaws)
    assert performer.pointed is not None and performer.pointed.sounding is not None


def test_the_clients_zone_count_and_calibrated_gain_are_used() -> None:
    """Three larger zones for this client (C, D, E), and a turn of 10° either way (calibrated)
    crosses the screen: 9° to the right is the last zone."""
    profile = Profile(
        client="P1",
        created=datetime.now(timezone.utc),
        angles={"face_yaw": AngleSettings(range=Range(rest=0.0, reach=10.0))},
        display=Look(pointer_zones=3),
    )
    performer = Performer(find_preset("head-pointer"), profile)
    played = _play(performer, [9.0] * 40)
    assert performer.pointed is not None and performer.pointed.zones == 3
    assert played[-1].voices[0].note == "E4" and played[-1].voices[0].present


def _with_select() -> Preset:
    preset = find_preset("head-pointer")
    text = """
name = "x"
[[gestures]]
name = "smile"
feature = "smile"
hold_ms = 0
[[voices]]
name = "zone"
instrument = "mallet"
[pointer]
voice = "zone"
select = "smile"
[pointer.x]
feature = "face_yaw"
input = [-25, 25]
"""
    return parse_preset_text(text, preset.name)


def test_a_gesture_sounds_the_zone_under_the_pointer_at_once() -> None:
    performer = Performer(_with_select())
    first = performer.step(_face(0.0, face_yaw=-20.0, smile=0.0))
    assert not first.voices[0].present
    struck = performer.step(_face(1 / FPS, face_yaw=-20.0, smile=0.9))
    assert struck.voices[0].present and struck.voices[0].strike > 0
    assert struck.voices[0].note == "C4"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ('voice = "bells"', "pointer.voice: no voice 'bells' (voices: zone)"),
        ("zones = 12", "pointer.zones: Input should be less than or equal to 8"),
        ("dwell_ms = 50", "pointer.dwell_ms: Input should be greater than or equal to 200"),
    ],
)
def test_a_bad_pointer_setting_is_one_line_naming_it(edit: str, said: str) -> None:
    text = f"""
name = "bad"
[[voices]]
name = "zone"
instrument = "pad"
[pointer]
voice = "zone"
{edit}
[pointer.x]
feature = "face_yaw"
input = [-25, 25]
"""
    text = text.replace('voice = "zone"\nvoice', "voice")
    with pytest.raises(MotionMusicError) as caught:
        parse_preset_text(text, "p.toml")
    assert said in str(caught.value) and "\n" not in str(caught.value)


def test_with_two_rows_the_nod_chooses_the_row() -> None:
    """Two rows of four: looking up puts the pointer in the top row, whose notes go on up the
    scale (C D E G below, A C D E above)."""
    text = """
name = "two-rows"
[[voices]]
name = "zone"
instrument = "pad"
[pointer]
voice = "zone"
rows = 2
dwell_ms = 300
[pointer.x]
feature = "face_yaw"
input = [-25, 25]
[pointer.y]
feature = "face_pitch"
input = [-15, 15]
"""
    performer = Performer(parse_preset_text(text, "two-rows"))
    smoother = FeatureFilter(performer.preset.smoothing, FPS)
    for i in range(30):
        played = performer.step(smoother(_face(i / FPS, face_yaw=-20.0, face_pitch=12.0)))
    assert performer.pointed is not None and performer.pointed.zone == 4
    assert played.voices[0].present and played.voices[0].note == "A4"
