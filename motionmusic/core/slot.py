"""A one-frame mailbox between a grab thread and the loop: the newest frame wins.

The producer (a camera's grab thread, a paced video's decode thread) overwrites whatever the loop
has not taken yet, counting it as dropped; the loop always gets the freshest frame, never a queue of
stale ones. The producer can also say the device is lost (it is retrying) or the stream has ended.
"""

from __future__ import annotations

import threading

from motionmusic.core.pose import Frame
from motionmusic.core.protocols import SourceStatus


class FrameSlot:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._status = SourceStatus.WAITING
        self._news = False  # a status the loop has not been told yet
        self.dropped = 0

    def publish(self, frame: Frame) -> None:
        with self._cond:
            self.dropped += self._frame is not None
            self._frame, self._status = frame, SourceStatus.WAITING
            self._cond.notify_all()

    def set_status(self, status: SourceStatus) -> None:
        """LOST (the producer is retrying) or ENDED (nothing more will come)."""
        with self._cond:
            self._status, self._news = status, True
            self._cond.notify_all()

    def take(self, timeout: float) -> Frame | SourceStatus:
        """The newest unread frame; else why there is none: at once when the producer has just
        said so (a camera lost: the sound fades now, not after `timeout`), else after up to
        `timeout` s."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._frame is not None or self._status is SourceStatus.ENDED or self._news,
                timeout,
            )
            frame, self._frame = self._frame, None
            self._news = False
            return frame if frame is not None else self._status
