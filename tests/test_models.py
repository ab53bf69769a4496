"""Model provisioning: resolution order, verification, atomic fetch and import."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from motionmusic.core.errors import MotionMusicError
from motionmusic.store import pose_models


class Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the test's files without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def no_env_model(monkeypatch):
    monkeypatch.delenv("MOTIONMUSIC_MODEL", raising=False)


@pytest.fixture
def serve(tmp_path, monkeypatch):
    """A local stand-in for the model storage, laid out like the real one."""

    def start(content: bytes, variant: str = "full") -> None:
        name = f"pose_landmarker_{variant}"
        folder = tmp_path / "www" / name / "float16" / "latest"
        folder.mkdir(parents=True)
        (folder / f"{name}.task").write_bytes(content)
        handler = functools.partial(Quiet, directory=str(tmp_path / "www"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        monkeypatch.setenv("MOTIONMUSIC_MODEL_BASE_URL", f"http://127.0.0.1:{server.server_port}")
        servers.append(server)

    servers: list[http.server.ThreadingHTTPServer] = []
    yield start
    for server in servers:
        server.shutdown()


def test_no_model_names_the_command_to_run(no_env_model):
    with pytest.raises(MotionMusicError, match=r"motionmusic model fetch full"):
        pose_models.resolve()


def test_resolution_order(model_path, tmp_path, monkeypatch):
    stored = pose_models.import_bundle(model_path)
    other = tmp_path / "other.task"
    shutil.copyfile(model_path, other)
    monkeypatch.setenv("MOTIONMUSIC_MODEL", str(other))
    assert pose_models.resolve(explicit=model_path) == model_path
    assert pose_models.resolve() == other
    monkeypatch.delenv("MOTIONMUSIC_MODEL")
    assert pose_models.resolve() == stored


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip"])
def test_corrupt_model_is_refused(model_path, tmp_path, damage):
    data = bytearray(model_path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(b"<html>not found</html>")
    else:
        data[len(data) // 2] ^= 0xFF
    bad = tmp_path / "bad.task"
    bad.write_bytes(bytes(data))
    with pytest.raises(MotionMusicError, match=r"bad\.task"):
        pose_models.verify(bad)


def test_stored_model_changed_after_install_is_refused(model_path, no_env_model):
    stored = pose_models.import_bundle(model_path)
    data = bytearray(stored.read_bytes())
    data[-30] ^= 0x01  # inside the zip's trailing comment/directory: CRCs may still pass
    stored.write_bytes(bytes(data))
    with pytest.raises(MotionMusicError):
        pose_models.resolve()


@pytest.fixture
def pinned(model_path, monkeypatch):
    """The test's bundle stands for the official full one (it is a rebuilt copy, not Google's)."""
    monkeypatch.setitem(pose_models.OFFICIAL_SHA256, "full", pose_models.sha256(model_path))


def test_fetch_downloads_verifies_and_records_the_hash(model_path, serve, pinned, no_env_model):
    serve(model_path.read_bytes())
    seen = []
    path = pose_models.fetch("full", progress=lambda done, total: seen.append((done, total)))
    assert path == pose_models.store_path("full") and path.read_bytes() == model_path.read_bytes()
    assert seen[-1] == (model_path.stat().st_size, model_path.stat().st_size)
    assert pose_models.sha256(path) in path.with_suffix(".sha256").read_text()
    assert pose_models.resolve() == path
    for installed in (path, path.with_suffix(".sha256")):
        assert installed.stat().st_mode & 0o777 == 0o600


def test_a_download_that_is_not_the_official_bundle_is_refused(model_path, serve, no_env_model):
    """A complete, loadable bundle with another hash (a mirror's, a tampered one) is refused."""
    serve(model_path.read_bytes())  # the rebuilt bundle: not the official full one
    with pytest.raises(MotionMusicError, match=r"not the official bundle .*4eaa5eb7a983"):
        pose_models.fetch("full")
    assert list(pose_models.store_path("full").parent.iterdir()) == []


def fake_bundle(path: Path, landmarks_mb: float) -> Path:
    """A bundle with the two models a pose landmarker holds, the landmark one of a given size."""
    rng = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr(pose_models.REQUIRED[0], rng.bytes(1000))
        bundle.writestr(pose_models.LANDMARKS, rng.bytes(int(landmarks_mb * 1e6)))
    return path


@pytest.mark.parametrize(("mb", "variant"), [(2.8, "lite"), (6.4, "full"), (27.7, "heavy")])
def test_import_tells_the_variant_from_the_bundle(tmp_path, no_env_model, mb, variant):
    renamed = fake_bundle(tmp_path / "from-a-usb-stick.task", mb)
    assert pose_models.import_bundle(renamed) == pose_models.store_path(variant)
    assert pose_models.installed() == [variant]


def test_import_of_a_bundle_of_no_known_size_asks_for_the_variant(tmp_path, no_env_model):
    odd = fake_bundle(tmp_path / "odd.task", 12)
    with pytest.raises(MotionMusicError, match=r"give --variant lite, full or heavy"):
        pose_models.import_bundle(odd)
    assert pose_models.import_bundle(odd, "full") == pose_models.store_path("full")


def test_a_preset_preferring_lite_plays_on_the_installed_model_and_says_so(
    model_path, no_env_model
):
    full = pose_models.import_bundle(model_path)
    chosen = pose_models.resolve(preferred="lite")
    assert chosen == full
    said = pose_models.substitute("lite", chosen)
    assert said is not None and "prefers the lite pose model" in said and "model fetch lite" in said
    assert pose_models.substitute("full", full) is None


def test_failed_download_leaves_nothing_behind(model_path, serve, no_env_model):
    serve(model_path.read_bytes()[:100_000])  # the connection dropped half-way
    with pytest.raises(MotionMusicError):
        pose_models.fetch("full")
    assert list(pose_models.store_path("full").parent.iterdir()) == []


def test_unreachable_storage_is_one_clear_error(monkeypatch, no_env_model):
    monkeypatch.setenv("MOTIONMUSIC_MODEL_BASE_URL", "http://127.0.0.1:9")
    with pytest.raises(MotionMusicError, match=r"cannot download the lite pose model"):
        pose_models.fetch("lite")


def test_import_refuses_a_non_bundle(tmp_path, no_env_model):
    bad = tmp_path / "x.task"
    bad.write_text("nope")
    with pytest.raises(MotionMusicError):
        pose_models.import_bundle(bad)
    assert not pose_models.store_path("full").exists()


def test_models_resolve_by_name_among_the_installed(model_path, monkeypatch):
    """`--model lite` means the lite bundle installed here, whatever $MOTIONMUSIC_MODEL says."""
    monkeypatch.setenv("MOTIONMUSIC_MODEL", str(model_path))
    lite = pose_models.import_bundle(model_path, "lite")
    assert pose_models.installed() == ["lite"]
    assert pose_models.resolve("lite") == lite
    assert pose_models.resolve(preferred="lite") == lite  # a preset's choice
    assert pose_models.resolve(str(model_path)) == model_path  # a file is still a file
    assert pose_models.describe(lite).startswith("lite (")
    with pytest.raises(MotionMusicError, match=r"heavy pose model is not installed \(lite\)"):
        pose_models.resolve("heavy")


def test_an_unknown_model_name_is_one_line_listing_the_installed_names(model_path, media_dir):
    from tests.test_cli import assert_clean_error, mm

    pose_models.import_bundle(model_path, "lite")
    pose_models.import_bundle(model_path, "full")
    clip = str(media_dir / "dance_arms_raise_front.mp4")
    result = mm("track", clip, "--model", "medium")
    assert_clean_error(result, "unknown pose model 'medium'", "full, lite")


def test_the_session_log_and_the_report_name_the_model(model_path, media_dir, tmp_path):
    """A preset may choose the model; the session log records which one tracked it, and the
    report says so, with the warning that lite's angles differ from full's."""
    from motionmusic.core.summary import summarise
    from motionmusic.core.trace import read_trace
    from motionmusic.store import clients
    from motionmusic.store.preset_library import find_preset, save_preset
    from tests.test_cli import mm

    pose_models.import_bundle(model_path, "lite")
    preset = find_preset("arm-raise-pentatonic").model_copy(
        update={"name": "quick", "model": "lite"}
    )
    save_preset(preset)
    clients.create("M1", "quick")
    clip = str(media_dir / "dance_arms_raise_front.mp4")
    result = mm("run", "--client", "M1", "--source", clip, "--audio", "offline",
                "--out", str(tmp_path / "m1.wav"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    (log,) = clients.sessions("M1")
    assert read_trace(log).header.model == pose_models.describe(pose_models.store_path("lite"))
    assert (summarise(read_trace(log)).model or "").startswith("lite (")
    report = mm("report", "--client", "M1", "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "report" / "report.html").read_text()
    assert "Pose model: lite." in page and "angles differ from the full model" in page
    csv_text = (tmp_path / "report" / "sessions.csv").read_text()
    assert ",lite (" in csv_text


def test_duet_renders_on_the_full_model_when_lite_is_missing_and_says_so(media_dir, tmp_path):
    """duet asks for lite; a newcomer who fetched only full still plays, and is told."""
    from tests.test_cli import mm

    clip = str(media_dir / "dance_arms_raise_front.mp4")
    result = mm("render", clip, "--preset", "duet", "--out", str(tmp_path / "duet.wav"))
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())  # however the console wrapped it
    assert "prefers the lite pose model, which is not installed: playing on full" in said
    assert "motionmusic model fetch lite" in said
