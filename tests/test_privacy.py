"""Health data stays private: owner-only files, ids that cannot leave their folder, no pictures.

A whole session as a therapist runs it (a client, a logged session with its summary, a report)
leaves nothing under the user data directory, or in the report, that anyone but its owner can read,
and the session writes no image or video anywhere: the camera's pixels never reach a disk (the
report's PNGs are its plots).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from motionmusic.core.errors import MotionMusicError
from motionmusic.store import clients
from tests.test_cli import assert_clean_error, mm

ESCAPES = [
    "..",
    "../outside",
    "/etc/passwd",
    "a/b",
    "a\\b",
    "a\x00b",
    "x" * 41,
    "\u0410lice",  # a Cyrillic capital A, not a Latin one
    "\uff21\uff22",  # full-width AB
    "C1\n",
    " C1",
    ".hidden",
    "-rf",
    "",
]
PICTURES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG": "PNG",
    b"GIF8": "GIF",
    b"\x1aE\xdf\xa3": "Matroska/WebM",
}


def kinds(path: Path) -> str | None:
    """The picture or video format a file's first bytes say it is (None: neither)."""
    head = path.read_bytes()[:12]
    if head[4:8] == b"ftyp":
        return "MP4/MOV"
    if head.startswith(b"RIFF") and head[8:12] in (b"AVI ", b"WEBP"):
        return "AVI/WebP"  # (a WAV is RIFF too: the sound asked for)
    return next((name for magic, name in PICTURES.items() if head.startswith(magic)), None)


@pytest.mark.parametrize("bad", ESCAPES)
def test_a_client_id_cannot_leave_the_clients_folder(bad: str, isolated_home: Path):
    with pytest.raises(MotionMusicError, match="invalid client id"):
        clients.create(bad)
    if "\x00" not in bad:  # a NUL cannot even be passed as an argument
        assert_clean_error(mm("clients", "add", "--", bad), "invalid client id")
    everything = [p for p in isolated_home.rglob("*") if p.is_file()]
    assert not any("profile" in p.name for p in everything)  # nothing was created anywhere


@pytest.mark.model
def test_a_whole_session_leaves_only_private_files_and_no_picture(
    isolated_home: Path, media_dir: Path, model_path: Path, tmp_path: Path
):
    assert mm("clients", "add", "P3", "--preset", "theremin").returncode == 0
    wav = tmp_path / "session.wav"
    played = mm(
        "run", "--client", "P3", "--source", str(media_dir / "dance_arms_raise_front.mp4"),
        "--audio", "offline", "--out", str(wav), "--model", str(model_path),
    )  # fmt: skip
    assert played.returncode == 0, played.stderr
    session = [p for p in [*isolated_home.rglob("*"), *tmp_path.rglob("*")] if p.is_file()]
    assert any(p.suffix == ".mmtrace" for p in session)
    assert any(p.name.endswith(".summary.json") for p in session)
    for path in session:  # the session: a log, its summary, the WAV asked for; no picture
        assert kinds(path) is None, f"{path} is a {kinds(path)}"
    report = tmp_path / "report"
    assert mm("report", "--client", "P3", "--out", str(report)).returncode == 0
    for path in [*isolated_home.rglob("*"), *report.rglob("*"), report]:
        wanted = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == wanted, path


def test_the_picture_check_knows_a_picture_and_a_video(tmp_path: Path):
    """The control for the test above: what a leak would look like is caught."""
    import cv2
    import numpy as np

    frame = np.zeros((48, 64, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / "frame.jpg"), frame)
    cv2.imwrite(str(tmp_path / "frame.png"), frame)
    writer = cv2.VideoWriter(
        str(tmp_path / "clip.mp4"), cv2.VideoWriter.fourcc(*"mp4v"), 30, (64, 48)
    )
    writer.write(frame)
    writer.release()
    assert [kinds(tmp_path / n) for n in ("frame.jpg", "frame.png", "clip.mp4")] == [
        "JPEG", "PNG", "MP4/MOV",
    ]  # fmt: skip
