"""Movement as MIDI messages: struck notes, held notes, bends, controllers that change only when
their value does, and silence that lets every note go."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from motionmusic.core.controls import Controls, VoiceControls
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.midi import ALL_NOTES_OFF, BEND, CONTROL, NOTE_OFF, NOTE_ON, MidiPlayer
from motionmusic.core.presets import Preset, parse_preset_text
from motionmusic.core.routing import MidiOut

MALLET: dict[str, object] = {"name": "m", "instrument": "mallet", "trigger": {"on": "note_change"},
          "pitch": {"feature": "right_shoulder_flexion", "input": [20, 160]}}  # fmt: skip
SCALE: dict[str, object] = {"name": "s", "instrument": "pad",
         "pitch": {"feature": "right_shoulder_flexion", "input": [20, 160], "octaves": 2}}  # fmt: skip
GLIDE: dict[str, object] = {"name": "g", "instrument": "theremin",
         "pitch": {"feature": "left_wrist_height", "input": [-1, 1], "mode": "glide"}}  # fmt: skip


def player(*voices: Mapping[str, object], **midi: object) -> MidiPlayer:
    preset = Preset.model_validate({"name": "t", "voices": list(voices)})
    return MidiPlayer(preset, MidiOut.model_validate(midi))


def sound(midi: float, amp: float = 0.5, strike: float = 0.0, present: bool = True, **more: float):
    return VoiceControls(440.0, amp, more.get("brightness", 0.5), 0.5, present, strike, midi)


def frame(*voices: VoiceControls) -> Controls:
    return Controls(0, voices)


def kinds(messages: list[tuple[int, ...]]) -> list[int]:
    return [m[0] & 0xF0 for m in messages]


def test_a_struck_voice_strikes_at_its_speed_and_lets_the_last_note_go():
    midi = player(MALLET)
    first = midi.step(frame(sound(60, strike=0.8)))
    assert (NOTE_ON, 60, round(0.8 * 127)) in first
    assert midi.step(frame(sound(60))) == []  # nothing changed: nothing sent
    second = midi.step(frame(sound(62, strike=0.3)))
    assert second.index((NOTE_OFF, 60, 0)) < second.index((NOTE_ON, 62, 38))
    assert midi.step(frame(sound(62, present=False))) == [(NOTE_OFF, 62, 0)]  # client lost


def velocities(midi: MidiPlayer, notes: list[int], every_s: float) -> list[int]:
    """The note-on velocities of a held scale voice walking `notes`, a new note every `every_s`."""
    sent = [midi.step(Controls(round(i * every_s * 1e9), (sound(n),))) for i, n in enumerate(notes)]
    return [m[2] for messages in sent for m in messages if m[0] & 0xF0 == NOTE_ON]


def test_a_scale_voice_strikes_each_new_note_harder_the_quicker_the_movement():
    walk = [60, 62, 64, 67, 69, 72]
    slow = velocities(player(SCALE), walk, every_s=1.0)
    quick = velocities(player(SCALE), walk, every_s=0.05)
    assert len(slow) == len(quick) == len(walk)  # a note on for every new note
    assert slow[0] == quick[0] == 38  # the first, from stillness: the softest (0.3)
    assert max(slow[1:]) < 45 < 70 < min(quick[1:])
    again = player(SCALE)
    velocities(again, walk[:3], every_s=0.05)
    again.step(frame(sound(64, present=False)))  # the client goes: the next note starts still
    assert velocities(again, [65], every_s=1.0) == [38]


def test_controllers_follow_their_parameter_and_are_sent_only_when_they_change():
    midi = player(MALLET)
    assert (CONTROL, 11, 64) in midi.step(frame(sound(60, amp=0.5)))  # expression, not volume
    assert midi.step(frame(sound(60, amp=0.501))) == []  # the same 7-bit value
    assert midi.step(frame(sound(60, amp=1.0, brightness=0.0))) == [
        (CONTROL, 11, 127),
        (CONTROL, 74, 0),
    ]


def test_a_glide_bends_its_held_note_and_moves_it_only_beyond_the_bend():
    midi = player(GLIDE, bend_range=2)
    start = midi.start()
    assert (CONTROL, 101, 0) in start and (CONTROL, 6, 2) in start  # RPN 0: ±2 semitones
    first = midi.step(frame(sound(60.0)))
    assert (NOTE_ON, 60, 64) in first and (BEND, 0, 64) in first  # centre: 8192
    up = midi.step(frame(sound(61.0)))
    assert kinds(up) == [BEND]
    value = up[0][1] | up[0][2] << 7
    assert value == pytest.approx(8192 + 8191 / 2, abs=1)
    far = midi.step(frame(sound(64.2)))
    assert (NOTE_OFF, 60, 0) in far and (NOTE_ON, 64, 64) in far


def test_mpe_puts_each_glide_on_a_member_channel_with_a_48_semitone_bend():
    midi = player(GLIDE, GLIDE, glide="mpe")
    start = midi.start()
    assert start[:4] == [(CONTROL, 101, 0), (CONTROL, 100, 6), (CONTROL, 6, 2), (CONTROL, 38, 0)]
    for member in (1, 2):  # channels 2 and 3
        assert (CONTROL | member, 6, 48) in start
    notes = midi.step(frame(sound(60.0), sound(67.0)))
    assert (NOTE_ON | 1, 60, 64) in notes and (NOTE_ON | 2, 67, 64) in notes


def test_silence_lets_every_note_go_on_every_channel():
    midi = player(MALLET, GLIDE, channel=3)
    midi.step(frame(sound(60, strike=1.0), sound(70.0)))
    out = midi.silence()
    assert (NOTE_OFF | 2, 60, 0) in out and (NOTE_OFF | 3, 70, 0) in out
    assert [m for m in out if m[1] == ALL_NOTES_OFF] == [
        (CONTROL | 2, 123, 0),
        (CONTROL | 3, 123, 0),
    ]
    assert midi.silence() == [(CONTROL | 2, 123, 0), (CONTROL | 3, 123, 0)]  # nothing left on


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("cc = { amp = 7 }", "cc.amp = 7 moves the receiver's channel volume"),
        ("cc = { pan = 10 }", "set mix_ccs = true"),
        ("cc = { amp = 120 }", "outputs.midi.cc.amp"),
        ("cc = { amp = 1, brightness = 11 }", "expression: its loudness would follow brightness"),
        ("cc = { amp = 74 }", "cc.brightness and cc.amp are both controller 74"),
        ("channel = 17", "outputs.midi.channel"),
    ],
)
def test_a_preset_that_would_move_a_mixer_or_has_no_such_controller_is_refused(table, words):
    text = f'name = "x"\n[[voices]]\nname = "v"\ninstrument = "pad"\n[outputs.midi]\n{table}\n'
    with pytest.raises(MotionMusicError, match=r"x\.toml: outputs\.midi") as refused:
        parse_preset_text(text, "x.toml")
    assert words in str(refused.value)


def test_mix_ccs_allows_pan_on_10_when_it_is_meant():
    voice = '[[voices]]\nname = "v"\ninstrument = "pad"\n'
    text = f'name = "x"\n{voice}[outputs.midi]\nmix_ccs = true\ncc = {{ pan = 10 }}\n'
    assert parse_preset_text(text, "x.toml").outputs.midi is not None


def test_a_target_reached_plays_the_reward_chord_on_its_own_channel_until_it_is_left():
    midi = player(SCALE, reward_channel=16)  # C4 major pentatonic: the tonic chord C5 E5 G5 C6
    chord = [72, 76, 79, 84]
    assert [m for m in midi.step(frame(sound(60))) if m[0] == NOTE_ON | 15] == []
    reached = Controls(0, (sound(62),), reward=1.0)
    assert [m[1] for m in midi.step(reached) if m[0] == NOTE_ON | 15] == chord
    assert [m for m in midi.step(reached) if m[0] & 0x0F == 15] == []  # held, not struck again
    left = [m[1] for m in midi.step(frame(sound(62))) if m[0] == NOTE_OFF | 15]
    assert left == chord
    midi.step(reached)
    out = midi.silence()
    assert [m[1] for m in out if m[0] == NOTE_OFF | 15] == chord  # mute lets the chord go too
    assert (CONTROL | 15, ALL_NOTES_OFF, 0) in out
    assert [m for m in player(SCALE).step(reached) if m[0] & 0x0F == 15] == []  # not asked for


def test_a_reward_channel_that_a_voice_plays_on_is_refused():
    voices = '[[voices]]\nname = "a"\ninstrument = "pad"\n' * 1
    two = voices + '[[voices]]\nname = "b"\ninstrument = "pad"\n'
    text = f'name = "x"\n{two}[outputs.midi]\nchannel = 3\nreward_channel = 4\n'
    with pytest.raises(MotionMusicError) as refused:
        parse_preset_text(text, "x.toml")
    assert "reward_channel = 4 is a voice's channel (the voices play on 3, 4)" in str(refused.value)


def test_without_python_rtmidi_midi_is_one_line_naming_the_extra(monkeypatch):
    """On Python 3.13 python-rtmidi comes only with the `midi` extra: asking for MIDI without
    it is one line that says what to install, for every API tried."""
    import sys

    from motionmusic.adapters.midi_rtmidi import MidiOutPort

    monkeypatch.setitem(sys.modules, "rtmidi", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "mido.backends.rtmidi", None)
    with pytest.raises(MotionMusicError, match=r"python-rtmidi is not installed \(pip install "
                       r"'motionmusic\[midi\]'\)"):  # fmt: skip
        MidiOutPort(api="alsa")
