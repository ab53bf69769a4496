"""One session recorder: edits made while a client plays are events in the one running log, and
the summary counts exactly the reps and time in target the therapist saw live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList

from motionmusic.core.summary import summarise
from motionmusic.core.trace import read_trace
from motionmusic.store import clients
from motionmusic.tui.app import MotionMusicApp
from motionmusic.tui.screens.calibrate import CalibrateScreen
from tests.motion import arm_trace, segments
from tests.test_cli import mm
from tests.tui_support import RecordingSynth, client_with_target, live_on, run_app, until

FLEX = "right_shoulder_flexion"


def rec_seconds(app: MotionMusicApp) -> float:
    assert app.state.recording is not None
    return app.state.recording.seconds


def rest(client: str) -> float | None:
    found = clients.load(client).setting(FLEX).range
    return found.rest if found else None


def raises(path: Path) -> Path:
    """An arm raised to 130° and lowered again every 3 s (looped by the live session)."""
    cycle = ((0.6, 20, 20), (0.6, 20, 130), (0.6, 130, 130), (0.6, 130, 20), (0.6, 20, 20))
    return arm_trace(path, segments(*cycle), noise=0.5)


def test_edits_mid_session_are_logged_and_the_summary_counts_what_was_shown(tmp_path):
    client_with_target("C017")  # right shoulder: rest 20, reach 150, target 120
    synth = RecordingSynth()
    live = live_on(raises(tmp_path / "raises.mmtrace"), synth=synth, profile=clients.load("C017"))
    app = MotionMusicApp(live)
    seen: dict[str, object] = {}
    edit_times: list[tuple[float, float]] = []  # the session's clock as each edit began and ended

    async def edit(pilot, *keys: str) -> None:
        began = rec_seconds(app)
        await pilot.press(*keys)
        pressed = rec_seconds(app)  # the command is queued: the engine's next frames take it
        await until(pilot, lambda: rec_seconds(app) >= pressed + 0.2)
        edit_times.append((began, rec_seconds(app)))

    async def scenario(pilot) -> None:
        await until(pilot, lambda: app.state.recording is not None and rec_seconds(app) > 3.5)
        assert app.state.recording is not None
        seen["path"] = app.state.recording.path
        await pilot.press("3")
        await edit(pilot, "t", "1", "1", "0", "enter")  # target 120 → 110
        await until(pilot, lambda: clients.load("C017").setting(FLEX).target == 110)
        await edit(pilot, "s", "1", "4", "0", "enter")  # stretch zone from 140
        await edit(pilot, "g", "2", "enter")  # gain 2
        await until(pilot, lambda: clients.load("C017").setting(FLEX).gain == 2)
        await pilot.press("2")
        smoothing = app.screen.query_one("#smoothing", Input)
        smoothing.value = "8"
        smoothing.focus()
        await edit(pilot, "enter")  # stillness 12 → 8: smaller moves are heard
        await until(
            pilot,
            lambda: app.state.preset is not None and app.state.preset.smoothing.stillness == 8.0,
        )
        app.screen.set_focus(None)  # out of the field: digits switch screens again
        await pilot.press("4")
        screen = app.screen
        assert isinstance(screen, CalibrateScreen)
        screen.prepare_s, screen.hold_s = 0.3, 0.6
        await edit(pilot, "s")
        await until(pilot, lambda: screen.result is not None, timeout=20)
        await edit(pilot, "y")
        await until(pilot, lambda: rest("C017") != 20)
        await pilot.press("1")
        reps = app.state.targets[0].reps
        await until(pilot, lambda: app.state.targets[0].reps >= reps + 1, timeout=10)
        assert app.state.recording is not None  # every edit kept the session going
        assert app.state.recording.path == seen["path"]
        await pilot.press("x")  # the safe stop: the log is closed and summarised

    run_app(app, scenario, size=(120, 40))
    logs = list((clients.sessions_dir("C017")).glob("*.mmtrace"))
    assert logs == [seen["path"]]  # exactly one log, all along
    shown = {t.feature: t for t in live.state.targets}[FLEX]
    summary = summarise(read_trace(logs[0]))
    counted = {a.feature: a for a in summary.angles}[FLEX]
    assert shown.reps >= 3 and counted.reps == shown.reps
    assert counted.seconds_in_target == pytest.approx(shown.seconds_in_target, abs=1e-6)
    assert counted.target == 110  # the target at the end of the session
    assert live.summaries and live.summaries[0].angles == summary.angles

    edits = [(t, what) for t, what in summary.edits]
    kinds = [e.kind for e in read_trace(logs[0]).events]
    assert kinds == ["profile", "profile", "profile", "preset", "calibration", "profile"]
    assert [w.split()[0] for _, w in edits] == [
        "target", "stretch", "gain", "preset", "calibration", "calibration",
    ]  # fmt: skip
    for (logged, _), (began, ended) in zip(edits, edit_times, strict=True):
        assert began - 0.1 <= logged <= ended  # logged when it took effect
    printed = mm("summary", str(logs[0]))
    assert printed.returncode == 0 and "target right_shoulder_flexion 110" in printed.stdout


def test_choosing_another_client_ends_the_session_and_says_so(tmp_path, monkeypatch):
    client_with_target("C017")
    clients.create("C18", "arm-raise-pentatonic")
    live = live_on(raises(tmp_path / "raises.mmtrace"), profile=clients.load("C017"))
    app = MotionMusicApp(live)
    said: list[str] = []
    notify = app.notify

    def keep(text: str, **kw: Any) -> None:
        said.append(text)
        notify(text, **kw)

    monkeypatch.setattr(app, "notify", keep)

    async def scenario(pilot) -> None:
        await until(pilot, lambda: app.state.recording is not None and rec_seconds(app) > 1.0)
        await pilot.press("6")
        options = app.screen.query_one(OptionList)
        options.highlighted = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == "C18"
        )
        await pilot.press("enter")
        await until(pilot, lambda: app.state.client == "C18")
        await until(pilot, lambda: any("ended" in line for line in said))
        assert app.state.recording is None  # the new client's session starts when asked (r)

    run_app(app, scenario)
    logs = clients.sessions("C017")
    assert len(logs) == 1 and logs[0].with_suffix(".summary.json").is_file()
    assert any("session of C017 ended and saved: now C18" in line for line in said)
    assert clients.sessions("C18") == []
