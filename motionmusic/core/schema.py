"""The building blocks of presets and profiles: strict models, features by name, notes, and a
control (one feature shaped into a position 0..1).

Every model refuses unknown keys (`extra="forbid"`) and is frozen: a typo is an error naming
the field, and nothing changes a preset behind the loop's back.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from motionmusic.core.features import FEATURE_NAMES
from motionmusic.core.scales import NOTE_PATTERN
from motionmusic.core.shaping import Curve

Feature = Literal[FEATURE_NAMES]  # type: ignore[valid-type]
Note = Annotated[str, Field(pattern=NOTE_PATTERN, examples=["C4", "F#3", "Bb2"])]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Control(Strict):
    """One movement feature shaped into a position 0..1."""

    feature: Feature
    """The measured angle (or wrist height) that drives this parameter."""
    input: tuple[float, float]
    """Feature values giving position 0 and 1 (degrees; shoulder widths for wrist height).
    Later filled from the client's calibrated range."""
    curve: Curve = "linear"
    """linear; exponential (fine control low in the range); s_curve (fine control at both ends)."""
    invert: bool = False
    """Play the range backwards (e.g. lowering the arm raises the pitch)."""
    dead_zone: float = Field(0.0, ge=0.0, lt=0.5)
    """Fraction of the range at its start that plays as 0: small movements near rest stay silent."""

    @field_validator("input")
    @classmethod
    def _distinct(cls, value: tuple[float, float]) -> tuple[float, float]:
        if value[0] == value[1]:
            raise ValueError("the two ends of the input range must differ")
        return value
