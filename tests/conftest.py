"""Shared fixtures. The real model and the real clips are required, never skipped.

The clips are in `tests/media` (MOTIONMUSIC_MEDIA may name another folder). The model comes from
MOTIONMUSIC_MODEL (`.ci/run` sets it) or the user data dir: `make test` runs `motionmusic model fetch
--if-missing` first, so a fresh clone on a machine with internet needs nothing else.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.filters import OFF, FeatureFilter
from motionmusic.core.protocols import Sample
from motionmusic.runtime.engine import track_all
from motionmusic.runtime.tracker import Tracker
from motionmusic.store import landmarker_models, pose_models
from tests.pictures import read_image
from tests.sound_server import SoundServer

MEDIA = Path(__file__).parent / "media"  # the clips, vendored with their sources and licences
_MODEL: Path | None = None
try:
    _MODEL = pose_models.resolve()
except MotionMusicError as exc:
    _MODEL_ERROR = str(exc)


@pytest.fixture(scope="session")
def model_path() -> Path:
    if _MODEL is None:
        pytest.fail(f"the real pose model is required: {_MODEL_ERROR}")
    return _MODEL


_PARTS: dict[str, Path | str] = {}
for _part in landmarker_models.KINDS:
    try:
        _PARTS[_part] = landmarker_models.resolve(_part)
    except MotionMusicError as exc:
        _PARTS[_part] = str(exc)


def _part_model(part: str) -> Path:
    found = _PARTS[part]
    if not isinstance(found, Path):
        pytest.fail(f"the real {part} model is required: {found}")
    return found


@pytest.fixture(scope="session")
def face_model_path() -> Path:
    return _part_model("face")


@pytest.fixture(scope="session")
def hand_model_path() -> Path:
    return _part_model("hand")


@pytest.fixture(scope="session")
def media_dir() -> Path:
    media = Path(os.environ.get("MOTIONMUSIC_MEDIA") or MEDIA)
    if not media.is_dir():
        pytest.fail(f"no test clips at {media} (MOTIONMUSIC_MEDIA names another folder)")
    return media


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own user directories. The model found for the run (perhaps in the
    user's own data dir, which this hides) is named for the commands the tests start."""
    home = tmp_path / "home"
    monkeypatch.setenv("MOTIONMUSIC_HOME", str(home))
    if _MODEL is not None and not os.environ.get("MOTIONMUSIC_MODEL"):
        monkeypatch.setenv("MOTIONMUSIC_MODEL", str(_MODEL))
    for part in landmarker_models.KINDS:
        found, variable = _PARTS[part], landmarker_models.ENV[part]
        if isinstance(found, Path) and not os.environ.get(variable):
            monkeypatch.setenv(variable, str(found))
    return home


@pytest.fixture(scope="session")
def tracked(model_path: Path, media_dir: Path) -> Callable[[str], list[Sample]]:
    """Track a clip once per session with the real model, unfiltered, as fast as it decodes."""
    from motionmusic.adapters.pose_mediapipe import MediaPipePose
    from motionmusic.adapters.video_cv2 import VideoSource

    cache: dict[str, list[Sample]] = {}

    def run(clip: str) -> list[Sample]:
        if clip not in cache:
            source = VideoSource(media_dir / clip, realtime=False)
            with MediaPipePose(model_path) as estimator:
                tracker = Tracker(source, estimator, FeatureFilter(OFF))
                cache[clip] = track_all(tracker, without_pixels)
            source.close()
        return cache[clip]

    return run


def without_pixels(sample: Sample) -> Sample:
    """Keep the session's memory small: 300 frames of 1080p pixels would be 750 MB."""
    return dataclasses.replace(sample, frame=dataclasses.replace(sample.frame, image=None))


def series(samples: list[Sample], name: str, raw: bool = True) -> np.ndarray:
    """One angle over a clip (NaN where not measured)."""
    return np.array([(s.raw if raw else s.angles)[name] for s in samples])


@pytest.fixture
def now_ns() -> Iterator[int]:
    yield time.monotonic_ns()


@pytest.fixture(scope="session")
def trace_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("traces")


@pytest.fixture(scope="session")
def clip_trace(tracked: Callable[[str], list[Sample]], trace_dir: Path) -> Callable[[str], Path]:
    """A trace of a clip tracked by the real model (so sound tests can replay it cheaply)."""
    from motionmusic.core.trace import TraceHeader, TraceWriter

    def make(clip: str) -> Path:
        path = trace_dir / f"{clip}.mmtrace"
        if not path.exists():
            samples = tracked(clip)
            size = next(s.pose.image_size for s in samples if s.pose is not None)
            writer = TraceWriter(path, TraceHeader(size, 30.0, clip))
            for s in samples:
                writer.write(s.frame.t_ns, s.pose, s.raw)
            writer.close()
        return path

    return make


@pytest.fixture(scope="session")
def still_trace(model_path: Path, media_dir: Path, trace_dir: Path) -> Path:
    """10 s of a woman sitting still: the seated photo through the real model, with fresh camera
    noise (sigma 4 grey levels) on every frame, as a webcam delivers a client holding still."""

    from motionmusic.adapters.pose_mediapipe import MediaPipePose
    from motionmusic.core.angles import measure_body
    from motionmusic.core.pose import Frame
    from motionmusic.core.trace import TraceHeader, TraceWriter

    photo = read_image(media_dir / "images" / "mediapipe_pose_test_image.jpg")
    image = photo.astype(np.int16)
    rng = np.random.default_rng(11)
    path = trace_dir / "still.mmtrace"
    writer = TraceWriter(path, TraceHeader((image.shape[1], image.shape[0]), 30.0, "still"))
    with MediaPipePose(model_path) as estimator:
        for i in range(300):
            noisy = np.clip(image + rng.normal(0, 4, image.shape), 0, 255).astype(np.uint8)
            t_ns = 1_000_000_000 + i * 33_333_333
            pose = estimator.estimate(Frame(i, t_ns, noisy))
            assert pose is not None, "the seated woman is always found"
            writer.write(t_ns, pose, measure_body(pose))
    writer.close()
    return path


class JackServer:
    """A private real-time JACK server with no sound card, and the xruns it logs."""

    NAME = "motionmusic-test"

    def __init__(self, log: Path, name: str = NAME, period: int = 256) -> None:
        import shutil
        import subprocess

        jackd = shutil.which("jackd")
        if jackd is None:
            pytest.fail("jackd is required for the real-time tests: apt-get install jackd2")
        self.log = log
        os.environ["JACK_DEFAULT_SERVER"] = name  # every client, in every child process, uses it
        command = [jackd, "-n", name, "-d", "dummy", "-r", "48000", "-p", str(period)]
        self.process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self._answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                pytest.fail(f"jackd did not start: {log.read_text()[-500:]}")
            time.sleep(0.1)

    def _answers(self) -> bool:
        import jack

        try:
            jack.Client("motionmusic-probe", no_start_server=True).close()
            return True
        except jack.JackOpenError:
            return False

    def xruns(self) -> int:
        """Cycles the driver itself started late (one log line each)."""
        return self.log.read_text().count("Process XRun")

    def client_xruns(self, client: str = "motionmusic") -> int:
        """Xrun episodes that `client` caused: it missed cycles the driver had started on time.

        On this virtual machine the dummy driver's timer sometimes wakes late (tens of µs, now and
        then milliseconds, with nothing else running); every client of that cycle is then reported
        unfinished, often for a few cycles. Such a run follows a driver line; a run of client lines
        with none before it is the client's own doing, counted once. Debian 13's jackd (1.9.22)
        logs no driver lines, so only a client still running its cycle ("state = Running") counts:
        one still "Triggered" was never given the CPU in the whole period (it is real-time, so only
        the machine can hold it back), and its own code did not run late.
        """
        caused, previous = 0, ""
        for line in self.log.read_text().splitlines():
            if "Process error" in line:
                continue
            mine = f"client = {client} was not finished" in line
            if mine and not previous and "state = Triggered" not in line:
                caused += 1
            previous = "xrun" if ("Process XRun" in line or mine) else ""
        return caused

    def stalls(self, over_us: int = 1000) -> int:
        """Cycles the driver started more than `over_us` late: the virtual machine itself paused."""
        lines = [x for x in self.log.read_text().splitlines() if "Process XRun =" in x]
        return sum(int(x.split("=")[1].split()[0]) > over_us for x in lines)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=5)


@pytest.fixture(scope="session")
def jack_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JackServer]:
    server = JackServer(tmp_path_factory.mktemp("jack") / "jackd.log")
    yield server
    server.stop()


@pytest.fixture
def sound_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SoundServer]:
    """A desktop's sound server (PulseAudio, a null sink) that this test's processes play to. Its
    folder is short-named in /tmp: a socket's path must stay under 108 bytes."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="mm-pulse-"))
    server = SoundServer(folder / "server")
    monkeypatch.setenv("PULSE_SERVER", server.address)
    yield server
    server.kill()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium for a test module's pages (tests/browser.py)."""
    from tests.browser import chromium

    driver = chromium()
    yield driver
    driver.quit()
