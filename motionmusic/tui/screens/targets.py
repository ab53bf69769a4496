"""ROM targets per angle, beside the client's calibrated range and where the stretch zone starts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from motionmusic import clients
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.profile import AngleSettings
from motionmusic.core.session import features
from motionmusic.tui.screens.base import Watching
from motionmusic.tui.widgets.field import Field


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


class TargetsScreen(Watching):
    BINDINGS = [
        Binding("t", "edit", "Set target", id="targets.edit"),
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
        self._fill()

    def rows(self) -> list[str]:
        profile = self.live.profile
        targeted = list(profile.angles) if profile else []
        return list(dict.fromkeys([*features(self.live.preset), *targeted]))

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        profile = self.live.profile
        beyond = self.live.preset.reward.stretch_beyond
        for name in self.rows():
            s = profile.setting(name) if profile else AngleSettings()
            rest = s.range.rest if s.range else None
            reach = s.range.reach if s.range else None
            stretch = reach + beyond * s.range.direction if s.range and reach is not None else None
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
            f"client {profile.client}: t sets, delete clears; saved to the profile at once"
            if profile
            else "no client: choose one on the Clients screen (6) to set targets"
        )
        self.query_one("#targets-note", Static).update(note)

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_edit(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self._set(float(event.value))
        except ValueError:
            self.notify("a target is a number of degrees", severity="error")
        event.input.value = ""
        self.query_one(DataTable).focus()

    def action_clear(self) -> None:
        self._set(None)

    def _set(self, target: float | None) -> None:
        profile, name = self.live.profile, self._selected()
        if profile is None or name is None:
            self.notify("choose a client first (6)", severity="warning")
            return
        try:
            updated = profile.with_angle(name, target=target)
            clients.save(updated)
        except (ValueError, MotionMusicError) as exc:
            self.notify(str(exc).splitlines()[0], severity="error")
            return
        self.live.use_profile(updated)
        self._fill()
