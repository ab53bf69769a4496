"""Guided calibration, driven by the engine's own frames: rest, then reach, per angle, with live
values and a countdown; the result is shown and saved to the profile only when confirmed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from motionmusic.core.calibration import Calibrator, prompt_lines
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.profile import Range
from motionmusic.runtime.commands import Calibrate, UseProfile
from motionmusic.runtime.state import EngineState
from motionmusic.store import clients
from motionmusic.tui.screens.base import Watching


class CalibrateScreen(Watching):
    BINDINGS = [
        Binding("s", "start", "Start", id="calibrate.start"),
        Binding("y", "save", "Save result", id="calibrate.save"),
        Binding("n", "discard", "Discard", id="calibrate.discard"),
    ]
    prepare_s = 3.0
    hold_s = 3.0

    def compose(self) -> ComposeResult:
        yield Static(
            "Calibrate: s starts; the client rests, then reaches and holds", classes="heading"
        )
        yield Static(id="calibration", classes="big")
        yield Footer()

    def on_mount(self) -> None:
        self.result: dict[str, Range] | None = None
        self.started = False
        self._taken: dict[str, Range] | None = None  # a result already shown (saved or not)

    def angles(self) -> list[str]:
        return self.preset.features

    def action_start(self) -> None:
        if self.profile is None:
            self.notify(
                "choose a client first (6): the result is saved to their profile",
                severity="warning",
            )
            return
        self.result, self.started = None, True
        self._taken = self.state.calibrated
        self.send(Calibrate(Calibrator(self.angles(), self.prepare_s, self.hold_s)))

    def update_state(self, state: EngineState) -> None:
        box = self.query_one("#calibration", Static)
        done = state.calibrated
        if self.started and done is not None and done is not self._taken:
            self.result, self.started = done, False
        if self.result is not None:
            lines = [
                f"{n}: rest {r.rest:.1f} → reach {r.reach:.1f}" for n, r in self.result.items()
            ]
            box.update("Result\n" + "\n".join(lines) + "\n\ny saves it to the profile, n discards")
        elif self.started and state.calibration is not None:
            box.update("\n".join(line for line in prompt_lines(state.calibration) if line))
        elif not self.started:
            client = state.client or "— (choose a client: 6)"
            box.update(f"client {client}\nangles: {', '.join(self.angles())}\n\ns starts")

    def action_save(self) -> None:
        profile = self.profile
        if self.result is None or profile is None:
            return
        try:
            for name, found in self.result.items():
                profile = profile.with_angle(name, range=found.model_dump())
            clients.save(profile)
        except MotionMusicError as exc:
            self.notify(str(exc), severity="error")
            return
        ranges = ", ".join(f"{n} {r.rest:.0f}→{r.reach:.0f}" for n, r in self.result.items())
        self.send(UseProfile(profile, f"calibration saved: {ranges}"))
        self.result = None
        self.notify("calibration saved: the music now spans this range", timeout=4)
        self.update_state(self.state)

    def action_discard(self) -> None:
        self.result = None
        self.update_state(self.state)
