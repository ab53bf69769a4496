"""Movement as MIDI: each frame's controls become the MIDI messages that changed, as raw bytes.

A keyboard, a sound module or a DAW plays what the voices play. Per voice, on its own channel:
- a struck voice (a trigger) strikes a note on at the strike's velocity (from the speed of the
  movement) and lets the last one go;
- a glide voice holds a note and bends it (pitch bend over `bend_range` semitones, or MPE: each
  glide voice on a member channel with a ±48 semitone bend), and moves the held note only when
  the glide leaves the bend's reach;
- any other voice (a scale, a fixed note) holds the note it plays, a new note when the note
  changes, struck at the speed of the movement that got there: the notes crossed, as a share of
  the voice's range, over the time since the last new note (`shaping.velocity`, the curve the
  synth's own strikes use). A first note, from stillness, is the softest.
Loudness goes to expression (CC 11) and brightness to CC 74 by default; pan is sent only if a
preset asks for it. Movement on channel volume (CC 7) or pan (CC 10) would move the fader and the
pan knob of a mixer, and anything but loudness on expression (CC 11) the loudness, so a preset must
say `mix_ccs = true` to do that (`presets.MidiOut`).

With `reward_channel`, reaching a ROM target plays the reward's notes there (the tonic chord the
synth swells in, in the preset's key) until the zone is left, and the stretch sound's likewise:
music as the reward, on whatever instrument plays.

Only what changed is sent, once per frame at most; `silence()` lets every note go (a note off
for each, then all-notes-off on every channel used): on mute, client lost, preset switch, exit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from motionmusic.core.controls import Controls, VoiceControls
from motionmusic.core.presets import Preset
from motionmusic.core.routing import MidiOut
from motionmusic.core.scales import reward_notes
from motionmusic.core.shaping import velocity

Message = tuple[int, ...]
NOTE_OFF, NOTE_ON, CONTROL, BEND = 0x80, 0x90, 0xB0, 0xE0
ALL_NOTES_OFF, RPN_MSB, RPN_LSB, DATA_MSB, DATA_LSB = 123, 101, 100, 6, 38
CENTRE = 8192
MPE_BEND = 48


@dataclass
class _Voice:
    channel: int  # 0..15
    kind: str  # "strike", "glide", "hold"
    note: int | None = None  # the note sounding
    bend: int = CENTRE
    ccs: dict[int, int] = field(default_factory=dict)
    span: float = 12.0  # semitones the voice's movement spans (the speed's scale)
    last: tuple[float, int] | None = None  # (seconds, note) of the last new note, while present


def velocity_byte(strength: float) -> int:
    """A note-on velocity 1..127 from 0..1 (0 would be a note off)."""
    return min(max(round(strength * 127), 1), 127)


def rpn(channel: int, number: int, value: int) -> list[Message]:
    """Set registered parameter `number` to `value` (coarse), then close the RPN."""
    status = CONTROL | channel
    return [
        (status, RPN_MSB, number >> 7), (status, RPN_LSB, number & 0x7F),
        (status, DATA_MSB, value), (status, DATA_LSB, 0),
        (status, RPN_MSB, 127), (status, RPN_LSB, 127),
    ]  # fmt: skip


class MidiPlayer:
    """What to send, frame by frame, for one preset's voices."""

    def __init__(self, preset: Preset, settings: MidiOut) -> None:
        self.settings = settings
        mpe = settings.glide == "mpe"
        self.range = MPE_BEND if mpe else settings.bend_range
        channels = settings.voice_channels(len(preset.voices))[1 if mpe else 0 :]
        self.voices = [
            _Voice(
                channel,
                _kind(voice.trigger is not None, voice.pitch),
                span=12.0 * voice.pitch.octaves if voice.pitch else 12.0,
            )
            for channel, voice in zip(channels, preset.voices, strict=True)
        ]
        self.ccs: dict[str, int] = {
            name: number for name, number in settings.cc.model_dump().items() if number is not None
        }
        self.reward = Reward(preset, settings.reward_channel)

    @property
    def channels(self) -> list[int]:
        voices = {voice.channel for voice in self.voices}
        return sorted(
            voices | ({self.reward.channel} if self.reward.channel is not None else set())
        )

    def start(self) -> list[Message]:
        """Set-up: the bend range of glide channels; with MPE, the zone (MPE Configuration
        Message on the manager channel) first."""
        out: list[Message] = []
        if self.settings.glide == "mpe":
            out += rpn(self.settings.channel - 1, 6, len(self.voices))
        for voice in self.voices:
            if voice.kind == "glide":
                out += rpn(voice.channel, 0, self.range)
        return out

    def step(self, controls: Controls) -> list[Message]:
        out: list[Message] = []
        t = controls.t_ns / 1e9
        for voice, sound in zip(self.voices, controls.voices, strict=False):
            out += self._voice(voice, sound, t)
        return out + self.reward.step(controls.reward >= 0.5, controls.stretch >= 0.5)

    def silence(self) -> list[Message]:
        """Every note let go: a note off for each sounding note, then all-notes-off per channel."""
        out: list[Message] = self.reward.step(False, False)
        for voice in self.voices:
            if voice.note is not None:
                out.append((NOTE_OFF | voice.channel, voice.note, 0))
                voice.note = None
        for channel in self.channels:
            out.append((CONTROL | channel, ALL_NOTES_OFF, 0))
        return out

    # -- one voice ----------------------------------------------------------------------------
    def _voice(self, voice: _Voice, sound: VoiceControls, t: float) -> list[Message]:
        if not sound.present or sound.amp <= 0.0:
            voice.last = None
            return self._release(voice)
        out = self._cc(voice, "amp", sound.amp) + self._cc(voice, "brightness", sound.brightness)
        out += self._cc(voice, "pan", sound.pan)
        nearest = min(max(round(sound.midi), 0), 127)
        if voice.kind == "strike":
            if sound.strike > 0.0:
                out += self._release(voice) + self._on(voice, nearest, sound.strike)
        elif voice.kind == "glide":
            out += self._glide(voice, sound.midi, sound.amp)
        elif voice.note != nearest:
            out += self._release(voice) + self._on(voice, nearest, self._speed(voice, nearest, t))
        return out

    def _speed(self, voice: _Voice, note: int, t: float) -> float:
        """Velocity of a new held note: the share of the range crossed since the last new note,
        a second."""
        rate = 0.0
        if voice.last is not None:
            since, previous = voice.last
            rate = abs(note - previous) / max(voice.span, 1.0) / max(t - since, 1 / 60)
        voice.last = (t, note)
        return velocity(rate)

    def _on(self, voice: _Voice, note: int, strength: float) -> list[Message]:
        voice.note = note
        return [(NOTE_ON | voice.channel, note, velocity_byte(strength))]

    def _release(self, voice: _Voice) -> list[Message]:
        if voice.note is None:
            return []
        note, voice.note = voice.note, None
        return [(NOTE_OFF | voice.channel, note, 0)]

    def _glide(self, voice: _Voice, midi: float, amp: float) -> list[Message]:
        out: list[Message] = []
        if voice.note is None or abs(midi - voice.note) > self.range - 0.5:
            start = min(max(round(midi), 0), 127)
            out += self._release(voice) + self._bend(voice, midi - start, force=True)
            out += self._on(voice, start, amp)
            return out
        return self._bend(voice, midi - voice.note)

    def _bend(self, voice: _Voice, semitones: float, force: bool = False) -> list[Message]:
        value = min(max(round(CENTRE + semitones / self.range * (CENTRE - 1)), 0), 16383)
        if value == voice.bend and not force:
            return []
        voice.bend = value
        return [(BEND | voice.channel, value & 0x7F, value >> 7)]

    def _cc(self, voice: _Voice, name: str, level: float) -> list[Message]:
        number = self.ccs.get(name)
        if number is None:
            return []
        value = min(max(round(level * 127), 0), 127)
        if voice.ccs.get(number) == value:
            return []
        voice.ccs[number] = value
        return [(CONTROL | voice.channel, number, value)]


class Reward:
    """The reward and the stretch sound as notes on their own channel: the notes the synth's
    reward plays (`scales.reward_notes`), on while the target (or the stretch zone) is reached,
    at the reward's level."""

    def __init__(self, preset: Preset, channel: int | None) -> None:
        self.channel = None if channel is None else channel - 1
        key, sounds = preset.key, (preset.reward.sound, preset.reward.stretch_sound)
        self.notes = [reward_notes(*key, sound) for sound in sounds]
        self.velocity = velocity_byte(preset.reward.level)
        self.on = [False, False]

    def step(self, reward: bool, stretch: bool) -> list[Message]:
        if self.channel is None:
            return []
        out: list[Message] = []
        for i, now in enumerate((reward, stretch)):
            if now != self.on[i]:
                self.on[i] = now
                kind, velocity = (NOTE_ON, self.velocity) if now else (NOTE_OFF, 0)
                out += [(kind | self.channel, note, velocity) for note in self.notes[i]]
        return out


def _kind(struck: bool, pitch: object) -> str:
    if struck:
        return "strike"
    return "glide" if getattr(pitch, "mode", None) == "glide" else "hold"
