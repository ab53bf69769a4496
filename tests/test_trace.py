"""Traces: written live, read back, replayed through the same chain."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from motionmusic.core.angles import measure_body
from motionmusic.core.clock import FakeClock
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import Features
from motionmusic.core.filters import OFF, FeatureFilter
from motionmusic.core.protocols import Sample, SourceStatus
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import TraceHeader, TraceWriter, read_trace
from motionmusic.runtime.engine import track_all
from motionmusic.runtime.sources import BUNDLED, bundled_trace
from motionmusic.runtime.tracker import Tracker
from tests.skeleton import arm_direction, pose_of, skeleton

NO_FILTER = OFF


def _write(path: Path, n: int = 30, gap: range = range(0)) -> list[Features]:
    writer = TraceWriter(path, TraceHeader((1280, 720), 30.0, "synthetic"))
    written = []
    for i in range(n):
        t = 5_000_000_000 + i * 33_333_333
        pose = (
            None if i in gap else pose_of(skeleton(left_arm=arm_direction(flexion=3 * i)), t_ns=t)
        )
        angles = measure_body(pose) if pose else Features.missing(t)
        writer.write(t, pose, angles)
        written.append(angles)
    writer.close()
    return written


def _replay(path: Path, realtime: bool = False, clock: FakeClock | None = None) -> list[Sample]:
    trace = read_trace(path)
    tracker = Tracker(
        TraceSource(trace, realtime, clock), TracePoses(trace), FeatureFilter(NO_FILTER)
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
    writer.write(1, None, Features.missing(1))
    writer.write(2, None, Features.missing(2))
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


def test_events_sit_between_the_frames_they_came_between(tmp_path):
    """A session log's edits read back at their frame and time; frames are unaffected."""
    path = tmp_path / "events.mmtrace"
    header = TraceHeader((640, 480), 30.0, "x", voices=1, session={"kind": "live"})
    writer = TraceWriter(path, header)
    big = {"type": "preset", "what": "preset long", "preset": {"notes": "x" * 5000}}
    for i in range(10):
        t_ns = 1_000_000_000 + i * 33_333_333
        if i == 4:
            writer.write_event(t_ns, {"type": "profile", "what": "target 110"})
        if i == 7:
            writer.write_event(t_ns, big)  # longer than a record: spread over several
        writer.write(t_ns, None, Features.missing(t_ns))
    writer.close()
    trace = read_trace(path)
    assert len(trace) == 10 and (np.diff(trace.records["t_ns"]) == 33_333_333).all()
    assert [(e.frame, e.kind) for e in trace.events] == [(4, "profile"), (7, "preset")]
    assert trace.events[0].t_ns == 4 * 33_333_333 and trace.events[0].data["what"] == "target 110"
    assert trace.events[1].data["preset"]["notes"] == "x" * 5000


def test_an_event_cut_short_by_a_crash_is_dropped_like_a_torn_frame(tmp_path):
    path = tmp_path / "torn-event.mmtrace"
    header = TraceHeader((640, 480), 30.0, "x", voices=1, session={"kind": "live"})
    writer = TraceWriter(path, header)
    writer.write(1_000_000_000, None, Features.missing(1_000_000_000))
    writer.write_event(1_000_000_000, {"type": "preset", "what": "p", "preset": {"n": "y" * 4000}})
    writer.close()
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - header.dtype.itemsize - 10])
    trace = read_trace(path)
    assert len(trace) == 1 and trace.events == ()


def test_version_2_session_logs_still_read(tmp_path):
    """Logs written before events existed: frames and controls as they were."""
    header = TraceHeader((640, 480), 30.0, "x", voices=2, session={"kind": "live"}, version=2)
    path = tmp_path / "v2.mmtrace"
    writer = TraceWriter(path, header)
    writer.write(5, None, Features.missing(5))
    writer.close()
    trace = read_trace(path)
    assert trace.header.version == 2 and len(trace) == 1 and trace.events == ()
    assert trace.records["controls"].shape == (1, 2, 6)
