"""Client profiles: what the therapist knows about one client, by pseudonym only.

A profile holds, per angle, the client's calibrated range (rest and comfortable reach), a ROM
target in degrees and a sensitivity gain, plus a default preset and free notes. It is health data:
the store (`motionmusic.store.clients`) keeps it local with owner-only permissions. This module is the
pure part: validation (like presets: bounded, unknown keys refused, one-line errors) and how a
profile bends a preset's mappings so that the client's own range spans the whole musical range.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeVar

import tomllib
from pydantic import AfterValidator, Field, ValidationError, model_validator

from motionmusic.core.controls import VOICE_PARAMETERS
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.gestures import Gesture
from motionmusic.core.presets import Preset, Voice, describe
from motionmusic.core.schema import Control, Feature, Strict

CLIENT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"
ClientId = Annotated[str, Field(pattern=CLIENT_PATTERN, examples=["C017", "pilot-03"])]


MIN_WIDTH = 0.01
"""The narrowest range: a third of the least a face's score must move to count (0.03)."""


class Range(Strict):
    """Where the client rests and how far they comfortably reach, in the feature's unit (degrees,
    shoulder widths, a face's score 0..1). Calibration refuses a reach that barely moved, by the
    unit's own measure (`core.features.UNITS`); here only a range of no width is refused."""

    rest: float = Field(ge=-360, le=360)
    reach: float = Field(ge=-360, le=360)
    calibrated: datetime | None = None

    @model_validator(mode="after")
    def _moves(self) -> Range:
        if abs(self.reach - self.rest) < MIN_WIDTH:
            raise ValueError(f"reach must differ from rest by at least {MIN_WIDTH}")
        return self

    @property
    def direction(self) -> float:
        return 1.0 if self.reach > self.rest else -1.0


class AngleSettings(Strict):
    range: Range | None = None
    target: float | None = Field(None, ge=-360, le=360)
    """ROM target: reaching it plays the preset's reward and counts a repetition."""
    stretch: float | None = Field(None, ge=-360, le=360)
    """Where this angle's stretch zone starts (its own reward); default: the calibrated reach plus
    the preset's `stretch_beyond`."""
    gain: float = Field(1.0, ge=0.25, le=20.0)
    """Sensitivity: 4 means a quarter of the range plays the whole scale (tiny movements)."""


def _colour(text: str) -> str:
    if len(text) != 7 or text[0] != "#" or any(c not in "0123456789abcdefABCDEF" for c in text[1:]):
        raise ValueError(f"{text!r} is not a colour: write it as #rrggbb, e.g. #1e90ff")
    return text.lower()


Colour = Annotated[str, AfterValidator(_colour)]


class Look(Strict):
    """How the client display looks for this client: colour pairs that soothe one child can
    distress another. Colours left out come from the scheme."""

    scheme: Literal["dark", "light", "high-contrast"] = "dark"
    background: Colour | None = None
    figure: Colour | None = None
    target: Colour | None = None
    """A ROM target's zone, unlit."""
    reached: Colour | None = None
    """The zone while the client is in it, and its burst."""
    large_text: bool = False
    reduced_motion: bool = False
    """No bursts or moving effects: a reached target glows, steady."""
    pointer_zones: int | None = Field(None, ge=2, le=8)
    """How many note zones a head pointer offers this client in a row (None: the preset's):
    fewer are larger and easier to reach."""
    pointer_size: float = Field(0.5, ge=0.2, le=0.9)
    """The share of the screen's height the zones take."""


class Profile(Strict):
    schema_version: Literal[1] = 1
    client: ClientId
    """A pseudonym: never a name. Nothing in a profile identifies a person by itself."""
    created: datetime
    preset: str | None = None
    """Default preset (name or path) for this client's sessions."""
    notes: str = Field("", max_length=4000)
    angles: dict[Feature, AngleSettings] = Field(default_factory=dict)
    display: Look = Field(default_factory=Look)
    """The client display's look (`run --display`)."""
    holds: dict[str, Annotated[int, Field(ge=0, le=3000)]] = Field(default_factory=dict)
    """This client's own hold time (ms) for a gesture, by its name: a deliberate blink is longer
    for some clients than for others (`--hold long_blink=600`)."""

    def setting(self, feature: str) -> AngleSettings:
        return self.angles.get(feature, AngleSettings())

    def targets(self) -> dict[str, float]:
        return {name: s.target for name, s in self.angles.items() if s.target is not None}

    def with_look(self, changes: dict[str, str]) -> Profile:
        """A copy with the display's look changed from text (`figure=#ff8800`,
        `reduced_motion=yes`); a wrong name or value is one line naming it."""
        switches = {
            "yes": True,
            "true": True,
            "on": True,
            "no": False,
            "false": False,
            "off": False,
        }
        merged: dict[str, object] = self.display.model_dump()
        for name, text in changes.items():
            if name not in Look.model_fields:
                known = ", ".join(Look.model_fields)
                raise MotionMusicError(f"display.{name}: unknown (one of: {known})")
            if isinstance(merged[name], bool):
                if text.lower() not in switches:
                    raise MotionMusicError(f"display.{name}: {text!r} is not yes or no")
                merged[name] = switches[text.lower()]
            else:
                merged[name] = text or None
        try:
            look = Look.model_validate(merged)
        except ValidationError as exc:
            raise MotionMusicError(f"display.{describe(exc)}") from None
        return self.model_copy(update={"display": look})

    def with_holds(self, holds: dict[str, int]) -> Profile:
        """A copy with these gestures' hold times (validated: 0..3000 ms)."""
        merged = {**self.model_dump(), "holds": {**self.holds, **holds}}
        return Profile.model_validate(merged)

    def with_angle(self, feature: str, **changes: object) -> Profile:
        """A copy with one angle's settings changed (validated)."""
        merged = {**self.setting(feature).model_dump(), **changes}
        settings = AngleSettings.model_validate(merged)
        return self.model_copy(update={"angles": {**self.angles, feature: settings}})


def parse_profile(text: str, where: str) -> Profile:
    """Validate a profile's TOML; any problem is one line naming `where` and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MotionMusicError(f"{where}: not valid TOML ({exc})") from exc
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise MotionMusicError(f"{where}: {describe(exc)}") from exc


def calibrated_input(
    preset_input: tuple[float, float], settings: AngleSettings
) -> tuple[float, float]:
    """The input range a control should use for this client.

    With a calibrated range, position 0 is the client's rest and 1 their reach (the preset's own
    direction is kept). A preset range spanning zero (head turn left..right) is bipolar: it
    becomes rest ± the calibrated excursion. The gain then shrinks the range toward its rest end,
    so a few degrees can play everything.
    """
    low, high = preset_input
    bipolar = min(low, high) < 0.0 < max(low, high)
    rest_first = True  # is `low` (position 0) the rest end?
    if settings.range is not None:
        rest, reach = settings.range.rest, settings.range.reach
        if bipolar:
            span = abs(reach - rest) * (1.0 if high > low else -1.0)
            low, high = rest - span, rest + span
        else:
            rest_first = (high > low) == (reach > rest)
            low, high = (rest, reach) if rest_first else (reach, rest)
    if settings.gain == 1.0:
        return low, high
    if bipolar:
        centre, half = (low + high) / 2, (high - low) / 2 / settings.gain
        return centre - half, centre + half
    if rest_first:
        return low, low + (high - low) / settings.gain
    return high - (high - low) / settings.gain, high


C = TypeVar("C", bound=Control | None)


def _bend(control: C, profile: Profile) -> C:
    if control is None or control.feature not in profile.angles:
        return control
    new = calibrated_input(control.input, profile.setting(control.feature))
    bent: C = control.model_copy(update={"input": new})
    return bent


def _own_hold(gesture: Gesture, profile: Profile) -> Gesture:
    hold = profile.holds.get(gesture.name)
    return gesture if hold is None else gesture.model_copy(update={"hold_ms": hold})


def _bend_voice(voice: Voice, profile: Profile) -> Voice:
    update: dict[str, object] = {
        name: _bend(getattr(voice, name), profile) for name in VOICE_PARAMETERS
    }
    if voice.trigger is not None and voice.trigger.control is not None:
        control = _bend(voice.trigger.control, profile)
        update["trigger"] = voice.trigger.model_copy(update={"control": control})
    return voice.model_copy(update=update)


def apply_profile(preset: Preset, profile: Profile | None) -> Preset:
    """The preset as this client plays it: every mapping through their calibrated range."""
    if profile is None:
        return preset
    voices = [_bend_voice(v, profile) for v in preset.voices]
    gestures = [_own_hold(_bend(g, profile), profile) for g in preset.gestures]
    pointer = preset.pointer
    if pointer is not None:  # the pointer's gain: the client's calibrated range
        axes = {"x": _bend(pointer.x, profile), "y": _bend(pointer.y, profile)}
        pointer = pointer.model_copy(update=axes)
    update = {"voices": voices, "gestures": gestures, "pointer": pointer}
    return preset.model_copy(update=update)
