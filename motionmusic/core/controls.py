"""The vocabulary between the mapping and whatever makes sound, named once.

A voice's *driven parameters* are the sound parameters a movement can drive (`VOICE_PARAMETERS`);
`VoiceControls` is what one voice should sound like now, `Controls` one frame's worth for every
voice. Session logs store the same fields in the same order (`CONTROL_FIELDS`), and the note a
voice plays travels as a MIDI number, so nobody turns Hz back into a note name on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from motionmusic.core.scales import midi_to_name

VOICE_PARAMETERS = ("pitch", "volume", "brightness", "pan")
"""The sound parameters of a voice that a movement can drive, in the order screens list them."""

CONTROL_FIELDS = ("freq", "amp", "brightness", "pan", "present", "strike", "midi")
"""The fields of a `VoiceControls` record, as session logs store them."""


@dataclass(frozen=True, slots=True)
class VoiceControls:
    """What one voice should sound like now."""

    freq: float  # Hz
    amp: float  # 0..1, before the master cap
    brightness: float  # 0..1
    pan: float  # 0 left .. 1 right
    present: bool  # its movement is measured; False fades it out
    strike: float = 0.0  # velocity 0..1 of a note to strike now; 0 for none
    midi: float = 69.0  # the note it plays, as a MIDI number (fractional while gliding)
    glide_s: float = 0.0  # > 0: reach `freq` over this long (a glide heading one frame ahead)

    @property
    def note(self) -> str:
        """The nearest note's name ("C4"), for people; the synth plays `freq`."""
        return midi_to_name(round(self.midi))

    def as_record(self) -> tuple[float, ...]:
        """The values in `CONTROL_FIELDS` order."""
        return tuple(float(getattr(self, name)) for name in CONTROL_FIELDS)


@dataclass(frozen=True, slots=True)
class Controls:
    t_ns: int
    voices: tuple[VoiceControls, ...]
    reward: float = 0.0  # 1 while a ROM target is reached: the preset's reward sound plays
    stretch: float = 0.0  # 1 in the stretch zone beyond the calibrated reach

    def hushed(self) -> Controls:
        """This frame with every voice absent (it fades out) and no reward: what the internal
        synth plays while another instrument plays the preset alone (MIDI only)."""
        voices = tuple(replace(voice, present=False, amp=0.0, strike=0.0) for voice in self.voices)
        return Controls(self.t_ns, voices)
