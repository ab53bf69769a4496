"""A session log damaged on disk (garbled bytes, a cut-off tail) is summarised from what is still
readable, and the summary says what was skipped."""

from __future__ import annotations

import json

import numpy as np

from motionmusic.core.damage import sound_frames
from motionmusic.core.summary import summarise
from motionmusic.core.trace import TraceHeader, read_trace
from tests.motion import arm_trace
from tests.test_cli import mm


def raises(n: int) -> np.ndarray:
    one = np.concatenate([np.full(15, 20.0), np.linspace(20, 120, 30), np.linspace(120, 20, 30)])
    return np.tile(one, n)


def test_garbled_records_and_a_cut_tail_are_skipped_and_said(tmp_path):
    path = arm_trace(tmp_path / "session.mmtrace", raises(6))
    whole = read_trace(path)
    size = whole.header.dtype.itemsize
    raw = bytearray(path.read_bytes())
    start = len(raw) - size * len(whole)  # where the records begin
    rng = np.random.default_rng(7)
    for k in (100, 101, 250):  # three records garbled in the middle: times, kinds, all of it
        raw[start + k * size : start + (k + 1) * size] = rng.integers(
            0, 256, size, np.uint8
        ).tobytes()
    raw = raw[: -size // 2]  # and the last record cut in half
    path.write_bytes(bytes(raw))
    damaged = read_trace(path)
    assert damaged.torn and len(damaged) == len(whole) - 1 - damaged.damaged
    assert 1 <= damaged.damaged <= 3  # random bytes may by chance look like a sound frame
    summary = summarise(damaged)
    intact = summarise(whole)
    assert summary.damaged == damaged.damaged and summary.torn
    (flex,) = [a for a in summary.angles if a.feature == "right_shoulder_flexion"]
    (flex0,) = [a for a in intact.angles if a.feature == "right_shoulder_flexion"]
    assert abs(flex.peak - flex0.peak) < 1.0  # the range of motion survives
    printed = mm("summary", str(path))
    assert printed.returncode == 0, printed.stderr
    assert "damaged record(s)" in printed.stdout and "cut off" in printed.stdout


def test_a_garbled_time_does_not_hide_the_frames_after_it():
    dtype = TraceHeader((640, 480), 30.0, "t").dtype
    records = np.zeros(6, dtype=dtype)
    records["t_ns"] = [0, 33, 66, 10**13, 133, 166]  # one time garbled far ahead
    records["present"] = [1, 1, 1, 1, 9, 1]  # and one frame saying nonsense about whose it is
    keep, damaged = sound_frames(records, np.ones(6, dtype=bool))
    assert keep.tolist() == [True, True, True, False, False, True] and damaged == 2


def test_an_unreadable_event_is_skipped_not_fatal(tmp_path):
    from motionmusic.core.trace import TraceWriter

    header = TraceHeader((640, 480), 30.0, "t")
    writer = TraceWriter(tmp_path / "e.mmtrace", header)
    angles = read_trace(arm_trace(tmp_path / "a.mmtrace", raises(1))).angles()
    for i, a in enumerate(angles):
        writer.write(i * 33_000_000, None, a)
        if i == 10:
            writer.write_event(i * 33_000_000, {"type": "profile", "what": "target 110"})
    writer.close()
    raw = bytearray((tmp_path / "e.mmtrace").read_bytes())
    at = raw.index(json.dumps({"t_ns": 330_000_000})[:10].encode())
    raw[at : at + 4] = b"\xff\xfe\xfd\xfc"  # the event's JSON garbled
    (tmp_path / "e.mmtrace").write_bytes(bytes(raw))
    trace = read_trace(tmp_path / "e.mmtrace")
    assert trace.events == () and trace.damaged == 1 and len(trace) == 75
