"""The client store: profiles and session logs on this machine only, readable by its owner only.

Layout under the user data dir (`MOTIONMUSIC_HOME/data` when set):

    clients/<id>/profile.toml        the profile (0600)
    clients/<id>/profile.prev.toml   the version before the last save (0600)
    clients/<id>/sessions/*.mmtrace  session logs, with a *.summary.json each (0600)

Directories are 0700. A profile is written to a temporary file, flushed to disk and renamed over
the old one, so a crash mid-save leaves the previous good version, never half a file.
"""

from __future__ import annotations

import fcntl
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import tomli_w

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.profile import CLIENT_PATTERN, Profile, parse_profile
from motionmusic.paths import data_dir

PROFILE = "profile.toml"
PREVIOUS = "profile.prev.toml"
FILE_MODE, DIR_MODE = 0o600, 0o700
LOCK = "session.lock"


def root() -> Path:
    path = data_dir() / "clients"
    path.mkdir(mode=DIR_MODE, exist_ok=True)
    return path


def check_id(client: str) -> str:
    if not re.fullmatch(CLIENT_PATTERN, client):
        raise MotionMusicError(
            f"invalid client id {client!r}: use up to 40 letters, digits, - or _ (a pseudonym)"
        )
    return client


def client_dir(client: str) -> Path:
    return root() / check_id(client)


def exists(client: str) -> bool:
    return (client_dir(client) / PROFILE).is_file()


def ids() -> list[str]:
    return sorted(p.parent.name for p in root().glob(f"*/{PROFILE}"))


def load(client: str) -> Profile:
    """The client's profile; unknown or corrupt is one clear line (nothing is changed)."""
    path = client_dir(client) / PROFILE
    if not path.is_file():
        raise MotionMusicError(
            f"unknown client {client!r} (create it with: motionmusic clients add {client})"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MotionMusicError(f"cannot read profile {path}: {exc}") from exc
    profile = parse_profile(text, str(path))
    if profile.client != client:
        raise MotionMusicError(f"{path}: client: says {profile.client!r}, folder says {client!r}")
    return profile


def create(client: str, preset: str | None = None, notes: str = "") -> Profile:
    if exists(client):
        raise MotionMusicError(f"client {client!r} already exists")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    profile = Profile(client=check_id(client), created=now, preset=preset, notes=notes)
    save(profile)
    return profile


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically with mode 0600: temp file, fsync, rename."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def save(profile: Profile) -> Path:
    """Store the profile; the version it replaces is kept as profile.prev.toml."""
    folder = client_dir(profile.client)
    folder.mkdir(mode=DIR_MODE, exist_ok=True)
    path = folder / PROFILE
    data = tomli_w.dumps(profile.model_dump(mode="python", exclude_none=True)).encode()
    try:
        if path.is_file():
            write_private(folder / PREVIOUS, path.read_bytes())
        write_private(path, data)
    except OSError as exc:
        raise MotionMusicError(f"cannot save profile {path}: {exc.strerror}") from exc
    return path


def sessions_dir(client: str) -> Path:
    path = client_dir(client) / "sessions"
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path


def new_session_path(client: str, started: datetime | None = None) -> Path:
    """A fresh session log path, named by its start time (local time, to the second)."""
    stamp = (started or datetime.now()).strftime("%Y-%m-%dT%H-%M-%S")
    path = sessions_dir(client) / f"{stamp}.mmtrace"
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{stamp}-{n}.mmtrace")
    return path


class SessionLock:
    """One session at a time per client: an exclusive lock on `clients/<id>/session.lock`, held
    while a session log is written, so two motionmusic instances never log the same client at
    once (the second is refused, naming the first's process). The kernel drops the lock when the
    holder dies, even by `kill -9`: a stale lock file never blocks anyone."""

    def __init__(self, client: str) -> None:
        path = client_dir(client) / LOCK
        path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(self._fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(self._fd)
            raise MotionMusicError(
                f"client {client} is in a session in another motionmusic (process {holder}): "
                "one session log per client at a time"
            ) from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, str(os.getpid()).encode(), 0)

    def release(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1


def ensure_free(client: str) -> None:
    """Refuse at once (one clear line) when another motionmusic is logging this client."""
    SessionLock(client).release()


def sessions(client: str) -> list[Path]:
    """The client's session logs, oldest first."""
    return sorted(sessions_dir(client).glob("*.mmtrace"))


def write_private_text(path: Path, text: str) -> None:
    write_private(path, text.encode())
