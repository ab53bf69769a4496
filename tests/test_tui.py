"""The terminal UI driven by its keys while the engine plays a recorded trace."""

from __future__ import annotations

import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from textual.binding import Binding
from textual.widgets import DataTable, Input, Select, Static

from motionmusic.adapters.synth_process import SynthProcess
from motionmusic.core.scales import hz_to_midi
from motionmusic.core.trace import read_trace
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset
from motionmusic.tui.app import MotionMusicApp
from motionmusic.tui.screens.calibrate import CalibrateScreen
from motionmusic.tui.screens.help import HelpScreen
from motionmusic.tui.screens.session import SessionScreen
from motionmusic.tui.widgets.meter import Meter
from tests.motion import arm_trace, segments
from tests.tui_support import RecordingSynth, client_with_target, live_on, playing, run_app, until

FLEX = "right_shoulder_flexion"


def test_meters_and_sounding_follow_the_movement():
    live = live_on()
    app = MotionMusicApp(live)
    seen: list[str] = []

    async def scenario(pilot) -> None:
        await until(pilot, lambda: app.state.frame >= 0)
        for _ in range(30):
            await pilot.pause(0.1)
            meter = app.screen.query_one(Meter)
            seen.append(str(meter.content) + str(app.screen.query_one("#sounding", Static).content))

    run_app(app, scenario)
    assert len(set(seen)) >= 10  # the arm rises and falls: the meter and the notes move
    assert any("C6" in s for s in seen) and any("C4" in s or "D4" in s for s in seen)


def test_editing_a_mapping_changes_what_the_synth_receives():
    synth = RecordingSynth()
    live = live_on(synth=synth)
    app = MotionMusicApp(live)
    marks: dict[str, int] = {}

    async def scenario(pilot) -> None:
        await until(pilot, lambda: len(synth.sent) > 60)
        await pilot.press("2")
        root = app.screen.query_one("#root", Input)
        root.value = "H9"  # not a note: refused, the sound goes on unchanged
        root.focus()
        await pilot.press("enter")
        assert "not applied" in str(app.screen.query_one("#mapping-error", Static).content)
        root.value = "C2"
        await pilot.press("enter")
        marks["changed"] = len(synth.sent)
        await until(pilot, lambda: len(synth.sent) > marks["changed"] + 150)

    run_app(app, scenario)
    before = [hz_to_midi(v.freq) for c in synth.sent[: marks["changed"]] for v in c.voices]
    after = [hz_to_midi(v.freq) for c in synth.sent[marks["changed"] + 5 :] for v in c.voices]
    assert max(before) == pytest.approx(84)  # C6: two octaves above C4
    assert max(after) == pytest.approx(60)  # C4: two octaves above the new root C2
    assert live.instrument.synth is synth  # applied without restarting audio


def test_each_sound_parameter_of_a_voice_can_be_remapped():
    synth = RecordingSynth()
    live = live_on(synth=synth, preset="theremin")
    app = MotionMusicApp(live)
    marks: dict[str, int] = {}

    async def scenario(pilot) -> None:
        await until(pilot, lambda: len(synth.sent) > 60)
        await pilot.press("2")
        app.screen.query_one(
            "#parameter", Select
        ).value = "volume"  # the left hand's volume control
        await pilot.pause(0.2)
        field = app.screen.query_one("#input", Input)
        assert field.value == "-1.2,1.5"
        field.value = "5,6"  # a range no wrist reaches: the softest level, always
        field.focus()
        await pilot.press("enter")
        marks["changed"] = len(synth.sent)
        await until(pilot, lambda: len(synth.sent) > marks["changed"] + 60)

    run_app(app, scenario)
    before = {round(c.voices[0].amp, 3) for c in synth.sent[: marks["changed"]]}
    after = {
        round(c.voices[0].amp, 3) for c in synth.sent[marks["changed"] + 5 :] if c.voices[0].present
    }
    assert len(before) > 5 and after == {round(0.3 * 0.9, 3)}
    assert live.state.preset is not None and live.state.preset.voices[0].volume is not None
    assert live.state.preset.voices[0].volume.input == (5.0, 6.0)


def test_space_mutes_the_synth_output_from_any_screen(jack_server):
    synth = SynthProcess(find_preset("theremin"), "jack").start()
    try:
        live = live_on(synth=synth, preset="theremin")
        app = MotionMusicApp(live)

        def level() -> float:
            return 20 * float(np.log10(synth.peak + 1e-12))

        async def scenario(pilot) -> None:
            await until(pilot, lambda: level() > -30)
            await pilot.press("2")
            app.screen.query_one("#root", Input).focus()  # typing in a field: space still mutes
            await pilot.press("space")
            beats = synth.heartbeat
            await until(pilot, lambda: synth.heartbeat >= beats + 4, timeout=2)
            levels = []
            for _ in range(50):
                levels.append(level())
                await pilot.pause(0.005)
            assert max(levels) < -60
            assert live.state.muted and app.screen.query_one("#root", Input).value == "C3"
            assert "MUTED" in str(app.screen.query_one("#muted-banner", Static).content)
            await pilot.press("space")
            await until(pilot, lambda: level() > -30, timeout=3)

        run_app(app, scenario)
    finally:
        synth.release()


def _stall_the_server_once() -> None:
    """A JACK client that misses one cycle on purpose: a real dropout, server-wide."""
    import jack

    client = jack.Client("motionmusic-stall", no_start_server=True)
    stalled: list[bool] = []

    def process(frames: int) -> None:
        if not stalled:
            stalled.append(True)
            time.sleep(0.03)  # over five 5.3 ms cycles

    client.set_process_callback(process)
    client.activate()
    time.sleep(0.3)
    client.deactivate()
    client.close()


def test_with_the_ui_up_the_synth_drops_nothing_and_late_counts_real_xruns(jack_server):
    """20 s of the theremin on a real-time JACK server with the terminal UI up and switching
    screens: the synth misses no cycle, and the screen's "late" counts JACK's own xruns (it stood
    still here while timer jitter made the old count rise), and rises when a cycle is lost."""
    synth = SynthProcess(find_preset("theremin"), "jack").start()
    try:
        live = live_on(synth=synth, preset="theremin")
        app = MotionMusicApp(live)

        def late() -> int:
            audio = live.state.audio
            assert audio is not None
            return int(audio.late_buffers)

        def logged() -> int:
            text: str = jack_server.log.read_text()
            return text.count("Process XRun") + text.count("was not finished")

        async def scenario(pilot) -> None:
            await until(pilot, lambda: synth.heartbeat > 400)
            await pilot.pause(2.0)  # a new client's first cycles may run late
            caused, stalls, counted, seen = (
                jack_server.client_xruns(),
                jack_server.stalls(),
                late(),
                logged(),
            )
            for screen in "2131" * 5:
                await pilot.press(screen)
                await pilot.pause(1.0)
            caused = jack_server.client_xruns() - caused
            # a VM pause (the driver itself over 1 ms late) proves nothing either way
            assert caused == 0 or jack_server.stalls() > stalls, f"{caused} caused by the synth"
            assert late() - counted <= logged() - seen  # nothing that JACK did not see
            before = late()
            _stall_the_server_once()
            await until(pilot, lambda: late() > before, timeout=5)
            assert "late" in str(app.screen.query_one("#status", Static).content)

        run_app(app, scenario)
    finally:
        synth.release()


def test_calibration_through_the_ui_stores_the_range(tmp_path: Path):
    profile = clients.create("C5", "arm-raise-pentatonic")
    script = segments((3.0, 14, 14), (1.0, 14, 96), (4.0, 96, 96))
    trace = arm_trace(tmp_path / "cal.mmtrace", script, noise=1.0)
    live = live_on(trace, profile=profile)
    app = MotionMusicApp(live)

    async def scenario(pilot) -> None:
        await pilot.press("4")
        screen = app.screen
        assert isinstance(screen, CalibrateScreen)
        screen.prepare_s, screen.hold_s = 0.8, 2.0
        await until(pilot, lambda: app.state.frame >= 0)
        await until(pilot, lambda: app.state.frame < 5, timeout=10)  # the loop restarted
        await pilot.press("s")
        await until(pilot, lambda: screen.result is not None, timeout=15)
        assert "rest" in str(screen.query_one("#calibration", Static).content)
        assert clients.load("C5").setting(FLEX).range is None  # nothing saved before asked
        await pilot.press("y")

    run_app(app, scenario)
    found = clients.load("C5").setting(FLEX).range
    assert found is not None
    assert found.rest == pytest.approx(14, abs=2) and found.reach == pytest.approx(96, abs=2)


def test_targets_presets_clients_and_help_keys():
    client_with_target("C017")
    live = live_on()
    app = MotionMusicApp(live)

    async def scenario(pilot) -> None:
        await pilot.press("6", "n")
        for key in "C23":
            await pilot.press(key)
        await pilot.press("enter")
        await until(pilot, lambda: live.state.client == "C23")
        await pilot.press("3", "t", "9", "5", "enter")
        await until(pilot, lambda: clients.load("C23").setting(FLEX).target == 95)
        await pilot.press("s", "1", "3", "0", "enter")
        await until(pilot, lambda: clients.load("C23").setting(FLEX).stretch == 130)
        assert "130" in str(app.screen.query_one(DataTable).get_row(FLEX))
        await pilot.press("5", "down", "enter")  # the preset after arm-raise-pentatonic
        await until(pilot, lambda: playing(live) == "blink-switch")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one("Static", Static).content)
        for binding in MotionMusicApp.BINDINGS:
            assert isinstance(binding, Binding) and f"[{binding.id}]" in help_text
        await pilot.press("escape", "1")
        assert isinstance(app.screen, SessionScreen)
        assert "client C23" in str(app.screen.query_one("#title", Static).content)

    run_app(app, scenario)
    assert live.state.targets  # the new target plays its reward


def test_the_stop_key_silences_and_saves_the_session():
    client_with_target("C017")
    synth = RecordingSynth()
    live = live_on(synth=synth, profile=clients.load("C017"))
    app = MotionMusicApp(live)

    async def scenario(pilot) -> None:
        await until(pilot, lambda: len(synth.sent) > 45)
        await pilot.press("x")
        assert synth.muted and not live.engine.running
        await pilot.press("q")

    run_app(app, scenario)
    logs = clients.sessions("C017")
    assert len(logs) == 1 and logs[0].with_suffix(".summary.json").is_file()
    assert not any(v.present for v in synth.sent[-1].voices)  # the last thing sent: silence


def test_a_keymap_moves_a_binding_by_its_id(tmp_path):
    from motionmusic.tui.app import load_keymap

    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keymap]\nmute = "f9"\n')
    synth = RecordingSynth()
    app = MotionMusicApp(live_on(synth=synth), keymap=load_keymap(keymap))

    async def scenario(pilot) -> None:
        await pilot.press("space")
        assert not synth.muted  # space no longer mutes ...
        await pilot.press("f9")
        assert synth.muted  # ... f9 does

    run_app(app, scenario)


def test_a_flooded_ui_drops_updates_the_engine_keeps_its_rate(monkeypatch):
    live = live_on(state_hz=1000.0)  # a state for every frame
    app = MotionMusicApp(live)
    real = SessionScreen.update_state

    def slow(self, state) -> None:
        time.sleep(0.1)  # a very slow terminal: 10 screens a second at most
        real(self, state)

    monkeypatch.setattr(SessionScreen, "update_state", slow)
    measured: dict[str, float] = {}

    async def scenario(pilot) -> None:
        await until(pilot, lambda: live.engine.frames > 10)
        frames, started = live.engine.frames, time.monotonic()
        await pilot.pause(4.0)
        measured["fps"] = (live.engine.frames - frames) / (time.monotonic() - started)
        measured["shown"] = app.updates

    run_app(app, scenario)
    print(
        f"engine {measured['fps']:.1f} fps, UI showed {measured['shown']} of {live.engine.frames}"
    )
    assert measured["fps"] > 27  # the trace's 30 fps, kept
    assert measured["shown"] < live.engine.frames / 2  # the UI showed only the newest states


def marked(token: bytes) -> list[int]:
    """Processes whose environment holds `token`."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if token in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


class Terminal:
    """`motionmusic ARGS` in a real terminal (tmux): read the screen, press keys, check it ended
    cleanly with every process it started (the synth included) gone."""

    def __init__(
        self,
        name: str,
        args: str,
        tmp_path: Path,
        size: tuple[int, int],
        env: dict[str, str] | None = None,
    ) -> None:
        import os
        import sys

        assert shutil.which("tmux"), "tmux runs the UI in a real terminal: apt-get install tmux"
        names = ("JACK_DEFAULT_SERVER", "MOTIONMUSIC_HOME", "MOTIONMUSIC_MODEL", "PULSE_SERVER")
        given = {n: os.environ[n] for n in names if n in os.environ} | (env or {})
        keep = " ".join(f"{n}={shlex.quote(v)}" for n, v in given.items())
        # (a tmux server started earlier would not pass this process's environment on)
        self.name, self.token, self.rc = name, f"MM_TUI_TEST={os.getpid()}-{name}", tmp_path / "rc"
        command = (
            f"env {keep} {self.token} {sys.executable} -m motionmusic {args};"
            f" echo exit=$? > {self.rc}"
        )
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
        width, height = size
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command],
            check=True, env={**os.environ, "TERM": "xterm-256color"},
        )  # fmt: skip

    def wait_for(self, text: str, timeout: float = 60) -> str:
        screen, deadline = "", time.monotonic() + timeout
        while text not in screen and time.monotonic() < deadline:
            time.sleep(0.3)
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
            ).stdout
        assert text in screen, screen
        return screen

    def end_with(self, key: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
        self._ended_cleanly()

    def end_by(self, signum: int) -> None:
        """Send `signum` to the app's process, as a service manager or a closed SSH does."""
        import os

        (app,) = [pid for pid in marked(self.token.encode()) if _is_app(pid)]
        os.kill(app, signum)
        self._ended_cleanly()

    def _ended_cleanly(self) -> None:
        deadline = time.monotonic() + 20
        while not self.rc.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert self.rc.read_text().strip() == "exit=0"
        time.sleep(0.5)
        assert not marked(self.token.encode()), "processes left behind"

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def _is_app(pid: int) -> bool:
    """The motionmusic process itself: not the shell around it, not its synth process."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return (
        b"motionmusic" in command and b"-m" in command and b"spawn_main" not in b" ".join(command)
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [("demo", "demo: replaying"), ("", "no camera found: showing the bundled demo")],
    ids=["demo", "no-arguments"],
)
def test_demo_in_a_terminal_shows_the_session_and_quits_on_q(jack_server, tmp_path, args, says):
    terminal = Terminal("mm-demo-test", args, tmp_path, (80, 24))
    try:
        screen = terminal.wait_for("audio jack ok")
        assert "preset arm-raise-pentatonic" in screen and "client tracked" in screen, screen
        assert says in screen, screen
        terminal.end_with("q")
    finally:
        terminal.close()


@pytest.mark.parametrize("how", ["C-c", signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_client_session_in_the_ui_is_saved_when_ctrl_c_ends_it(jack_server, tmp_path, how):
    """`run --client` opens the UI; Ctrl-C quits like q: fades out, stops the synth process,
    finishes the session log. So does SIGTERM (a service stop), and it exits 0, not 1."""
    clients.create("C44", "arm-raise-pentatonic")
    trace = arm_trace(tmp_path / "t.mmtrace", np.tile(segments((1, 15, 15), (1, 15, 120)), 20))
    args = f"run --client C44 --audio jack --source {trace}"
    terminal = Terminal("mm-run-test", args, tmp_path, (100, 30))
    try:
        screen = terminal.wait_for("● REC 00:03")
        assert "client C44" in screen and "audio jack ok" in screen, screen
        terminal.end_with(how) if isinstance(how, str) else terminal.end_by(how)
    finally:
        terminal.close()
    logs = clients.sessions("C44")
    assert len(logs) == 1 and logs[0].with_suffix(".summary.json").is_file()
    assert len(read_trace(logs[0])) > 60  # three seconds and more were logged


def test_demo_with_a_client_display_shows_its_url_and_d_says_it_again(jack_server, tmp_path):
    """`demo --display PORT`: the page is served while the UI runs, its URL is on the screen and
    `d` shows it again; after q nothing listens on the port any more."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    terminal = Terminal("mm-display-test", f"demo --display {port}", tmp_path, (120, 30))
    try:
        terminal.wait_for(f"client display: {url}")
        assert urllib.request.urlopen(url, timeout=5).status == 200
        subprocess.run(["tmux", "send-keys", "-t", terminal.name, "d"], check=True)
        terminal.wait_for("no desktop here")  # nothing to open it on: said, not opened
        terminal.end_with("q")
    finally:
        terminal.close()
    with pytest.raises(ConnectionRefusedError):  # nothing listens: the server went with the app
        socket.create_connection(("127.0.0.1", port), timeout=2)
