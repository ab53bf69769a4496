"""Session logging and reporting costs: what a clinical session adds to the loop, and how long a
therapist waits for a summary or a report.

Measures, on the bundled dance trace looped to a 30-minute session (54,000 frames at 30 fps):
- the per-frame cost of logging inside the loop (`SessionLog.record`), against the per-frame cost
  of the performer in the same run (the baseline the loop already pays),
- bytes per frame and per minute on disk,
- the time to summarise the whole 30-minute log (reading it, replaying smoothing and targets),
- the time to write a report of 20 such session summaries.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import p50_p95
from motionmusic.core.performer import Performer
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import SourceInfo
from motionmusic.core.session import SessionLog, session_header
from motionmusic.core.summary import summarise
from motionmusic.core.trace import read_trace
from motionmusic.runtime.sources import bundled_trace
from motionmusic.store.preset_library import find_preset

FRAMES = 30 * 60 * 30


def main() -> None:
    source = read_trace(bundled_trace())
    preset = find_preset("arm-raise-pentatonic")
    created = datetime(2026, 1, 1, tzinfo=timezone.utc)
    profile = Profile.model_validate(
        {
            "client": "B1",
            "created": created,
            "angles": {
                "right_shoulder_flexion": {"target": 90, "range": {"rest": 20, "reach": 150}}
            },
        }
    )
    performer = Performer(preset, profile)
    poses = [source.pose(i, 0) for i in range(len(source))]
    angles = list(source.angles())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.mmtrace"
        info = SourceInfo("trace", "bench", 576, 576, 30.0)
        log = SessionLog(path, session_header(info, preset, profile, "live"))
        record_ms, perform_ms = [], []
        for i in range(FRAMES):
            k = i % len(angles)
            t_ns = i * 33_333_333
            a = type(angles[k])(t_ns, angles[k].values, angles[k].confidence)
            t0 = time.perf_counter_ns()
            controls = performer.step(a)
            t1 = time.perf_counter_ns()
            log.record(t_ns, poses[k], a, controls)
            t2 = time.perf_counter_ns()
            perform_ms.append((t1 - t0) / 1e6)
            record_ms.append((t2 - t1) / 1e6)
        log.close()
        size = path.stat().st_size
        print("per frame, ms          p50     p95")
        print(f"performer (baseline) {p50_p95(perform_ms)}")
        print(f"session log record   {p50_p95(record_ms)}")
        print(
            f"on disk: {size / FRAMES:.0f} B/frame, {size / 30 / 2**20:.1f} MiB per minute at 30 fps"
        )
        t0 = time.perf_counter()
        summary = summarise(read_trace(path))
        print(
            f"summary of a 30-min session: {time.perf_counter() - t0:.2f} s "
            f"({summary.angles[0].reps} reps counted)"
        )
    from motionmusic.store.report import write_report

    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        write_report(profile, [summary] * 20, Path(folder))
        print(f"report of 20 sessions: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
