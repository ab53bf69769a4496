"""Every shipped preset in the rooms a therapist really meets: nobody in view, a client who leaves
and comes back, a group of none, one or all. No crash, no sound from nobody.

The renders run as the `motionmusic render` command in a process of their own: a synth that
crashes (pyo's sine table once did, in a silent `circle`, at 2.98 s every run) fails its test
instead of taking the whole test run down with it.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from motionmusic.store.preset_library import shipped
from tests.audio import peak_dbfs
from tests.test_cli import mm

pytestmark = pytest.mark.model
PRESETS = sorted(path.stem for path in shipped())
FPS = 30.0
SILENT_DB = -90.0


def write_video(path: Path, frames: list[np.ndarray]) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture(scope="module")
def empty_room(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 s of a plain grey wall through a webcam (camera noise, sigma 4): nobody in view. A silent
    `circle` crashed at 2.98 s; 2 s rendered fine."""
    rng = np.random.default_rng(5)
    frames = [
        np.clip(128 + rng.normal(0, 4, (360, 640, 3)), 0, 255).astype(np.uint8)
        for _ in range(int(6 * FPS))
    ]
    return write_video(tmp_path_factory.mktemp("rooms") / "empty.mp4", frames)


@pytest.mark.parametrize("name", PRESETS)
def test_an_empty_room_renders_silence_with_every_preset(
    name: str, empty_room: Path, model_path: Path, tmp_path: Path
) -> None:
    wav = tmp_path / f"{name}.wav"
    result = mm(
        "render", str(empty_room), "--preset", name, "--model", str(model_path), "--out", str(wav)
    )
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-500:]}"
    assert "Traceback" not in result.stderr
    assert "client not in view" in result.stdout + result.stderr
    assert peak_dbfs(wav) < SILENT_DB
