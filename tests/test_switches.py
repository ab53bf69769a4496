"""A switch through a MIDI interface does what a key does: the mapping, and presses counted once."""

from __future__ import annotations

import pytest

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.switches import parse_switches


def test_a_note_press_and_a_pedal_going_down_each_ask_for_their_action_once():
    switches = parse_switches({"mute": "note 60", "next_preset": "cc 64"}, "keymap.toml")
    presses = iter(range(100))  # a second apart: no bounce

    def press(*message: int) -> str | None:
        return switches.press(message, float(next(presses)))

    assert press(0x90, 60, 100) == "mute"
    assert press(0x93, 60, 1) == "mute"  # any channel
    assert press(0x90, 60, 0) is None  # a release
    assert press(0x80, 60, 0) is None
    assert press(0xB0, 64, 127) == "next_preset"
    assert press(0xB0, 64, 100) is None  # still down: not pressed again
    assert press(0xB0, 64, 0) is None
    assert press(0xB0, 64, 127) == "next_preset"
    assert press(0xB0, 1, 127) is None  # not mapped


def test_a_bounce_or_a_double_press_does_not_undo_a_mute():
    switches = parse_switches({"mute": "note 60", "record": "note 62"}, "keymap.toml")
    assert switches.press((0x90, 60, 100), 10.0) == "mute"
    assert switches.press((0x90, 60, 100), 10.03) is None  # the contact bounced
    assert switches.press((0x90, 62, 100), 10.05) == "record"  # another action: counted
    assert switches.press((0x90, 60, 100), 10.2) is None  # a second press 0.2 s on: ignored
    assert switches.press((0x90, 60, 100), 10.6) == "mute"  # a deliberate one: counted
    slower = parse_switches({"mute": "note 60", "debounce_ms": 1000}, "keymap.toml")
    assert slower.press((0x90, 60, 100), 0.0) == "mute"
    assert slower.press((0x90, 60, 100), 0.6) is None


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"jump": "note 60"}, "switch.jump: unknown"),
        ({"mute": "key 60"}, 'switch.mute: \'key 60\' is not "note N" or "cc N"'),
        ({"mute": "note 128"}, "switch.mute"),
        ("note 60", "switch: must be a table"),
        ({"debounce_ms": "fast"}, "switch.debounce_ms: 'fast' is not 0..5000"),
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
