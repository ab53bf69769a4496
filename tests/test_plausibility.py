"""Measurement integrity: what no joint can do, and skeletons that jumped, are not range of motion."""

from __future__ import annotations

import csv
import dataclasses
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from motionmusic.core.features import FEATURE_INDEX
from motionmusic.core.landmarks import Landmark as L
from motionmusic.core.plausibility import implausible
from motionmusic.core.profile import Profile
from motionmusic.core.summary import summarise
from motionmusic.core.trace import read_trace, save_trace
from motionmusic.runtime.sources import bundled_trace
from motionmusic.store.report import write_report
from tests.test_cli import mm

FLEX, ELBOW = "right_shoulder_flexion", "right_elbow_flexion"


def test_limits_come_from_the_joints_normal_range():
    flexion = np.array([170.0, 180.0, 183.0, 196.0, np.nan])
    np.testing.assert_array_equal(implausible(FLEX, flexion), [False, False, True, True, False])
    np.testing.assert_array_equal(implausible(ELBOW, np.array([150.0, 165.0])), [False, True])
    assert not implausible("right_wrist_height", np.array([3.0])).any()  # no joint range to check


def edited(out: Path, change) -> Path:
    """The bundled dance trace with `change(records)` applied."""
    trace = read_trace(bundled_trace())
    records = trace.records.copy()
    change(records)
    save_trace(out, trace.header, records)
    return out


def test_a_shoulder_flexed_past_180_is_an_artefact_in_the_summary_the_csv_and_the_report(
    tmp_path: Path,
):
    def overhead_artefact(records: np.ndarray) -> None:
        records["angles"][40:61, FEATURE_INDEX[FLEX]] = np.linspace(186, 196, 21)
        records["confidence"][40:61, FEATURE_INDEX[FLEX]] = 1.0

    summary = summarise(read_trace(edited(tmp_path / "s.mmtrace", overhead_artefact)))
    summary = dataclasses.replace(summary, started="2026-11-28T10:00:00+00:00")  # as sessions are
    flexion = next(a for a in summary.angles if a.feature == FLEX)
    assert flexion.peak <= 180 and flexion.p95 <= 180  # never shown as range of motion
    assert flexion.artefact_peak == pytest.approx(196, abs=0.01)
    assert flexion.artefacts == pytest.approx(21 / 120, abs=0.02)
    profile = Profile(client="K9", created=datetime.now(timezone.utc))
    page = write_report(profile, [summary], tmp_path / "report").read_text()
    assert f"{FLEX} reached 196" in page and "measurement artefact" in page
    with (tmp_path / "report" / "sessions.csv").open() as file:
        row = next(r for r in csv.DictReader(file) if r["angle"] == FLEX)
    assert float(row["peak"]) <= 180 and row["artefact_peak"] == "196.0"
    said = mm("summary", str(tmp_path / "s.mmtrace"))
    assert said.returncode == 0 and "measurement artefacts, left out" in said.stdout


def test_a_skeleton_that_jumps_for_three_frames_is_a_glitch_not_movement(tmp_path: Path):
    def jump(records: np.ndarray) -> None:
        for landmark in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER):
            records["image"][50:53, landmark, 0] += 0.3  # a third of the picture in 33 ms
        records["angles"][50:53, FEATURE_INDEX[ELBOW]] = 140.0  # what the wrong skeleton measured
        records["confidence"][50:53, FEATURE_INDEX[ELBOW]] = 1.0

    clean = summarise(read_trace(bundled_trace()))
    summary = summarise(read_trace(edited(tmp_path / "g.mmtrace", jump)))
    assert clean.glitches == 0
    assert summary.glitches == 3
    elbow = next(a for a in summary.angles if a.feature == ELBOW)
    assert elbow.peak == pytest.approx(next(a for a in clean.angles if a.feature == ELBOW).peak)


@pytest.mark.model
@pytest.mark.parametrize(
    "clip",
    [
        "dance_arms_raise_front.mp4",
        "tai_chi_arms_raise.mp4",
        "squats_arms_forward_5fps.mp4",
        "head_tilt_webcam.mp4",
    ],
)
def test_real_movement_is_never_taken_for_a_glitch(clip, clip_trace):
    assert summarise(read_trace(clip_trace(clip))).glitches == 0
