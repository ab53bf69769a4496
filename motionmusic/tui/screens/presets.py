"""Pick a preset: the list, and the highlighted one's description and clinical rationale."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import Preset, load_preset
from motionmusic.runtime.commands import PlayPreset
from motionmusic.store.preset_library import available
from motionmusic.tui.screens.base import Watching


class PresetsScreen(Watching):
    BINDINGS = [Binding("enter", "play", "Play this preset", id="presets.play")]

    def compose(self) -> ComposeResult:
        yield Static("Presets: enter plays the highlighted one at once", classes="heading")
        with Horizontal():
            yield OptionList(id="preset-list")
            yield Static(id="rationale")
        yield Footer()

    def on_mount(self) -> None:
        self.presets: dict[str, Preset] = {}
        for path in available():
            try:
                self.presets[path.stem] = load_preset(path)
            except MotionMusicError as exc:
                self.notify(str(exc), severity="error")
        names = list(self.presets)
        options = self.query_one(OptionList)
        options.add_options([Option(name, id=name) for name in names])
        current = self.preset.name
        options.highlighted = names.index(current) if current in names else 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        preset = self.presets[str(event.option.id)]
        rationale = re.sub(r"\n(?!(For|Trains|Watch):)", " ", preset.rationale.strip())
        self.query_one("#rationale", Static).update(
            f"{preset.name}\n\n{preset.description}\n\n{rationale}"
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._play(str(event.option.id))

    def action_play(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            self._play(str(option.id))

    def _play(self, name: str) -> None:
        self.send(PlayPreset(self.presets[name]))
        self.notify(f"playing {name}", timeout=3)
