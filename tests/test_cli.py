"""The CLI as a user meets it: one clear line and exit code 2 for every fixable problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from motionmusic.core.trace import read_trace
from motionmusic.runtime.sources import bundled_trace


def mm(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "motionmusic", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def test_missing_file(tmp_path):
    assert_clean_error(mm("track", str(tmp_path / "nope.mp4")), "no such file", "nope.mp4")


@pytest.mark.parametrize("model", ["installed", "none anywhere"])
def test_unreadable_video(tmp_path, model):
    """A bad video is reported as a bad video, whether or not a pose model exists."""
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"\x00" * 1000)
    env = {"MOTIONMUSIC_MODEL": ""} if model == "none anywhere" else {}
    assert_clean_error(mm("track", str(bad), env=env), "cannot read video", "clip.mp4")


def test_camera_that_does_not_exist():
    assert_clean_error(mm("track", "7"), "camera 7 not found")


def test_corrupt_model(tmp_path, media_dir):
    bad = tmp_path / "broken.task"
    bad.write_bytes(b"PK\x03\x04 truncated")
    result = mm("track", str(media_dir / "dance_arms_raise_front.mp4"), "--model", str(bad))
    assert_clean_error(result, "broken.task", "corrupt")


def test_no_model_anywhere(media_dir):
    env = {k: v for k, v in os.environ.items() if k != "MOTIONMUSIC_MODEL"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "motionmusic",
            "track",
            str(media_dir / "dance_arms_raise_front.mp4"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert_clean_error(result, "motionmusic model fetch full")


def test_damaged_trace(tmp_path):
    bad = tmp_path / "session.mmtrace"
    bad.write_bytes(b"MMTRACE\n")
    assert_clean_error(mm("track", str(bad)), "session.mmtrace")


def test_unwritable_output_keeps_nothing_half_done(tmp_path):
    result = mm(
        "track", str(bundled_trace()), "--out", str(tmp_path / "no" / "such" / "dir" / "t.mmtrace")
    )
    assert_clean_error(result, "cannot write trace")


def test_track_a_clip_to_a_trace_and_replay_it(tmp_path, media_dir):
    out = tmp_path / "dance.mmtrace"
    result = mm("track", str(media_dir / "dance_arms_raise_front.mp4"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "120 frames" in result.stdout and "pose in 100%" in result.stdout
    assert "left_shoulder_elevation" in result.stdout
    assert (
        "INFO" not in result.stderr and "W0000" not in result.stderr
    )  # native logs kept off screen
    assert len(read_trace(out)) == 120
    replay = mm("track", str(out), "--fast")
    assert replay.returncode == 0 and "120 frames" in replay.stdout


NO_CAMERA = not list(Path("/dev").glob("video*"))


@pytest.mark.skipif(not NO_CAMERA, reason="a camera is attached: track would use it")
def test_without_a_camera_the_bundled_trace_plays(tmp_path):
    result = mm("track", "--fast", "--frames", "30")
    assert result.returncode == 0, result.stderr
    assert "no camera found" in result.stderr and "30 frames" in result.stdout


def test_cameras_lists_names_and_modes():
    result = mm("cameras")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert (
        lines == ["no cameras found"] if NO_CAMERA else all(len(x.split("\t")) == 3 for x in lines)
    )


def test_model_commands(model_path, tmp_path):
    env = {"MOTIONMUSIC_MODEL": ""}
    imported = mm("model", "import", str(model_path), env=env)
    assert imported.returncode == 0, imported.stderr
    assert mm("model", "path", env=env).stdout.strip().endswith("pose_landmarker_full.task")
    assert_clean_error(mm("model", "import", str(tmp_path / "absent.task"), env=env), "absent.task")


@pytest.mark.parametrize(
    "entry", [["-m", "motionmusic"], ["-c", "from motionmusic.cli.main import main; main()"]]
)
def test_entry_points(entry):
    result = subprocess.run([sys.executable, *entry, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "motionmusic" in result.stdout


def test_console_script_is_installed():
    assert (Path(sys.executable).parent / "motionmusic").exists()


def test_render_a_trace_to_wav_and_curves(tmp_path):
    out = tmp_path / "dance.wav"
    result = mm("render", str(bundled_trace()), "--preset", "theremin", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 48000 * 2 * 3 * 4  # > 4 s of 24-bit stereo
    header = out.with_suffix(".controls.csv").read_text().splitlines()[0]
    assert header.startswith("time_s,right_wrist_height,left_wrist_height") and "lead_hz" in header


def test_render_with_a_bad_preset_is_one_line(tmp_path):
    bad = tmp_path / "mine.toml"
    bad.write_text('name = "x"\n[[voices]]\nname = "a"\ninstrument = "tuba"\n')
    result = mm(
        "render", str(bundled_trace()), "--preset", str(bad), "--out", str(tmp_path / "x.wav")
    )
    assert_clean_error(result, "mine.toml", "voices[0].instrument", "theremin")
    assert not (tmp_path / "x.wav").exists()


def test_presets_commands(tmp_path):
    listed = mm("presets", "list")
    assert listed.returncode == 0 and "arm-raise-pentatonic" in listed.stdout
    shown = mm("presets", "show", "head-turn")
    assert 'feature = "head_yaw"' in shown.stdout
    ok = mm("presets", "validate", "theremin", "head-turn")
    assert ok.returncode == 0 and ok.stdout.count("ok:") == 2
    assert_clean_error(
        mm("presets", "validate", str(tmp_path / "none.toml")), "no such preset file"
    )
