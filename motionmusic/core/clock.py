"""What time is it, and wait: the real clock and its offline twin.

Pacing (video at its own frame rate, trace replay) asks a `Clock`; tests hand in `FakeClock`, which
jumps instead of sleeping, so real-time logic runs deterministically and instantly.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ns(self) -> int:
        """Monotonic time in nanoseconds."""
        ...

    def sleep_until(self, t_ns: int) -> None:
        """Return once `now_ns() >= t_ns`."""
        ...


class RealClock:
    """`time.monotonic_ns` and `time.sleep`."""

    def now_ns(self) -> int:
        return time.monotonic_ns()

    def sleep_until(self, t_ns: int) -> None:
        delay = (t_ns - time.monotonic_ns()) / 1e9
        if delay > 0:
            time.sleep(delay)


class FakeClock:
    """A clock that only moves when told to (or when asked to wait)."""

    def __init__(self, start_ns: int = 1_000_000_000) -> None:
        self.t_ns = start_ns

    def now_ns(self) -> int:
        return self.t_ns

    def sleep_until(self, t_ns: int) -> None:
        self.t_ns = max(self.t_ns, t_ns)

    def advance(self, seconds: float) -> None:
        self.t_ns += round(seconds * 1e9)
