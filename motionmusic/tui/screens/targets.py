"""ROM targets per angle, beside the client's calibrated range and where the stretch zone starts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.profile import AngleSettings
from motionmusic.core.targets import stretch_edge
from motionmusic.runtime.commands import UseProfile
from motionmusic.runtime.state import EngineState
from motionmusic.store import clients
from motionmusic.tui.screens.base import Watching
from motionmusic.tui.widgets.field import Field

UNITS = {"target": "degrees", "stretch": "degrees", "gain": "1 = the whole range, 4 = a quarter"}


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


class TargetsScreen(Watching):
    BINDINGS = [
        Binding("t", "edit", "Set target", id="targets.edit"),
        Binding("s", "edit_stretch", "Set stretch zone", id="targets.stretch"),
        Binding("g", "edit_gain", "Set gain", id="targets.gain"),
        Binding("delete", "clear", "Clear target", id="targets.clear"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(
            "ROM targets: reaching one plays the preset's reward and counts a rep",
            classes="heading",
        )
        yield DataTable(id="targets", cursor_type="row", zebra_stripes=True)
        yield Field(
            placeholder="target in degrees for the highlighted angle, enter sets",
            id="target-input",
            type="number",
        )
        yield Static(id="targets-note")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("angle", "rest", "reach", "target", "stretch from", "gain")
        self.shown = self.profile  # the profile in the table: the state's, or one just saved
        self._fill()

    def update_state(self, state: EngineState) -> None:
        if state.profile is not None and state.profile != self.shown:
            self.shown = state.profile  # another client, or a calibration saved elsewhere
            self._fill()

    def rows(self) -> list[str]:
        targeted = list(self.shown.angles) if self.shown else []
        return list(dict.fromkeys([*self.preset.features, *targeted]))

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        profile = self.shown
        beyond = self.preset.reward.stretch_beyond
        for name in self.rows():
            s = profile.setting(name) if profile else AngleSettings()
            rest = s.range.rest if s.range else None
            reach = s.range.reach if s.range else None
            stretch = stretch_edge(s, beyond)
            table.add_row(
                name,
                _num(rest),
                _num(reach),
                _num(s.target),
                _num(stretch),
                f"{s.gain:g}",
                key=name,
            )
        note = (
            f"client {profile.client}: t sets a target, s where the stretch zone starts, g the"
            " gain, delete clears the target; saved to the profile at once"
            if profile
            else "no client: choose one on the Clients screen (6) to set targets"
        )
        self.query_one("#targets-note", Static).update(note)

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    editing = "target"

    def action_edit(self) -> None:
        self._ask("target")

    def action_edit_stretch(self) -> None:
        self._ask("stretch")

    def action_edit_gain(self) -> None:
        self._ask("gain")

    def _ask(self, what: str) -> None:
        self.editing = what
        field = self.query_one(Input)
        unit = UNITS[what]
        field.placeholder = f"{what} ({unit}) for the highlighted angle, enter sets"
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self._set(float(event.value), self.editing)
        except ValueError:
            self.notify(f"a {self.editing} is a number ({UNITS[self.editing]})", severity="error")
        event.input.value = ""
        self.query_one(DataTable).focus()

    def action_clear(self) -> None:
        self._set(None, "target")

    def _set(self, value: float | None, what: str) -> None:
        profile, name = self.shown, self._selected()
        if profile is None or name is None:
            self.notify("choose a client first (6)", severity="warning")
            return
        try:
            updated = profile.with_angle(name, **{what: value})
            clients.save(updated)
        except (ValueError, MotionMusicError) as exc:
            self.notify(str(exc).splitlines()[0], severity="error")
            return
        shown = "cleared" if value is None else f"{value:g}"
        self.send(UseProfile(updated, f"{what} {name} {shown}"))
        self.shown = updated
        self._fill()
