"""Pick the client (a pseudonymous id) or create one; their ranges and targets apply at once."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from motionmusic.core.errors import MotionMusicError
from motionmusic.runtime.commands import UseProfile
from motionmusic.store import clients
from motionmusic.tui.screens.base import Watching
from motionmusic.tui.widgets.field import Field


class ClientsScreen(Watching):
    BINDINGS = [Binding("n", "new", "New client", id="clients.new")]

    def compose(self) -> ComposeResult:
        yield Static(
            "Clients: enter chooses (their calibration and targets apply at once)",
            classes="heading",
        )
        yield OptionList(id="client-list")
        yield Field(
            placeholder="new client id (a pseudonym, no names), enter creates", id="new-client"
        )
        yield Static(id="client-info")
        yield Footer()

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(c, id=c) for c in clients.ids()])
        self.query_one("#client-info", Static).update(
            f"current client: {self.state.client or '— (not recording)'}"
        )

    def action_new(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            profile = clients.create(event.value.strip(), self.preset.name)
        except MotionMusicError as exc:
            self.notify(str(exc), severity="error")
            return
        event.input.value = ""
        self._choose(profile.client)
        self._fill()
        self.query_one(OptionList).focus()  # digits switch screens again

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(str(event.option.id))

    def _choose(self, client: str) -> None:
        try:
            profile = clients.load(client)
        except MotionMusicError as exc:
            self.notify(str(exc), severity="error")
            return
        recording = self.state.recording
        self.send(UseProfile(profile, f"client {client}"))
        self.query_one("#client-info", Static).update(f"current client: {client}")
        if recording is None or recording.client != client:
            self.notify(f"client {client}: r starts recording the session", timeout=4)
