"""Where other instruments are played: `[outputs.midi]` (a MIDI instrument, a sound module or a
DAW) and `[outputs.osc]` (OSC over UDP), as a preset names them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from motionmusic.core.schema import Strict

MIX_CCS = {7: "channel volume", 10: "pan"}
"""CCs a mixer shows as a fader or a knob: movement sent there moves them (`mix_ccs`)."""
EXPRESSION = 11
"""The player's dynamics: meant for loudness; anything else sent there makes the loudness follow
it (`mix_ccs` too)."""
CcNumber = Annotated[int, Field(ge=0, le=119)]


class Controllers(Strict):
    """`[outputs.midi.cc]`: which controller each sound parameter drives (none: not sent)."""

    amp: CcNumber | None = 11
    """Loudness: expression (11), the player's own dynamics, under the mixer's volume."""
    brightness: CcNumber | None = 74
    pan: CcNumber | None = None
    """Not sent unless named: 10 is the mixer's pan knob (and needs `mix_ccs`)."""


class MidiOut(Strict):
    """`[outputs.midi]`: the voices played on a MIDI instrument, a sound module or a DAW."""

    channel: int = Field(1, ge=1, le=16)
    """The first voice's channel; each further voice the next one (MPE: the manager channel,
    the voices on the member channels after it)."""
    cc: Controllers = Controllers()
    mix_ccs: bool = False
    """Allow movement on channel volume (CC 7) and pan (CC 10), which move a mixer's controls,
    and on expression (CC 11) for anything but loudness."""
    glide: Literal["bend", "mpe"] = "bend"
    """A glide voice: one held note bent, or MPE (a member channel each, ±48 semitones)."""
    bend_range: int = Field(2, ge=1, le=48)
    """Semitones the receiving instrument's pitch bend spans (set on it by RPN 0 at start)."""
    synth: bool = True
    """The internal synth plays too; false: MIDI only (a DAW or a keyboard makes the sound)."""
    reward_channel: int | None = Field(None, ge=1, le=16)
    """Play the reward (a ROM target reached) and the stretch sound as notes on this channel, in
    the preset's key; none: not sent (the synth's reward still plays unless `synth = false`)."""

    def voice_channels(self, voices: int) -> list[int]:
        """The channels (0..15) `voices` voices play on; with MPE the manager channel first."""
        first = self.channel - 1
        if self.glide == "mpe":
            return [first] + [(first + 1 + i) % 16 for i in range(voices)]
        return [(first + i) % 16 for i in range(voices)]

    @model_validator(mode="after")
    def _no_level_by_accident(self) -> MidiOut:
        """Movement on a controller the receiver treats as a level only when a preset says so,
        and never two parameters on one controller (they would fight over it)."""
        used: dict[int, str] = {}
        for name, number in self.cc.model_dump().items():
            if number is None:
                continue
            if number in used:
                raise ValueError(f"cc.{name} and cc.{used[number]} are both controller {number}")
            used[number] = name
            what = MIX_CCS.get(number)
            if number == EXPRESSION and name != "amp":
                what = "expression: its loudness would follow " + name
            if what is not None and not self.mix_ccs:
                raise ValueError(
                    f"cc.{name} = {number} moves the receiver's {what}: "
                    "set mix_ccs = true if that is meant"
                )
        return self


class OscOut(Strict):
    """`[outputs.osc]`: every angle, voice, target and client event as OSC messages."""

    target: str = Field(pattern=r"^[A-Za-z0-9.\-]+:\d{1,5}$", examples=["127.0.0.1:9000"])
    """HOST:PORT to send to (UDP)."""


class Outputs(Strict):
    midi: MidiOut | None = None
    osc: OscOut | None = None
