"""Presets: which movement plays which sound. TOML files validated by pydantic models.

Every field is bounded and unknown keys are refused (`extra="forbid"`), so a typo is an error that
names the file, the field and what is allowed, never a silently ignored setting. The JSON Schema
exported from these models (`presets/schema.json`) is checked for freshness by a test, so editors
can validate presets too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import tomllib
from pydantic import Field, ValidationError, field_validator, model_validator

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import Source, sources_of, unknown_feature
from motionmusic.core.filters import Smoothing
from motionmusic.core.gestures import Gesture
from motionmusic.core.pointer import Pointer
from motionmusic.core.routing import Outputs
from motionmusic.core.scales import NOTE_PATTERN, ScaleName
from motionmusic.core.schema import Control, Note, Strict, Unit


class Pitch(Control):
    mode: Literal["glide", "scale"] = "scale"
    """glide: continuous, theremin-like; scale: snapped to the notes of `scale`."""
    scale: ScaleName = "major_pentatonic"
    root: Note = "C4"
    """Lowest note of the range."""
    octaves: int = Field(2, ge=1, le=4)
    """How many octaves the whole input range spans."""
    hysteresis: float = Field(0.25, ge=0.0, le=0.45)
    """Scale mode: how far past the midpoint between two notes the pitch must go before the note
    changes (fraction of the gap). Stops a body held still from flipping between two notes."""
    ahead: bool = True
    """Glide mode: between frames the pitch keeps moving the way the hand moves (at most one
    frame's step, and only at 20 fps or more) instead of stepping when the next frame comes; a
    step held for a frame trails the hand by half a frame, 17 ms at 30 fps."""
    hold_cents: float = Field(0.0, ge=0.0, le=50.0)
    """Glide mode: pitch changes smaller than this are ignored; a moving hand glides at most this
    far behind. Off by default: the rest hold (`smoothing`) already keeps a still hand still, and
    20 cents cost the theremin 10-20 ms of lag on the shared clips."""


class Level(Control):
    output: tuple[Unit, Unit] = (0.0, 1.0)
    """Parameter values at position 0 and 1."""


class Trigger(Strict):
    """Note-trigger mode: a movement plays a note (velocity from its speed)."""

    on: Literal["note_change", "threshold", "speed"] = "note_change"
    """note_change: each new scale note is struck (a ladder of notes); threshold: crossing
    `threshold` upwards; speed: moving faster than `speed` positions a second."""
    control: Control | None = None
    """For threshold/speed: the movement watched (default: the voice's pitch control)."""
    threshold: float = Field(0.5, ge=0.0, le=1.0)
    speed: float = Field(1.5, gt=0.0, le=20.0)
    min_interval_ms: int = Field(150, ge=50, le=2000)
    """Shortest time between two notes: a tremor cannot machine-gun notes."""


MAX_PEOPLE = 4


class Voice(Strict):
    name: str = Field(min_length=1, max_length=40)
    instrument: Literal["theremin", "mallet", "pad"]
    """theremin: continuous lead; mallet: soft struck notes; pad: warm sustained drone."""
    pitch: Pitch | None = None
    note: Note = "C4"
    """Fixed note when there is no pitch control."""
    volume: Level | None = None
    level: Unit = 0.8
    """Fixed volume when there is no volume control (and the ceiling of a controlled one)."""
    brightness: Level | None = None
    pan: Level | None = None
    trigger: Trigger | None = None
    person: int = Field(1, ge=1, le=MAX_PEOPLE)
    """Group play: who drives this voice, 1..4, numbered left to right on the (mirror-view) figure
    when play starts and kept by who they are after that. 1 is the client."""
    gate: str | None = None
    """The gesture that sounds this voice: it plays only while the gesture is on, and a mallet
    is struck each time it comes on."""
    chord_tone: int | None = Field(None, ge=0, le=5)
    """Play this note (0 the first) of the current chord of the preset's `progression`."""

    @model_validator(mode="after")
    def _trigger_needs_motion(self) -> Voice:
        if (
            self.trigger
            and self.trigger.on == "note_change"
            and (self.pitch is None or self.pitch.mode != "scale")
        ):
            raise ValueError("trigger on note_change needs a pitch in scale mode")
        if (
            self.trigger
            and self.trigger.on != "note_change"
            and not (self.trigger.control or self.pitch)
        ):
            raise ValueError(
                "a threshold/speed trigger needs a control (or a pitch control to watch)"
            )
        return self


class Synth(Strict):
    master: float = Field(0.7, ge=0.0, le=1.0)
    """Master volume cap for this preset (a limiter also keeps peaks at or below -1 dBFS)."""
    reverb: Unit = 0.25
    """Gentle room: 0 dry, 1 very wet."""
    ramp_ms: float = Field(10.0, ge=5.0, le=200.0)
    """Each value sent is reached by a linear ramp this long. It adds about half its length to
    what the client hears: 10 ms is long enough that no step clicks and cost 15 ms less delay
    than the former 35 ms on every clip (benchmarks/README.md, effective latency); longer suits
    slow pads."""
    fade_ms: float = Field(300.0, ge=50.0, le=450.0)
    """Fade to silence when tracking is lost, and back in when the person returns."""


RewardSound = Literal["chord", "shimmer", "bright", "none"]


class Reward(Strict):
    """What reaching a client's ROM target sounds like (targets are set in the client's profile)."""

    sound: RewardSound = "chord"
    """chord: the key's tonic chord swells in; shimmer: a high sparkle; bright: every voice opens
    up; none: targets are counted but play nothing extra."""
    stretch_sound: RewardSound = "shimmer"
    """Played in the stretch zone, just beyond the client's calibrated reach."""
    level: Unit = 0.5
    hysteresis: float = Field(4.0, ge=0.0, le=30.0)
    """Degrees the angle must fall back below the target before reaching it counts again."""
    stretch_beyond: float = Field(5.0, ge=0.0, le=45.0)
    """Where the stretch zone starts: this many degrees beyond the calibrated reach."""


class Preset(Strict):
    schema_version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=60)
    description: str = ""
    rationale: str = ""
    """Who it is for, which movement it trains, what the therapist should watch."""
    synth: Synth = Synth()
    smoothing: Smoothing = Smoothing()
    reward: Reward = Reward()
    voices: list[Voice] = Field(min_length=1, max_length=8)
    outputs: Outputs = Outputs()
    """Other instruments played too: MIDI, OSC."""
    gestures: list[Gesture] = Field(default_factory=list, max_length=8)
    """Switches made of held features: a long blink, an open mouth, a pinch."""
    pointer: Pointer | None = None
    """A head pointer over note zones on the client display; one of the voices plays them."""
    progression: list[str] = Field(default_factory=list, max_length=16)
    """Chords, each its notes ("C4 E4 G4"): voices with a `chord_tone` play the current one, a
    `next_chord` gesture steps to the next."""
    model: Literal["lite", "full", "heavy"] | None = None
    """The pose model this preset is meant for, when it matters: lite answers about 8 ms sooner
    (play), full measures angles more faithfully (ROM work). None: whatever is installed."""

    @model_validator(mode="after")
    def _gestures_named(self) -> Preset:
        names = [g.name for g in self.gestures]
        self._pointer_named(names)
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two gestures are called {name!r}")
        for i, voice in enumerate(self.voices):
            if voice.gate is not None and voice.gate not in names:
                known = ", ".join(names) or "none"
                raise ValueError(f"voices[{i}].gate: no gesture {voice.gate!r} (gestures: {known})")
            if voice.chord_tone is not None:
                short = [c for c in self.chords if len(c) <= voice.chord_tone]
                if not self.chords or short:
                    raise ValueError(
                        f"voices[{i}].chord_tone = {voice.chord_tone}: the progression needs a "
                        f"chord of at least {voice.chord_tone + 1} notes in every place"
                    )
        return self

    def _pointer_named(self, gestures: list[str]) -> None:
        pointer, voices = self.pointer, [v.name for v in self.voices]
        for i, voice in enumerate(self.voices):
            struck = voice.trigger or voice.gate or (pointer and pointer.voice == voice.name)
            if voice.instrument == "mallet" and not struck:
                raise ValueError(
                    f"voices[{i}]: a mallet voice needs a [trigger], a gate or the pointer: "
                    "it only sounds when struck"
                )
        if pointer is None:
            return
        if pointer.voice not in voices:
            raise ValueError(
                f"pointer.voice: no voice {pointer.voice!r} (voices: {', '.join(voices)})"
            )
        if pointer.select is not None and pointer.select not in gestures:
            known = ", ".join(gestures) or "none"
            raise ValueError(f"pointer.select: no gesture {pointer.select!r} (gestures: {known})")

    @field_validator("progression")
    @classmethod
    def _chords(cls, chords: list[str]) -> list[str]:
        for chord in chords:
            notes = chord.split()
            bad = [n for n in notes if not re.fullmatch(NOTE_PATTERN, n)]
            if not notes or bad:
                raise ValueError(f'chord {chord!r}: notes such as "C4 E4 G4", space-separated')
        return chords

    @property
    def chords(self) -> list[list[str]]:
        return [chord.split() for chord in self.progression]

    @model_validator(mode="after")
    def _reward_on_its_own_channel(self) -> Preset:
        midi = self.outputs.midi
        if midi is None or midi.reward_channel is None:
            return self
        used = midi.voice_channels(len(self.voices))
        if midi.reward_channel - 1 in used:
            taken = ", ".join(str(c + 1) for c in used)
            raise ValueError(
                f"outputs.midi.reward_channel = {midi.reward_channel} is a voice's channel "
                f"(the voices play on {taken}): choose another"
            )
        return self

    @property
    def labels(self) -> list[str]:
        """Each voice's name as screens show it; in group play with whose it is: "bass (person
        2)", so the therapist sees who plays what."""
        group = self.people > 1
        return [f"{v.name} (person {v.person})" if group else v.name for v in self.voices]

    @property
    def features(self) -> list[str]:
        """Every feature the preset plays, in order of appearance."""
        names: list[str] = []
        for voice in self.voices:
            trigger = voice.trigger.control if voice.trigger else None
            controls = (voice.pitch, voice.volume, voice.brightness, voice.pan, trigger)
            for control in controls:
                if control is not None and control.feature not in names:
                    names.append(control.feature)
        axes = (self.pointer.x, self.pointer.y) if self.pointer else ()
        for control in (*self.gestures, *axes):
            if control is not None and control.feature not in names:
                names.append(control.feature)
        return names

    @property
    def sources(self) -> frozenset[Source]:
        """The feature sources that must run to play it (body, face, hand)."""
        return sources_of(self.features)

    @property
    def people(self) -> int:
        """How many people play it: 1, or the highest `person` a voice names (group play)."""
        return max(voice.person for voice in self.voices)

    @property
    def plays_synth(self) -> bool:
        """False for a preset that plays only other instruments (`[outputs.midi] synth = false`)."""
        return self.outputs.midi is None or self.outputs.midi.synth

    @property
    def key(self) -> tuple[str, str]:
        """(root note, scale) of its first voice: the key its reward sounds in."""
        first = self.voices[0]
        pitch = first.pitch
        return (pitch.root, pitch.scale) if pitch else (first.note, "major")


def _field_path(location: tuple[int | str, ...]) -> str:
    """`voices[0].pitch.root`; a key that is no plain name is quoted (escapes included), so an
    unknown key such as a newline still gives a one-line message."""
    return "".join(
        f"[{part}]"
        if isinstance(part, int)
        else f".{part}"
        if part.isidentifier()
        else f"[{part!r}]"
        for part in location
    ).lstrip(".")


def describe(error: ValidationError) -> str:
    """The first problem, as 'field: what is wrong (allowed: ...)'."""
    first = error.errors()[0]
    where = _field_path(tuple(p for p in first["loc"] if not str(p).startswith("function-")))
    message = first["msg"].removeprefix("Value error, ")  # our own validators' words, as written
    if first["type"] == "literal_error":
        message = f"got {first['input']!r}; allowed: {first['ctx']['expected']}"
        if first["loc"] and first["loc"][-1] == "feature":
            message = unknown_feature(str(first["input"]))
    return f"{where or 'preset'}: {message}"


def load_preset(path: Path) -> Preset:
    """Read and validate a preset; any problem is one line naming the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MotionMusicError(f"cannot read preset {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise MotionMusicError(f"{path}: not valid TOML ({exc})") from exc
    return parse_preset_text(text, str(path))


def parse_preset_text(text: str, where: str) -> Preset:
    """Validate a preset's TOML; a problem is one line naming `where` and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MotionMusicError(f"{where}: not valid TOML ({exc})") from exc
    try:
        return Preset.model_validate(data)
    except ValidationError as exc:
        raise MotionMusicError(f"{where}: {describe(exc)}") from exc


def json_schema() -> str:
    return json.dumps(Preset.model_json_schema(), indent=2, sort_keys=True) + "\n"


def recorded_preset(data: dict[str, Any]) -> Preset:
    """A preset as a session log recorded it. Logs written before the rest hold (their smoothing
    names no method) were played through One Euro, so they are replayed and summarised with it."""
    smoothing = data.get("smoothing")
    if isinstance(smoothing, dict) and "method" not in smoothing:
        data = {**data, "smoothing": {**smoothing, "method": "one_euro"}}
    return Preset.model_validate(data)
