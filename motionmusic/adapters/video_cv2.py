"""A video file as a frame source, via OpenCV.

Paced (`realtime=True`) it behaves like a camera: frame i is "captured" at start + i/fps, and a
reader that falls behind gets the newest due frame, the stale ones skipped (`grab()` without
decoding) and counted as dropped. Unpaced it hands out every frame as fast as it decodes, for
offline tracking and rendering, with timestamps on the media's own time line.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from motionmusic.core.clock import Clock, RealClock
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.pose import Frame
from motionmusic.core.protocols import SourceInfo, SourceStatus


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
        self._realtime = realtime
        self._clock = clock or RealClock()
        self._start_ns = self._clock.now_ns()
        self._period_ns = round(1e9 / fps)
        self._position = 0  # index of the frame grabbed and not yet decoded (frame 0, just now)
        self._next = 0
        self._dropped = 0

    @property
    def dropped(self) -> int:
        return self._dropped

    def _due(self, i: int) -> int:
        return self._start_ns + i * self._period_ns

    def read(self, timeout: float = 1.0) -> Frame | SourceStatus:
        want = self._next
        if self._realtime:
            self._clock.sleep_until(self._due(want))
            want += int((self._clock.now_ns() - self._due(want)) // self._period_ns)
        started = time.perf_counter_ns()
        while self._position < want:
            if not self._cap.grab():
                return SourceStatus.ENDED
            self._position += 1
        ok, image = self._cap.retrieve()
        if not ok or image is None:
            return SourceStatus.ENDED
        self._dropped += want - self._next
        self._next = want + 1
        pixels: npt.NDArray[np.uint8] = np.asarray(image, dtype=np.uint8)
        return Frame(want, self._due(want), pixels, time.perf_counter_ns() - started)

    def close(self) -> None:
        self._cap.release()
