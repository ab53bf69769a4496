"""Edit the mappings while the client plays: each change is validated and applied to the
running sound at once (no audio restart); save as a new preset, or revert."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widgets import Footer, Input, Label, Select, Static

from motionmusic.core.controls import VOICE_PARAMETERS
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import FEATURE_NAMES
from motionmusic.core.presets import Preset, describe
from motionmusic.core.scales import SCALES
from motionmusic.runtime.commands import PlayPreset
from motionmusic.store.preset_library import save_preset
from motionmusic.tui.screens.base import Watching
from motionmusic.tui.widgets.field import Field

CURVES = ("linear", "exponential", "s_curve")
INVERT = [("no", "no"), ("yes: played backwards", "yes")]


def _options(values: Any) -> list[tuple[str, str]]:
    return [(str(v), str(v)) for v in values]


def controls_of(preset: Preset, voice: int) -> list[str]:
    """The sound parameters of a voice that a movement drives."""
    v = preset.voices[voice]
    return [name for name in VOICE_PARAMETERS if getattr(v, name) is not None]


def edited(
    preset: Preset, voice: int, key: str, changes: dict[str, Any], smoothing: float
) -> Preset:
    """The preset with one control of one voice changed; raises ValidationError if invalid."""
    data = preset.model_dump()
    if data["voices"][voice].get(key) is None:
        raise ValueError(f"this voice has no movement on {key}")
    data["voices"][voice][key].update(changes)
    data["smoothing"][smoothing_knob(preset)] = smoothing
    return Preset.model_validate(data)


def smoothing_knob(preset: Preset) -> str:
    """The one smoothing setting the form edits: the rest hold's stillness (how many times its
    jitter a move must go before the sound follows) or One Euro's cutoff."""
    return "stillness" if preset.smoothing.method == "rest_hold" else "min_cutoff"


def smoothing_label(preset: Preset) -> str:
    return "stillness (x jitter)" if smoothing_knob(preset) == "stillness" else "smoothing (Hz)"


class MappingsScreen(Watching):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save as preset", id="mappings.save", priority=True),
        Binding("ctrl+z", "revert", "Revert", id="mappings.revert", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield Static(
            "Mappings: changes play at once; ctrl+s saves as a new preset", classes="heading"
        )
        with Grid(id="mapping-form"):
            yield Label("voice")
            yield Select(self._voice_options(), id="voice", allow_blank=False)
            yield Label("sound parameter")
            yield Select(_options(controls_of(self.preset, 0)), id="parameter", allow_blank=False)
            yield Label("movement")
            yield Select(_options(FEATURE_NAMES), id="feature", allow_blank=False)
            yield Label("input from / to")
            yield Field(id="input", placeholder="e.g. 20,160")
            yield Label("curve")
            yield Select(_options(CURVES), id="curve", allow_blank=False)
            yield Label("invert")
            yield Select(INVERT, id="invert", allow_blank=False)  # words, not a colour
            yield Label("dead zone (0-0.5)")
            yield Field(id="dead_zone", type="number")
            yield Label("scale")
            yield Select(_options(SCALES), id="scale", allow_blank=False)
            yield Label("root note")
            yield Field(id="root", placeholder="C4")
            yield Label("octaves")
            yield Select(_options(range(1, 5)), id="octaves", allow_blank=False)
            yield Label(smoothing_label(self.preset), id="smoothing-label")
            yield Field(id="smoothing", type="number")
            yield Label("save as")
            yield Field(id="save-name", placeholder="new preset name, then ctrl+s")
        yield Static(id="mapping-error")
        yield Footer()

    def on_mount(self) -> None:
        self.original = self.preset
        self.draft = self.original
        self.voice = 0
        self.parameter = controls_of(self.draft, 0)[0]
        self._parameters = controls_of(self.draft, 0)
        self._loading = False
        self._load()

    def on_screen_resume(self) -> None:
        if self.preset != self.draft:  # a preset was picked elsewhere: edit that one
            self.original = self.draft = self.preset
            self.query_one("#voice", Select).set_options(self._voice_options())
            self.voice = 0
            self.parameter = controls_of(self.draft, 0)[0]
            self._load()

    def _voice_options(self) -> list[tuple[str, str]]:
        return [(v.name, str(i)) for i, v in enumerate(self.preset.voices)]

    def _load(self) -> None:
        """Fill the form from the current voice (without applying anything)."""
        self._loading = True
        voice = self.draft.voices[self.voice]
        parameters = controls_of(self.draft, self.voice)
        if self.parameter not in parameters:
            self.parameter = parameters[0]
        control = getattr(voice, self.parameter)
        self.query_one("#voice", Select).value = str(self.voice)
        chooser = self.query_one("#parameter", Select)
        if self._parameters != parameters:  # new options would fire a change of their own
            self._parameters = parameters
            chooser.set_options(_options(parameters))
        chooser.value = self.parameter
        if control is not None:
            self.query_one("#feature", Select).value = control.feature
            self.query_one("#input", Input).value = f"{control.input[0]:g},{control.input[1]:g}"
            self.query_one("#curve", Select).value = control.curve
            self.query_one("#invert", Select).value = "yes" if control.invert else "no"
            self.query_one("#dead_zone", Input).value = f"{control.dead_zone:g}"
        pitch = voice.pitch if self.parameter == "pitch" else None
        for field in ("scale", "root", "octaves"):
            self.query_one(f"#{field}").disabled = pitch is None
        if pitch is not None:
            self.query_one("#scale", Select).value = pitch.scale
            self.query_one("#root", Input).value = pitch.root
            self.query_one("#octaves", Select).value = str(pitch.octaves)
        knob = smoothing_knob(self.draft)
        self.query_one("#smoothing-label", Label).update(smoothing_label(self.draft))
        self.query_one("#smoothing", Input).value = f"{getattr(self.draft.smoothing, knob):g}"
        self.call_after_refresh(self._loaded)

    def _loaded(self) -> None:
        self._loading = False

    def _changes(self) -> dict[str, Any]:
        low, _, high = self.query_one("#input", Input).value.partition(",")
        changes: dict[str, Any] = {
            "feature": self.query_one("#feature", Select).value,
            "input": (float(low), float(high)),
            "curve": self.query_one("#curve", Select).value,
            "invert": self.query_one("#invert", Select).value == "yes",
            "dead_zone": float(self.query_one("#dead_zone", Input).value or 0),
        }
        if self.parameter == "pitch":
            changes |= {
                "scale": self.query_one("#scale", Select).value,
                "root": self.query_one("#root", Input).value.strip(),
                "octaves": int(str(self.query_one("#octaves", Select).value)),
            }
        return changes

    def apply(self) -> None:
        """Validate the form and send the preset to the running engine (or say what is wrong)."""
        error = self.query_one("#mapping-error", Static)
        try:
            smoothing = float(self.query_one("#smoothing", Input).value)
            preset = edited(self.draft, self.voice, self.parameter, self._changes(), smoothing)
        except ValidationError as exc:
            error.update(f"not applied: {describe(exc)}")
            return
        except ValueError as exc:
            error.update(f"not applied: {exc}")
            return
        error.update("")
        self.draft = preset
        self.send(PlayPreset(preset))

    def on_select_changed(self, event: Select.Changed) -> None:
        if self._loading:
            return
        if event.select.id == "voice":
            self.voice = int(str(event.value))
            self._load()
            return
        if event.select.id == "parameter":
            if str(event.value) != self.parameter:
                self.parameter = str(event.value)
                self._load()
            return
        self.apply()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "save-name":
            self.action_save()
        else:
            self.apply()

    def action_revert(self) -> None:
        self.draft = self.original
        self.send(PlayPreset(self.original))
        self._load()
        self.notify(f"reverted to {self.original.name}", timeout=3)

    def action_save(self) -> None:
        name = self.query_one("#save-name", Input).value.strip()
        if not name:
            self.query_one("#save-name", Input).focus()
            self.notify("type a name for the new preset, then ctrl+s", severity="warning")
            return
        try:
            preset = Preset.model_validate(self.draft.model_dump() | {"name": name})
            path = save_preset(preset)
        except (ValidationError, MotionMusicError) as exc:
            message = describe(exc) if isinstance(exc, ValidationError) else str(exc)
            self.notify(message, severity="error")
            return
        self.original = self.draft = preset
        self.send(PlayPreset(preset))
        self.notify(f"saved {path}", timeout=4)
