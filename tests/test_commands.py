"""The headless prompt and the terminal UI change the preset through the same engine command,
and so behave alike: a change of mappings keeps the synth, other instruments get a new one."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import pytest
from rich.console import Console
from textual.widgets import OptionList

from motionmusic.cli.status_line import command, status_line
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import Preset
from motionmusic.runtime.commands import PlayPreset
from motionmusic.runtime.engine import Command
from motionmusic.runtime.live_session import LiveSession
from motionmusic.store.preset_library import find_preset, save_preset
from motionmusic.tui.app import MotionMusicApp
from tests.tui_support import RecordingSynth, frozen_state, live_on, playing, run_app, until


def lower_theremin() -> Preset:
    """The theremin an octave lower: the same instruments, other mappings."""
    data = find_preset("theremin").model_dump()
    data["name"] = "theremin-low"
    data["voices"][0]["pitch"]["root"] = "C2"
    preset = Preset.model_validate(data)
    save_preset(preset)
    return preset


def watched(
    factory_made: list[RecordingSynth],
) -> tuple[LiveSession, list[Command], RecordingSynth]:
    """A session on the theremin whose commands are kept, with a factory for new synths."""

    def factory(preset: Preset) -> RecordingSynth:
        factory_made.append(RecordingSynth())
        return factory_made[-1]

    synth = RecordingSynth()
    live = live_on(preset="theremin", synth=synth, factory=factory)
    sent: list[Command] = []
    send = live.send

    def keep(cmd: Command) -> None:
        sent.append(cmd)
        send(cmd)

    live.send = keep  # type: ignore[method-assign,assignment]
    return live, sent, synth


def headless(live: LiveSession, name: str) -> None:
    live.start(lambda state: None, lambda text: None, record=False)
    command(live, f"p {name}", Console(file=io.StringIO()))
    deadline = time.monotonic() + 10
    while playing(live) != name:
        assert time.monotonic() < deadline, "the preset was not played"
        time.sleep(0.05)
    live.close()


def in_the_ui(live: LiveSession, name: str) -> None:
    app = MotionMusicApp(live)

    async def scenario(pilot) -> None:
        await until(pilot, lambda: app.state.frame >= 0)
        await pilot.press("5")
        options = app.screen.query_one(OptionList)
        options.highlighted = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == name
        )
        await pilot.press("enter")
        await until(pilot, lambda: playing(live) == name)

    run_app(app, scenario)


def presets_sent(sent: list[Command]) -> list[Command]:
    return [c for c in sent if isinstance(c, PlayPreset)]


WAYS: dict[str, Callable[[LiveSession, str], None]] = {"headless": headless, "ui": in_the_ui}


def test_both_ways_keep_the_synth_when_only_the_mappings_change():
    wanted = lower_theremin()
    for way in WAYS.values():
        made: list[RecordingSynth] = []
        live, sent, synth = watched(made)
        way(live, wanted.name)
        assert presets_sent(sent) == [PlayPreset(wanted)]  # one command, the same either way
        assert live.instrument.synth is synth and made == []  # no new synth, no restart
        assert max(v.freq for c in synth.sent[-20:] for v in c.voices) < 300  # played lower


def test_both_ways_boot_a_new_synth_for_other_instruments():
    pad = find_preset("calm-pad")
    for way in WAYS.values():
        made: list[RecordingSynth] = []
        live, sent, first = watched(made)
        way(live, "calm-pad")
        assert presets_sent(sent) == [PlayPreset(pad)]
        assert len(made) == 1 and live.instrument.synth is made[0] is not first


def test_the_headless_status_line_shows_what_the_client_hears():
    """Like the session screen: the pipeline plus the smoothing (38 + 22 in this state)."""
    line = status_line(frozen_state(live_on())).plain
    assert "latency 60 ms" in line


def test_a_key_a_switch_and_a_typed_command_are_the_same_action():
    """Mute by the UI's key, by a switch press and by typing m: each goes through the
    session's one dispatcher and each toggles the same gate; an unknown action is one line."""
    live = live_on(preset="theremin", synth=RecordingSynth())
    app = MotionMusicApp(live, run_engine=False)

    async def scenario(pilot) -> None:
        await pilot.press("space")  # the key
        assert live.state.muted and app.state.muted
        app.press("mute")  # a switch
        assert not live.state.muted and not app.state.muted

    run_app(app, scenario)
    said = io.StringIO()
    command(live, "m", Console(file=said))  # typed
    assert live.state.muted
    assert live.act("preset", "no-such-preset").startswith("kept theremin: ")
    with pytest.raises(MotionMusicError, match=r"unknown action 'jump' \(choose: mute, "):
        live.act("jump")
    live.close()
