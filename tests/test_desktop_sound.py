"""Sound on an ordinary laptop: no JACK, a desktop's sound server (PulseAudio, as Debian and
older Ubuntus run it; PipeWire answers the same ALSA `pulse` device). The synth plays through
the system's ALSA library (pyo's own cannot load the sound server's plugin), `--audio auto`
finds it, the screen says so, and the sound comes back by itself when the server restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from motionmusic.adapters import sound_server as stream_latency
from motionmusic.adapters import synth_pyo
from motionmusic.adapters.synth_process import SynthProcess
from motionmusic.core import channel
from motionmusic.core.controls import Controls, VoiceControls
from motionmusic.runtime.sources import bundled_trace
from motionmusic.store.preset_library import find_preset
from tests.lag import heard_pitch
from tests.sound_server import SoundServer, loudest_db
from tests.test_cli import mm
from tests.test_realtime import looped_trace
from tests.test_tui import Terminal, marked

NO_JACK = {"JACK_DEFAULT_SERVER": "no-such-server"}  # a laptop without a JACK server
HEARD_DB = -40.0  # the theremin plays at -20 to -10 dBFS; the null sink's silence is -inf


def test_audio_devices_lists_the_sound_servers_outputs_and_the_libraries_in_use(sound_server):
    listed = mm("audio-devices")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("audio libraries: ALSA system /")  # not pyo's bundled copy
    assert {line.split("\t")[1] for line in lines[1:]} >= {"pulse", "default"}


def test_the_demo_in_a_terminal_says_it_plays_through_the_sound_server(sound_server, tmp_path):
    terminal = Terminal("mm-desktop-demo", "demo", tmp_path, (100, 30), env=NO_JACK)
    try:
        terminal.wait_for("audio portaudio ok · default output via system ALSA")
        assert loudest_db(sound_server.record(1.5, tmp_path / "demo.wav")) > HEARD_DB
        terminal.end_with("q")
    finally:
        terminal.close()


def best_match(live: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Slide the live pitch along the reference (5 ms steps): the best correlation, and at it
    the median difference in semitones."""
    best = (-1.0, np.inf)
    for k in range(0, len(reference) - len(live), 2):
        part = reference[k : k + len(live)]
        ok = ~np.isnan(part) & ~np.isnan(live)
        if ok.sum() < len(live) // 2:
            continue
        c = float(np.corrcoef(part[ok], live[ok])[0, 1])
        if c > best[0]:
            best = (c, float(np.median(np.abs(part[ok] - live[ok]))))
    return best


def test_the_theremin_through_the_sound_server_follows_the_arm(sound_server, tmp_path):
    """`run` in a real terminal with no JACK: auto plays through the desktop's default output and
    says so; what the sink played, recorded from its monitor, glides as the offline render of
    the same movement does."""
    trace = looped_trace(tmp_path / "dance.mmtrace", 6)  # 24 s: the dancer's arms rise and fall
    reference = tmp_path / "reference.wav"
    rendered = mm("render", str(trace), "--preset", "theremin", "--out", str(reference))
    assert rendered.returncode == 0, rendered.stderr
    args = f"run --preset theremin --source {trace}"
    terminal = Terminal("mm-desktop-test", args, tmp_path, (120, 30), env=NO_JACK)
    try:
        screen = terminal.wait_for("audio portaudio ok · default output via system ALSA")
        assert "latency" in screen, screen
        time.sleep(1.0)
        live = sound_server.record(8.0, tmp_path / "live.wav")
        terminal.end_with("q")
    finally:
        terminal.close()
    assert loudest_db(live) > HEARD_DB
    _, heard = heard_pitch(tmp_path / "live.wav")
    _, wanted = heard_pitch(reference)
    assert np.nanmax(heard) - np.nanmin(heard) > 6  # the arm moved: the pitch did
    correlation, off = best_match(heard, wanted)
    assert correlation > 0.9 and off < 0.5, (correlation, off)  # the same glide, in tune


def test_the_sound_comes_back_by_itself_when_the_sound_server_restarts(
    sound_server: SoundServer, tmp_path: Path
) -> None:
    trace = looped_trace(tmp_path / "dance.mmtrace", 10)
    command = [sys.executable, "-m", "motionmusic", "run", "--no-ui", "--preset", "theremin",
               "--source", str(trace)]  # fmt: skip
    token = f"MM_DESKTOP_TEST={os.getpid()}"
    env = {**os.environ, **NO_JACK, token.split("=")[0]: token.split("=")[1]}
    run = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        time.sleep(4.0)
        assert loudest_db(sound_server.record(2.0, tmp_path / "before.wav")) > HEARD_DB
        sound_server.kill()  # as a crash, or a user restarting it, does
        time.sleep(2.0)
        sound_server.start()
        back = None
        started = time.monotonic()
        for i in range(8):
            if loudest_db(sound_server.record(1.0, tmp_path / f"after{i}.wav")) > HEARD_DB:
                back = time.monotonic() - started
                break
        assert back is not None, "the sound never came back"
        assert back < 6.0  # retried every second: back within a few of the server
        run.send_signal(signal.SIGTERM)  # a service stop: ends as Ctrl-C does, cleanly
        said, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, said
    time.sleep(0.5)
    assert not marked(token.encode()), "processes left behind"  # the synth went with it
    assert "no sound:" in said and "sound back" in said, said


def test_with_no_sound_server_and_no_jack_the_session_goes_on_and_says_no_audio_output():
    """auto on a machine with nothing to play through: said once, and the session plays on
    (tracked, logged, MIDI if asked for) until its source ends."""
    nowhere = {**NO_JACK, "PULSE_SERVER": "unix:/nonexistent/native"}
    ran = mm(
        "run", "--no-ui", "--preset", "theremin", "--source", str(bundled_trace()), env=nowhere
    )
    assert ran.returncode == 0, ran.stderr
    assert "NO AUDIO OUTPUT found" in ran.stdout and "played 120 frames (ended)" in ran.stdout


LISTING = """Sink Input #3
\tDriver: protocol-native.c
\tBuffer Latency: 8000 usec
\tSink Latency: 1000 usec
\tProperties:
\t\tapplication.process.id = "41"

Sink Input #7
\tDriver: protocol-native.c
\tBuffer Latency: 10687 usec
\tSink Latency: 2865 usec
\tProperties:
\t\tapplication.process.id = "4083"
"""


def test_the_sound_servers_latency_is_read_for_the_synths_own_stream():
    assert stream_latency.parse(LISTING, 4083) == pytest.approx(0.013552)
    assert stream_latency.parse(LISTING, 41) == pytest.approx(0.009)
    assert stream_latency.parse(LISTING, 5) is None  # another process's streams are not ours


def test_the_latency_shown_for_portaudio_is_what_the_sound_server_reports(
    sound_server, monkeypatch
):
    for name, value in NO_JACK.items():  # with JACK up, ALSA's default is not the sound server
        monkeypatch.setenv(name, value)
    synth = SynthProcess(find_preset("theremin"), "portaudio").start()
    try:
        for _ in range(30):  # a second of frames
            now = time.monotonic_ns()
            synth.send(Controls(now, (VoiceControls(440.0, 0.5, 0.5, 0.5, True),)), now)
            time.sleep(1 / 30)
        server, reported = _latencies_settled(synth)
        shown = synth.status()
    finally:
        synth.release()
    assert server is not None and server > 0.005  # the server holds several milliseconds
    assert reported == pytest.approx(max(server, 256 / 48000), abs=0.004)
    assert shown.route == "default output via system ALSA"
    assert shown.latency_ms >= reported * 1000  # frame → sound: the output's part included
    assert shown.late_buffers == 0  # the server's uneven callbacks are no dropouts


def _latencies_settled(synth: SynthProcess) -> tuple[float | None, float]:
    """The server's latency for the synth's stream and the synth's own report of it, once they
    agree or after three of the synth's re-reads: the server may grow its buffer after an
    underrun under load, and the synth then says so at its next re-read, not at once."""
    deadline = time.monotonic() + 3 * synth_pyo.LATENCY_EVERY_S + 1.0
    while True:
        server = stream_latency.stream_latency_s(synth.process.pid)
        reported = float(synth.array[channel.LATENCY])
        agree = server is not None and abs(reported - max(server, 256 / 48000)) <= 0.004
        if agree or time.monotonic() > deadline:
            return server, reported
        time.sleep(0.25)
