"""Traces: written live, read back, replayed through the same chain."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from skeleton import arm_direction, pose_of, skeleton

from motionmusic.core.angles import Angles, measure_all
from motionmusic.core.clock import FakeClock
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.filters import AngleFilter, OneEuroSettings
from motionmusic.core.protocols import SourceStatus
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import TraceHeader, TraceWriter, read_trace
from motionmusic.runtime.engine import track_all
from motionmusic.runtime.sources import BUNDLED, bundled_trace
from motionmusic.runtime.tracker import Tracker

NO_FILTER = OneEuroSettings(enabled=False)


def _write(path: Path, n: int = 30, gap: range = range(0)) -> list[Angles]:
    writer = TraceWriter(path, TraceHeader((1280, 720), 30.0, "synthetic"))
    written = []
    for i in range(n):
        t = 5_000_000_000 + i * 33_333_333
        pose = (
            None if i in gap else pose_of(skeleton(left_arm=arm_direction(flexion=3 * i)), t_ns=t)
        )
        angles = measure_all(pose) if pose else Angles.missing(t)
        writer.write(t, pose, angles)
        written.append(angles)
    writer.close()
    return written


def _replay(path: Path, realtime: bool = False, clock: FakeClock | None = None) -> list:
    trace = read_trace(path)
    tracker = Tracker(
        TraceSource(trace, realtime, clock), TracePoses(trace), AngleFilter(NO_FILTER)
    )
    return track_all(tracker)


def test_replay_reproduces_the_recorded_angles(tmp_path):
    path = tmp_path / "t.mmtrace"
    written = _write(path, gap=range(10, 14))
    replayed = _replay(path)
    assert len(replayed) == 30
    for live, again in zip(written, replayed, strict=True):
        np.testing.assert_allclose(again.raw.values, live.values, atol=1e-3, equal_nan=True)
    assert [s.pose is None for s in replayed] == [10 <= i < 14 for i in range(30)]


def test_realtime_replay_keeps_the_recorded_timing(tmp_path):
    path = tmp_path / "t.mmtrace"
    _write(path, n=10)
    clock = FakeClock()
    samples = _replay(path, realtime=True, clock=clock)
    gaps = np.diff([s.frame.t_ns for s in samples])
    assert np.all(np.abs(gaps - 33_333_333) <= 1)
    assert clock.now_ns() >= samples[-1].frame.t_ns


def test_slow_reader_of_a_paced_trace_gets_the_newest_frame(tmp_path):
    path = tmp_path / "t.mmtrace"
    _write(path, n=30)
    clock = FakeClock()
    source = TraceSource(read_trace(path), realtime=True, clock=clock)
    indices = []
    while not isinstance(frame := source.read(), SourceStatus):
        indices.append(frame.index)
        clock.advance(0.1)  # the loop takes 100 ms a frame
    assert indices == [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 29]
    assert source.dropped == 30 - len(indices)


def test_torn_last_record_is_ignored(tmp_path):
    path = tmp_path / "t.mmtrace"
    _write(path, n=12)
    path.write_bytes(path.read_bytes()[:-500])  # a crash mid-write
    assert len(read_trace(path)) == 11


def test_writer_flushes_so_a_crash_loses_at_most_a_second(tmp_path):
    path = tmp_path / "t.mmtrace"
    writer = TraceWriter(path, TraceHeader((640, 480), 30.0, "x"), flush_every=0.0)
    writer.write(1, None, Angles.missing(1))
    writer.write(2, None, Angles.missing(2))
    assert len(read_trace(path)) == 2  # on disk before close
    writer.close()


@pytest.mark.parametrize("content", [b"", b"not a trace at all", b"MMTRACE\n\x05\x00\x00\x00{bad"])
def test_damaged_trace_is_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.mmtrace"
    path.write_bytes(content)
    with pytest.raises(MotionMusicError, match=str(path)):
        read_trace(path)


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_traces_replay_with_people_in_them(name):
    trace = read_trace(bundled_trace(name))
    assert len(trace) > 100
    assert trace.records["present"].mean() > 0.95
    samples = _replay(bundled_trace(name))
    stored = np.array([a.values for a in trace.angles()])
    again = np.array([s.raw.values for s in samples])
    np.testing.assert_allclose(again, stored, atol=1e-3, equal_nan=True)
    assert not math.isnan(np.nanmax(again))
