"""Keep native libraries' log lines (MediaPipe, TFLite, later pyo) off the user's screen.

Those libraries write to file descriptor 2 directly, beneath Python, so redirecting `sys.stderr`
is not enough: fd 2 itself is pointed at a log file, and Python's own `sys.stderr` keeps writing
to the terminal through a duplicate of the original descriptor. `sys.__stderr__` is pointed at
that duplicate too: Textual draws the whole UI on it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from motionmusic import paths


def native_log_path() -> Path:
    return paths.log_dir() / "native.log"


@contextmanager
def native_logs_to_file(path: Path | None = None) -> Iterator[Path]:
    """Send fd 2 to `path` (default: the user log dir) for the duration; Python's stderr stays put."""
    path = path or native_log_path()
    sys.stderr.flush()
    terminal = os.dup(2)
    log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    python_stderr, original = sys.stderr, sys.__stderr__
    sys.stderr = os.fdopen(os.dup(terminal), "w", buffering=1, encoding="utf-8", errors="replace")
    sys.__stderr__ = sys.stderr  # type: ignore[misc]
    try:
        yield path
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr, sys.__stderr__ = python_stderr, original  # type: ignore[misc]
        os.dup2(terminal, 2)
        os.close(terminal)


def redirect_native_output(path: Path) -> None:
    """For a child process with no screen of its own: send fds 1 and 2 to `path` for good."""
    log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
