"""A live camera as a frame source, via OpenCV (V4L2 on Linux).

OpenCV/V4L2 queue four buffers by default, so a reader slower than the camera gets frames ~130 ms
old. A grab thread therefore reads continuously and keeps only the newest frame, stamped with
`time.monotonic_ns()` the moment `grab()` returns, before decoding. A camera that stops delivering is
reported as `SourceStatus.LOST` while the thread reopens it once a second; the loop lives on.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.pose import Frame
from motionmusic.core.protocols import SourceInfo, SourceStatus
from motionmusic.core.slot import FrameSlot

Capture = Any  # cv2.VideoCapture or a test double with the same methods
CaptureFactory = Callable[[int], Capture]
SYSFS = Path("/sys/class/video4linux")


def open_v4l2(index: int) -> Capture:
    return cv2.VideoCapture(index, cv2.CAP_V4L2)


def configure(cap: Capture, width: int, height: int, fps: float) -> tuple[int, int, float, str]:
    """Ask for MJPG at the given mode; return what the driver granted (width, height, fps, fourcc)."""
    cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
    cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    cap.set(cv2.CAP_PROP_FPS, fps)
    cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    fourcc = "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4)).strip("\0") or "?"
    granted = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    return granted[0], granted[1], float(cap.get(cv2.CAP_PROP_FPS)) or fps, fourcc


@dataclass(frozen=True, slots=True)
class CameraInfo:
    index: int
    name: str
    mode: str  # what the camera grants when asked for MJPG 640x480 @ 30


def _device_name(index: int) -> str:
    try:
        return (SYSFS / f"video{index}" / "name").read_text().strip()
    except OSError:
        return f"camera {index}"


def list_cameras(factory: CaptureFactory = open_v4l2) -> list[CameraInfo]:
    """Every video device that opens, with its name and the mode it grants."""
    indices = sorted(
        int(m.group(1))
        for p in Path("/dev").glob("video*")
        if (m := re.fullmatch(r"video(\d+)", p.name))
    )
    cameras = []
    for index in indices:
        cap = factory(index)
        if cap.isOpened():
            width, height, fps, fourcc = configure(cap, 640, 480, 30)
            cameras.append(
                CameraInfo(index, _device_name(index), f"{fourcc} {width}x{height} @ {fps:g}")
            )
        cap.release()
    return cameras


def resolve_camera(spec: str, cameras: Callable[[], list[CameraInfo]] = list_cameras) -> int:
    """A camera index from an index ("0") or a name (case-insensitive, any part of it)."""
    if spec.isdigit():
        return int(spec)
    matches = [c for c in cameras() if spec.lower() in c.name.lower()]
    if not matches:
        raise MotionMusicError(
            f"no camera, video file or trace named {spec!r} (see: motionmusic cameras)"
        )
    return matches[0].index


class CameraSource:
    """Newest-frame-only camera reader with its own grab thread."""

    def __init__(
        self,
        index: int,
        size: tuple[int, int] = (640, 480),
        fps: float = 30.0,
        factory: CaptureFactory = open_v4l2,
        retry_s: float = 1.0,
    ) -> None:
        self._index, self._size, self._fps = index, size, fps
        self._factory, self._retry_s = factory, retry_s
        self._cap = self._open()
        if self._cap is None:
            raise MotionMusicError(f"camera {index} not found or busy (see: motionmusic cameras)")
        width, height, granted_fps, _ = configure(self._cap, *size, fps)
        self.info = SourceInfo("camera", _device_name(index), width, height, granted_fps)
        self._slot = FrameSlot()
        self._stop = threading.Event()
        self._count = 0
        self._thread = threading.Thread(target=self._grab_loop, name=f"camera{index}", daemon=True)
        self._thread.start()

    def _open(self) -> Capture | None:
        cap = self._factory(self._index)
        if cap.isOpened():
            return cap
        cap.release()
        return None

    @property
    def dropped(self) -> int:
        return self._slot.dropped

    def _grab_loop(self) -> None:
        while not self._stop.is_set():
            if self._cap is None:
                self._stop.wait(self._retry_s)
                self._cap = self._open()
                if self._cap is not None:
                    configure(self._cap, *self._size, self._fps)
                continue
            ok = self._cap.grab()
            t_ns = time.monotonic_ns()
            image = self._cap.retrieve()[1] if ok else None
            decode_ns = time.monotonic_ns() - t_ns
            if image is None:
                self._cap.release()
                self._cap = None
                self._slot.set_status(SourceStatus.LOST)
                continue
            self._slot.publish(Frame(self._count, t_ns, image, decode_ns))
            self._count += 1

    def read(self, timeout: float = 1.0) -> Frame | SourceStatus:
        return self._slot.take(timeout)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        if self._cap is not None:
            self._cap.release()
