"""A video file as a frame source, via OpenCV.

Paced (`realtime=True`) it behaves like a camera: a decode thread delivers frame i at start + i/fps
into a one-frame slot, so decoding overlaps inference on another core and a reader that falls
behind gets the newest frame, the stale ones counted as dropped. Pacing starts at the first read.
Unpaced it hands out every frame, decoded in the caller's thread as fast as it asks, for offline
tracking and rendering, stamped on the media's own time line.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from motionmusic.core.clock import Clock, RealClock
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.pose import Frame
from motionmusic.core.protocols import SourceInfo, SourceStatus
from motionmusic.core.slot import FrameSlot


class VideoSource:
    def __init__(self, path: Path, realtime: bool = False, clock: Clock | None = None) -> None:
        if not path.is_file():
            raise MotionMusicError(f"no such video file: {path}")
        self._cap = cv2.VideoCapture(str(path))
        if not self._cap.isOpened() or not self._cap.grab():
            self._cap.release()
            raise MotionMusicError(f"cannot read video {path}: not a video OpenCV can decode")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        fps = fps if 1.0 <= fps <= 240.0 else 30.0
        width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.info = SourceInfo("video", path.name, width, height, fps)
        self._clock = clock or RealClock()
        self._period_ns = round(1e9 / fps)
        self._start_ns = self._clock.now_ns()
        self._grabbed = True  # frame 0 is grabbed, not yet decoded
        self._index = 0
        self._slot: FrameSlot | None = FrameSlot() if realtime else None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def dropped(self) -> int:
        return self._slot.dropped if self._slot else 0

    def _next(self, t_ns: int) -> Frame | None:
        """Decode the next frame, stamped `t_ns`; None at the end of the file."""
        started = time.perf_counter_ns()
        if not self._grabbed and not self._cap.grab():
            return None
        self._grabbed = False
        ok, image = self._cap.retrieve()
        if not ok or image is None:
            return None
        pixels: npt.NDArray[np.uint8] = np.asarray(image, dtype=np.uint8)
        frame = Frame(self._index, t_ns, pixels, time.perf_counter_ns() - started)
        self._index += 1
        return frame

    def _pace(self, slot: FrameSlot) -> None:
        start = self._clock.now_ns()
        while not self._stop.is_set():
            due = start + self._index * self._period_ns
            self._clock.sleep_until(due)
            frame = self._next(due)
            if frame is None:
                slot.set_status(SourceStatus.ENDED)
                return
            slot.publish(frame)

    def read(self, timeout: float = 1.0) -> Frame | SourceStatus:
        if self._slot is None:
            frame = self._next(self._start_ns + self._index * self._period_ns)
            return SourceStatus.ENDED if frame is None else frame
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._pace, args=(self._slot,), name="video", daemon=True
            )
            self._thread.start()
        return self._slot.take(timeout)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._cap.release()
