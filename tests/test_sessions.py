"""Clients, session logs and reports as the therapist uses them from the command line."""

from __future__ import annotations

import base64
import csv
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import psutil
import pytest
import soundfile

from motionmusic.adapters.synth_process import SynthProcess
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.summary import summarise
from motionmusic.core.trace import TraceHeader, TraceWriter, read_trace
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset
from motionmusic.store.report import COLUMNS, LOW, POINT
from tests.motion import FPS, arm_trace, segments
from tests.pictures import read_image
from tests.test_cli import assert_clean_error, mm

FLEX = "right_shoulder_flexion"
ROOT = Path(__file__).parent.parent


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def reaches(n: int, top: float = 100.0, absent: float = 0.0) -> np.ndarray:
    """`n` raises of the right arm from 15° to `top` and back; `absent`: fraction untracked."""
    one = segments((0.5, 15, 15), (1.0, 15, top), (0.5, top, top), (1.0, top, 15))
    script = np.tile(one, n)
    if absent:
        script[: int(len(script) * absent)] = np.nan
    return script


@pytest.fixture
def client(isolated_home: Path) -> str:
    assert (
        mm(
            "clients", "add", "K7", "--preset", "arm-raise-pentatonic", "--notes", "Jane Doe"
        ).returncode
        == 0
    )
    assert mm("clients", "set", "K7", f"--target={FLEX}=90").returncode == 0
    return "K7"


def test_profiles_are_private_and_a_save_keeps_the_previous_version(client: str):
    folder = clients.client_dir(client)
    profile = clients.load(client)
    assert profile.setting(FLEX).target == 90
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert mode(folder / "profile.toml") == 0o600
    assert "target = 90" not in (folder / "profile.prev.toml").read_text()  # the version before
    assert mode(folder / "profile.prev.toml") == 0o600


def test_calibrate_from_the_command_line_saves_the_range(client: str, tmp_path: Path):
    script = segments((3.0, 12, 12), (1.0, 12, 88), (4.0, 88, 88))
    trace = arm_trace(tmp_path / "cal.mmtrace", script, noise=1.0)
    result = mm(
        "calibrate",
        "--client",
        client,
        "--source",
        str(trace),
        "--angle",
        FLEX,
        "--prepare",
        "1",
        "--hold",
        "2",
    )
    assert result.returncode == 0, result.stderr
    found = clients.load(client).setting(FLEX).range
    assert found is not None
    assert found.rest == pytest.approx(12, abs=2) and found.reach == pytest.approx(88, abs=2)
    assert clients.load(client).setting(FLEX).target == 90  # the rest of the profile kept


def test_calibration_that_cannot_finish_changes_nothing(client: str, tmp_path: Path):
    trace = arm_trace(tmp_path / "short.mmtrace", segments((2.0, 12, 12)))
    before = (clients.client_dir(client) / "profile.toml").read_bytes()
    result = mm("calibrate", "--client", client, "--source", str(trace), "--angle", FLEX)
    assert_clean_error(result, "ended before calibration finished", "unchanged")
    assert (clients.client_dir(client) / "profile.toml").read_bytes() == before


def test_a_session_log_survives_kill_9_losing_at_most_a_second(client, jack_server, tmp_path):
    trace = arm_trace(tmp_path / "long.mmtrace", reaches(12))
    command = [
        sys.executable,
        "-m",
        "motionmusic",
        "run",
        "--no-ui",
        "--client",
        client,
        "--source",
        str(trace),
        "--audio",
        "jack",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        logs: list[Path] = []
        while time.monotonic() < deadline and not (logs and len(read_trace(logs[0])) > 30):
            time.sleep(0.1)
            logs = clients.sessions(client)
        ended = process.poll() is not None and process.stderr is not None
        assert logs, process.stderr.read().decode() if ended and process.stderr else "no log"
        first = read_trace(logs[0])
        seen_at, seen_t = time.monotonic(), first.records["t_ns"][-1] / 1e9
        time.sleep(3.0)
        killed_at = time.monotonic()
        os.killpg(process.pid, signal.SIGKILL)  # the whole session: loop and synth process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log = read_trace(logs[0])
    played = seen_t + (killed_at - seen_at)  # movement time played when the kill came
    lost = played - log.records["t_ns"][-1] / 1e9
    assert lost <= 1.0 + 0.2, f"lost {lost:.2f} s"  # flushed each second (+ scheduling slack)
    assert mode(logs[0]) == 0o600 and mode(logs[0].parent) == 0o700
    # nothing was left to free the synth's shared memory; the next session frees it
    orphans = list(Path("/dev/shm").glob(f"motionmusic_{process.pid}_*"))
    assert orphans, "the killed session's shared memory was expected to be left"
    SynthProcess(find_preset("theremin"), "jack").close()
    assert not any(path.exists() for path in orphans)
    report = mm("report", "--client", client, "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report" / "report.html").is_file()


def play_offline(client: str, trace: Path, wav: Path) -> None:
    """A client's session as `run --client --audio offline` logs it."""
    result = mm("run", "--client", client, "--source", str(trace), "--audio", "offline",
                "--out", str(wav))  # fmt: skip
    assert result.returncode == 0, result.stderr


def make_session(client: str, tmp_path: Path, day: int, script: np.ndarray) -> Path:
    """A session as `run --client --audio offline` logs it, dated `day` days into 2026."""
    trace = arm_trace(tmp_path / f"day{day}.mmtrace", script)
    play_offline(client, trace, tmp_path / f"day{day}.wav")
    log = clients.sessions(client)[-1]
    renamed = log.with_name(f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}.mmtrace")
    log.rename(renamed)
    raw = renamed.read_bytes()  # re-date the session (its header's start time)
    found = re.search(rb'"started": "([^"]+)"', raw)
    assert found is not None
    stamp = found.group(1)
    new = f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}T10:00:00+00:00".encode()
    renamed.write_bytes(raw.replace(stamp, new.ljust(len(stamp))[: len(stamp)]))
    return renamed


def blobs(png: Path, colour: str) -> int:
    image = read_image(png)[:, :, ::-1].astype(int)
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    mask = (np.abs(image - rgb).sum(axis=2) < 40).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    return int((stats[1:, cv2.CC_STAT_AREA] >= 12).sum())


def test_report_plots_every_session_and_names_only_the_client_id(client, tmp_path):
    make_session(client, tmp_path, 0, reaches(2, top=85))
    make_session(client, tmp_path, 7, reaches(3, top=100))
    make_session(client, tmp_path, 14, reaches(3, top=110, absent=0.45))  # poorly tracked
    make_session(client, tmp_path, 21, reaches(4, top=115))
    out = tmp_path / "report"
    result = mm("report", "--client", client, "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = (out / "report.html").read_text()
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert f"rom-{FLEX}.png" in pngs and "practice.png" in pngs
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(embedded) == len(pngs)
    assert {base64.b64decode(e)[:8] for e in embedded} == {b"\x89PNG\r\n\x1a\n"}
    assert "K7" in page and "Jane Doe" not in page  # the pseudonym, never the notes
    assert "camera estimate" in page and "10°" in page
    plot = out / f"rom-{FLEX}.png"
    assert read_image(plot).shape[:2] == (400, 800)
    # one marker per session (+ the legend's sample of each kind): 3 well tracked, 1 not
    assert blobs(plot, POINT) == 3 + 1
    assert blobs(plot, LOW) == 1 + 1
    rows = list(csv.DictReader((out / "sessions.csv").open()))
    assert list(rows[0]) == list(COLUMNS)
    readme = (ROOT / "README.md").read_text()
    assert all(f"`{column}`" in readme for column in COLUMNS)  # every column documented
    flex = [r for r in rows if r["angle"] == FLEX]
    # the first never reached 90°; the third lost its first 45% (4 s) to tracking: 2 of 3 reps left
    assert [int(r["reps"]) for r in flex] == [0, 3, 2, 4]
    assert [float(r["peak"]) for r in flex] == pytest.approx([85, 100, 110, 115], abs=1.5)
    assert [r["low_confidence"] for r in flex] == ["0", "0", "1", "0"]
    assert mode(out / "report.html") == 0o600


def test_reaching_the_target_plays_the_reward(client, tmp_path):
    script = segments((1.0, 15, 15), (0.5, 15, 110), (2.0, 110, 110), (0.5, 110, 15))
    trace = arm_trace(tmp_path / "reach.mmtrace", script)
    mm("clients", "add", "K8", "--preset", "arm-raise-pentatonic")  # same preset, no target
    for who in (client, "K8"):
        play_offline(who, trace, tmp_path / f"{who}.wav")
    rewarded, plain = (soundfile.read(tmp_path / f"{w}.wav")[0][:, 0] for w in (client, "K8"))
    rate = 48000
    extra = rewarded - plain
    before = extra[: int(1.2 * rate)]
    during = extra[int(2.0 * rate) : int(3.5 * rate)]
    assert np.sqrt(np.mean(before**2)) < 1e-4  # identical until the target is reached
    assert 20 * np.log10(np.sqrt(np.mean(during**2))) > -40  # then a chord joins in


def test_replay_plays_a_session_through_another_preset(client, tmp_path):
    log = make_session(client, tmp_path, 3, reaches(2))
    result = mm("replay", str(log), "--preset", "theremin", "--out", str(tmp_path / "t.wav"))
    assert result.returncode == 0, result.stderr
    audio, rate = soundfile.read(tmp_path / "t.wav")
    assert len(audio) / rate == pytest.approx(len(read_trace(log)) / FPS, abs=1.5)
    replays = [p for p in clients.sessions(client) if summarise(read_trace(p)).kind == "replay"]
    assert len(replays) == 1  # logged as a replay; the report leaves it out


def test_bad_input_is_one_line_and_changes_nothing(client, tmp_path):
    assert_clean_error(mm("report", "--client", "nobody"), "unknown client", "nobody")
    assert_clean_error(
        mm("run", "--client", "nobody", "--audio", "offline", "--out", str(tmp_path / "x.wav")),
        "unknown client",
    )
    assert_clean_error(mm("clients", "add", "../etc"), "invalid client id")
    assert_clean_error(
        mm("report", "--client", client, "--out", str(tmp_path / "r")), "no usable sessions"
    )
    assert not (tmp_path / "r").exists()
    empty = tmp_path / "empty.mmtrace"
    TraceWriter(empty, TraceHeader((640, 480), 30.0, "x")).close()
    assert_clean_error(mm("summary", str(empty)), "empty session")
    nobody = arm_trace(tmp_path / "nobody.mmtrace", np.full(30, np.nan))
    assert_clean_error(mm("summary", str(nobody)), "no person was tracked")
    assert_clean_error(mm("summary", str(tmp_path / "gone.mmtrace")), "no such session")
    path = clients.client_dir(client) / "profile.toml"
    path.write_text(path.read_text().replace("target = 90.0", 'target = "high"'))
    corrupt = path.read_bytes()
    for args in (
        ("clients", "set", client, "--notes", "x"),
        ("report", "--client", client),
        ("clients", "show", client),
    ):
        assert_clean_error(mm(*args), "profile.toml", "target")
    assert path.read_bytes() == corrupt  # reported, not overwritten


def headless_run(client: str, trace: Path) -> subprocess.Popen[bytes]:
    """`run --no-ui --client` on JACK, waited for until its synth process is up and logging."""
    command = [sys.executable, "-m", "motionmusic", "run", "--no-ui", "--client", client,
               "--source", str(trace), "--audio", "jack"]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while not (clients.sessions(client) and psutil.Process(process.pid).children()):
        assert time.monotonic() < deadline and process.poll() is None, "the run did not start"
        time.sleep(0.1)
    return process


def synth_processes(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    found = []
    for child in psutil.Process(process.pid).children(recursive=True):
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:  # a killed synth not yet reaped, or gone
            continue
    return found


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_no_process_is_left_playing_after_a_kill(jack_server, client, tmp_path, how):
    """SIGTERM, and SIGHUP (the terminal closed over SSH), end the run as Ctrl-C does (summary
    saved); even SIGKILL of the loop's process leaves no synth process behind: it notices its
    parent is gone, fades out and exits."""
    process = headless_run(client, arm_trace(tmp_path / "long.mmtrace", reaches(12)))
    synths = synth_processes(process)
    assert synths, "the synth runs in its own process"
    time.sleep(1.5)
    process.send_signal(how)
    assert process.wait(timeout=15) == (-signal.SIGKILL if how == signal.SIGKILL else 0)
    _gone, alive = psutil.wait_procs(synths, timeout=5)
    assert alive == []
    (log,) = clients.sessions(client)
    summary = log.with_suffix(".summary.json")
    assert summary.is_file() == (how != signal.SIGKILL)  # SIGKILL: the log stays, summary later
    assert len(read_trace(log)) > 30


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_while_the_sound_server_is_gone_is_clean(client, tmp_path, monkeypatch, how):
    """The JACK server died and the synth is being restarted every second when the terminal is
    closed: the run still ends within seconds with its summary saved, and no synth is left."""
    from tests.conftest import JackServer

    monkeypatch.setenv("JACK_DEFAULT_SERVER", "motionmusic-victim")  # restored afterwards
    server = JackServer(tmp_path / "victim.log", name="motionmusic-victim")
    process = headless_run(client, arm_trace(tmp_path / "long.mmtrace", reaches(12)))
    seen = set(synth_processes(process))
    time.sleep(1.0)
    server.process.kill()
    server.process.wait()  # reaped: nothing answers under that name any more
    for _ in range(25):  # the silence is noticed and restarts are tried meanwhile
        seen |= set(synth_processes(process))
        time.sleep(0.1)
    asked = time.monotonic()
    process.send_signal(how)
    assert process.wait(timeout=15) == 0
    assert time.monotonic() - asked < 5.0
    _gone, alive = psutil.wait_procs(list(seen), timeout=5)
    assert alive == []
    (log,) = clients.sessions(client)
    assert log.with_suffix(".summary.json").is_file()
    assert len(read_trace(log)) > 60  # logged through the silence


def test_a_second_motionmusic_on_the_same_client_is_refused(jack_server, client, tmp_path):
    """Never two writers on one client's logs: the second run is one clear line, the first
    goes on, and once it ends the client can be logged again (even after a kill -9)."""
    trace = arm_trace(tmp_path / "long.mmtrace", reaches(12))
    first = headless_run(client, trace)
    second = mm("run", "--no-ui", "--client", client, "--source", str(trace), "--audio", "jack")
    assert_clean_error(second, f"client {client}", "another motionmusic", str(first.pid))
    assert first.poll() is None  # the first plays on
    time.sleep(1.5)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=15)
    (log,) = clients.sessions(client)
    assert len(read_trace(log)) > 30  # logging went on (a kill -9 loses the last second)
    lock = clients.SessionLock(client)  # the kernel dropped the dead run's lock
    with pytest.raises(MotionMusicError, match="another motionmusic"):
        clients.SessionLock(client)  # and a held one refuses, in one process too
    lock.release()
