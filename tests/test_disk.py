"""The disk fills while a session is logged: the music goes on, one clear message, the log is
closed cleanly and reads back, and the profile is never truncated.

The user data directory is put on a 192 kB tmpfs (the tests run as root, as CI does), about
a hundred frames of session log.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import read_trace
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.recorder import SessionRecorder
from motionmusic.runtime.tracker import Tracker
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset
from tests.test_realtime import looped_trace
from tests.tui_support import RecordingSynth


@pytest.fixture
def small_disk(isolated_home: Path) -> Iterator[Path]:
    data = isolated_home / "data"
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=192k,mode=0700", "tmpfs", str(data)],
        capture_output=True, text=True,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.fail(f"a small tmpfs is needed (run as root): {mounted.stderr.strip()}")
    try:
        yield data
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)


def test_a_full_disk_stops_the_log_not_the_music(small_disk, tmp_path):
    preset = find_preset("theremin")
    profile = clients.create("D1", "theremin")
    before = (clients.client_dir("D1") / "profile.toml").read_bytes()
    loaded = read_trace(looped_trace(tmp_path / "long.mmtrace", 10))  # 1200 frames, 40 s
    source = TraceSource(loaded, realtime=False)
    problems: list[str] = []
    recorder = SessionRecorder(source.info, on_problem=problems.append)
    synth = RecordingSynth()
    engine = Engine(
        Tracker.for_preset(source, TracePoses(loaded), preset),
        Instrument(preset, synth, profile),
        recorder=recorder,
    )
    recorder.start(profile, preset, 0)
    engine.run()
    recorder.close()
    assert engine.error is None and engine.frames == len(loaded)  # played to the end
    assert len(synth.sent) >= len(loaded)  # the synth got every frame (and the fade at the end)
    assert len(problems) == 1 and "cannot write the session log" in problems[0], problems
    assert "music goes on" in problems[0]
    (log,) = clients.sessions("D1")
    kept = read_trace(log)  # closed cleanly: it reads back
    assert 20 < len(kept) < len(loaded)
    assert (clients.client_dir("D1") / "profile.toml").read_bytes() == before
    with pytest.raises(MotionMusicError, match="cannot save profile"):
        clients.save(profile.model_copy(update={"notes": "x" * 300_000}))
    assert (clients.client_dir("D1") / "profile.toml").read_bytes() == before  # never truncated
