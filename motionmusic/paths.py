"""Where motionmusic keeps its files: every user directory in one place.

Directories come from platformdirs; `MOTIONMUSIC_HOME`, when set, replaces all of them with
sub-directories of itself (tests and CI use it, and so can a clinic that wants one folder to back up).
Directories are created 0700: profiles and session logs are health data.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from motionmusic.core.errors import MotionMusicError

APP = "motionmusic"


def _home() -> Path | None:
    home = os.environ.get("MOTIONMUSIC_HOME")
    return Path(home).expanduser() if home else None


def _ensure(path: Path) -> Path:
    """`path`, made if need be; one line naming it and the fix when it cannot be."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise MotionMusicError(
            f"cannot keep motionmusic's files in {path} ({exc.strerror or exc}): "
            "set MOTIONMUSIC_HOME to a folder you own"
        ) from exc
    return path


def data_dir() -> Path:
    home = _home()
    return _ensure(home / "data" if home else platformdirs.user_data_path(APP))


def log_dir() -> Path:
    home = _home()
    return _ensure(home / "logs" if home else platformdirs.user_log_path(APP))


def config_dir() -> Path:
    home = _home()
    return _ensure(home / "config" if home else platformdirs.user_config_path(APP))


def models_dir() -> Path:
    return _ensure(data_dir() / "models")
