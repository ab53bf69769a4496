"""Frame sources: newest frame only, monotonic timestamps, lost cameras survived."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from motionmusic.adapters.camera_cv2 import CameraInfo, CameraSource, resolve_camera
from motionmusic.adapters.video_cv2 import VideoSource
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.pose import Frame
from motionmusic.core.protocols import SourceStatus

CLIP = "dance_arms_raise_front.mp4"  # 120 frames at 30 fps


def _drain(source) -> list[Frame]:
    frames = []
    while isinstance(frame := source.read(), Frame):
        frames.append(frame)
    assert frame is SourceStatus.ENDED
    return frames


def test_fast_video_gives_every_frame_in_order(media_dir):
    source = VideoSource(media_dir / CLIP, realtime=False)
    frames = _drain(source)
    assert [f.index for f in frames] == list(range(120))
    assert np.all(np.diff([f.t_ns for f in frames]) > 0)
    assert frames[0].image is not None and frames[0].image.shape == (576, 576, 3)
    assert source.dropped == 0


def test_paced_video_hands_a_slow_reader_the_newest_frame(media_dir):
    """A reader busy 100 ms a frame gets a fresh frame each time, not a queue of old ones.

    (OpenCV/V4L2 would queue 4 frames: the reader would get frames ~130 ms old.)
    """
    source = VideoSource(media_dir / CLIP, realtime=True)
    frames: list[Frame] = []
    lags: list[float] = []
    try:
        while isinstance(frame := source.read(), Frame) and len(frames) < 12:
            lags.append((time.monotonic_ns() - frame.t_ns) / 1e6)
            frames.append(frame)
            time.sleep(0.100)
    finally:
        source.close()
    assert np.median(lags[1:]) < 40  # about one frame period, however slow the reader
    indices = [f.index for f in frames]
    assert indices[-1] >= 30 and all(np.diff(indices) >= 2)  # it skipped ahead
    assert source.dropped == indices[-1] + 1 - len(frames) or source.dropped >= indices[-1] - len(
        frames
    )


def test_paced_video_keeps_its_frame_rate(media_dir):
    source = VideoSource(media_dir / CLIP, realtime=True)
    frames = _drain(source)
    source.close()
    seconds = (frames[-1].t_ns - frames[0].t_ns) / 1e9
    assert len(frames) + source.dropped == 120
    assert seconds == pytest.approx(119 / 30, abs=0.01)


def test_unreadable_video_is_a_clear_error(tmp_path):
    fake = tmp_path / "clip.mp4"
    fake.write_text("this is not a video")
    with pytest.raises(MotionMusicError, match="cannot read video"):
        VideoSource(fake)
    with pytest.raises(MotionMusicError, match="no such video"):
        VideoSource(tmp_path / "missing.mp4")


class FakeCapture:
    """Stands in for cv2.VideoCapture: a camera delivering `rate` frames a second, which can fail."""

    def __init__(self, rate: float = 100.0, opened: bool = True) -> None:
        self.rate, self.opened, self.count = rate, opened, 0
        self.fail = threading.Event()
        self.props: dict[int, float] = {}

    def isOpened(self) -> bool:
        return self.opened

    def set(self, prop: int, value: float) -> bool:
        self.props[prop] = value
        return True

    def get(self, prop: int) -> float:
        return self.props.get(prop, 0.0)

    def grab(self) -> bool:
        time.sleep(1 / self.rate)
        if self.fail.is_set():
            return False
        self.count += 1
        return True

    def retrieve(self) -> tuple[bool, np.ndarray]:
        return True, np.full((4, 4, 3), self.count % 256, dtype=np.uint8)

    def release(self) -> None:
        self.opened = False


def test_camera_hands_out_only_the_newest_frame():
    cap = FakeCapture(rate=200)
    camera = CameraSource(0, factory=lambda i: cap)
    try:
        time.sleep(0.2)  # the reader is busy; the camera keeps grabbing
        first = camera.read()
        assert isinstance(first, Frame)
        assert first.index >= 20  # not frame 0 from a queue
        assert (time.monotonic_ns() - first.t_ns) / 1e6 < 50
        assert camera.dropped >= 19
        second = camera.read()
        assert isinstance(second, Frame) and second.index > first.index and second.t_ns > first.t_ns
    finally:
        camera.close()


def test_lost_camera_is_reported_and_recovered():
    caps = [FakeCapture(), FakeCapture()]
    opened = iter(caps)
    camera = CameraSource(0, factory=lambda i: next(opened), retry_s=0.05)
    try:
        assert isinstance(camera.read(), Frame)
        caps[0].fail.set()  # unplugged
        statuses = [camera.read(timeout=0.05) for _ in range(3)]
        assert SourceStatus.LOST in statuses
        deadline = time.monotonic() + 2
        while not isinstance(frame := camera.read(timeout=0.1), Frame):
            assert time.monotonic() < deadline, "camera never came back"
        assert frame.t_ns > 0
    finally:
        camera.close()


def test_requests_mjpg_640x480_at_30_and_reports_what_was_granted():
    cap = FakeCapture()
    camera = CameraSource(0, factory=lambda i: cap)
    camera.close()
    assert (camera.info.width, camera.info.height, camera.info.fps) == (640, 480, 30.0)


def test_missing_camera_is_a_clear_error():
    with pytest.raises(MotionMusicError, match="camera 7 not found"):
        CameraSource(7, factory=lambda i: FakeCapture(opened=False))


def test_camera_by_name():
    cams = [
        CameraInfo(0, "Integrated Webcam", "MJPG 640x480 @ 30"),
        CameraInfo(2, "Logitech C920", "MJPG 640x480 @ 30"),
    ]
    assert resolve_camera("c920", lambda: cams) == 2
    assert resolve_camera("3", lambda: cams) == 3
    with pytest.raises(MotionMusicError, match="no camera"):
        resolve_camera("Brio", lambda: cams)


class StillPerson:
    """A pose estimator that sees the same raised arm in every frame (the camera test's pixels
    are 4 x 4: nothing a model could see)."""

    sees_people = False
    model = "still"

    def __init__(self) -> None:
        self.stage_ms: dict[str, float] = {}

    def estimate(self, frame: Frame, zone: object = None, slot: int = 0) -> object:
        from tests.skeleton import arm_direction, pose_of, skeleton

        return pose_of(skeleton(right_arm=arm_direction(90.0, left=False)), t_ns=frame.t_ns)

    find = estimate

    def forget(self, slot: int = 0) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_camera_lost_mid_session_fades_is_said_and_marked_in_the_log():
    from motionmusic.core.trace import read_trace
    from motionmusic.runtime.engine import Engine
    from motionmusic.runtime.instrument import Instrument
    from motionmusic.runtime.news import CAMERA_BACK, CAMERA_LOST
    from motionmusic.runtime.recorder import SessionRecorder
    from motionmusic.runtime.tracker import Tracker
    from motionmusic.store import clients
    from motionmusic.store.preset_library import find_preset
    from tests.tui_support import RecordingSynth

    caps = [FakeCapture(rate=30), FakeCapture(rate=30)]
    opened = iter(caps)
    camera = CameraSource(0, factory=lambda i: next(opened), retry_s=0.5)
    preset, synth, said = find_preset("theremin"), RecordingSynth(), list[str]()
    recorder = SessionRecorder(camera.info)
    tracker = Tracker.for_preset(camera, StillPerson(), preset)  # type: ignore[arg-type]
    instrument = Instrument(preset, synth, clients.create("S2", "theremin"))
    engine = Engine(tracker, instrument, recorder=recorder, on_notice=said.append)
    recorder.start(clients.load("S2"), preset, time.monotonic_ns())
    engine.start()
    try:
        time.sleep(0.6)
        caps[0].fail.set()  # unplugged
        deadline = time.monotonic() + 3
        while "camera back" not in said:
            assert time.monotonic() < deadline, f"the camera did not come back: {said}"
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        engine.stop()
        recorder.close()
        camera.close()
    assert said[:2] == [CAMERA_LOST, CAMERA_BACK]
    lost = [c for c in synth.sent if not any(v.present for v in c.voices)]
    assert lost, "the voices were told to fade when the camera went"
    (log,) = clients.sessions("S2")
    trace = read_trace(log)
    marks = [(e.frame, e.data["what"]) for e in trace.events if e.kind == "source"]
    assert [what for _, what in marks] == [said[0], said[1]]
    gap = np.diff(trace.records["t_ns"]).max() / 1e9
    assert gap >= 0.4 and marks[0][0] == marks[1][0]  # the gap lies between the two marks
