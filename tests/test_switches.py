"""A switch through a MIDI interface does what a key does: the mapping, and presses counted once."""

from __future__ import annotations

import pytest

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.switches import parse_switches


def test_a_note_press_and_a_pedal_going_down_each_ask_for_their_action_once():
    switches = parse_switches({"mute": "note 60", "next_preset": "cc 64"}, "keymap.toml")
    assert switches.press((0x90, 60, 100)) == "mute"
    assert switches.press((0x93, 60, 1)) == "mute"  # any channel
    assert switches.press((0x90, 60, 0)) is None  # a release
    assert switches.press((0x80, 60, 0)) is None
    assert switches.press((0xB0, 64, 127)) == "next_preset"
    assert switches.press((0xB0, 64, 100)) is None  # still down: not pressed again
    assert switches.press((0xB0, 64, 0)) is None
    assert switches.press((0xB0, 64, 127)) == "next_preset"
    assert switches.press((0xB0, 1, 127)) is None  # not mapped


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"jump": "note 60"}, "switch.jump: unknown"),
        ({"mute": "key 60"}, 'switch.mute: \'key 60\' is not "note N" or "cc N"'),
        ({"mute": "note 128"}, "switch.mute"),
        ("note 60", "switch: must be a table"),
    ],
)
def test_a_wrong_switch_entry_is_one_line_naming_it(table, words):
    with pytest.raises(MotionMusicError) as refused:
        parse_switches(table, "keymap.toml")
    assert str(refused.value).startswith("keymap.toml: ") and words in str(refused.value)


def test_the_keymap_file_holds_keys_and_switches_side_by_side(tmp_path):
    from motionmusic.core.switches import load_switches
    from motionmusic.tui.app import load_keymap

    path = tmp_path / "keymap.toml"
    path.write_text('mute = "f9"\n\n[switch]\nmute = "note 60"\nsafe_stop = "cc 65"\n')
    assert load_keymap(path) == {"mute": "f9"}
    switches = load_switches(path)
    assert switches is not None and switches.notes == {60: "mute"}
    assert switches.controls == {65: "safe_stop"}
    assert load_switches(tmp_path / "none.toml") is None
