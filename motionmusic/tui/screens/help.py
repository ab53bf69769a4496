"""Every key, on one screen (with the keymap's changes)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def key_table(bindings: list[Binding], keymap: dict[str, str]) -> str:
    lines = []
    for b in bindings:
        keys = keymap.get(b.id or "", b.key)
        lines.append(f"{keys:>18}  {b.description or b.action}  [{b.id}]")
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,f1,q", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        from motionmusic.tui.app import MotionMusicApp
        from motionmusic.tui.screens.calibrate import CalibrateScreen
        from motionmusic.tui.screens.clients import ClientsScreen
        from motionmusic.tui.screens.mappings import MappingsScreen
        from motionmusic.tui.screens.presets import PresetsScreen
        from motionmusic.tui.screens.session import SessionScreen
        from motionmusic.tui.screens.targets import TargetsScreen

        keymap = getattr(self.app, "_keymap", {})
        sections = [("everywhere", MotionMusicApp.BINDINGS)] + [
            (screen.__name__.removesuffix("Screen").lower(), screen.BINDINGS)
            for screen in (
                SessionScreen,
                MappingsScreen,
                TargetsScreen,
                CalibrateScreen,
                PresetsScreen,
                ClientsScreen,
            )
        ]
        text = "\n\n".join(
            f"{name}\n{key_table([b for b in bindings if isinstance(b, Binding)], keymap)}"
            for name, bindings in sections
            if bindings
        )
        with VerticalScroll(id="help"):
            yield Static(
                "Keys  (escape closes; remap by id in keymap.toml)\n\n" + text, markup=False
            )
