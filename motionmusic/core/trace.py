"""Recorded traces: what the tracker saw, frame by frame, without a single pixel.

Format (version 1), designed to be appended live and survive a crash:

    b"MMTRACE\\n"                 8-byte magic
    uint32 little-endian N        length of the header
    N bytes of UTF-8 JSON         {"format", "version", "landmarks", "angles", "image_size",
                                   "fps", "source", "created", "dtype"}
    records                       fixed-size little-endian records, `record_dtype`, one per frame

A record holds the capture time (ns since the first frame), whether a pose was found, image and
world landmarks, visibility, presence, and the angles measured live with their confidence (NaN where
absent). About 1.2 kB a frame: 2.2 MB a minute at 30 fps. A torn last record (crash, `kill -9`) is
ignored on reading; the writer flushes at least once a second.

Version 2 adds sessions: a header may name `voices` (> 0) and carry a `session` object (client,
preset, profile as played); each record then also holds what was sent to the synth: per voice
(freq, amp, brightness, pan, present, strike) and (reward, stretch). Version 1 files still read.
"""

from __future__ import annotations

import json
import os
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from motionmusic.core.angles import ANGLE_NAMES, Angles
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.landmarks import LANDMARK_NAMES, NUM_LANDMARKS
from motionmusic.core.performer import Controls
from motionmusic.core.pose import PoseFrame

MAGIC = b"MMTRACE\n"
VERSION = 2
READS = (1, 2)
CONTROL_FIELDS = ("freq", "amp", "brightness", "pan", "present", "strike")
SUFFIX = ".mmtrace"


def record_dtype(n_angles: int, n_voices: int = 0) -> np.dtype[Any]:
    controls = (
        [("controls", "<f4", (n_voices, len(CONTROL_FIELDS))), ("reward", "<f4", (2,))]
        if n_voices
        else []
    )
    return np.dtype(
        [
            ("t_ns", "<i8"),
            ("present", "u1"),
            ("image", "<f4", (NUM_LANDMARKS, 3)),
            ("world", "<f4", (NUM_LANDMARKS, 3)),
            ("visibility", "<f4", (NUM_LANDMARKS,)),
            ("presence", "<f4", (NUM_LANDMARKS,)),
            ("angles", "<f4", (n_angles,)),
            ("confidence", "<f4", (n_angles,)),
            *controls,
        ]
    )


RECORD_DTYPE = record_dtype(len(ANGLE_NAMES))


@dataclass(frozen=True, slots=True)
class TraceHeader:
    image_size: tuple[int, int]
    fps: float
    source: str
    angles: tuple[str, ...] = ANGLE_NAMES
    voices: int = 0
    session: dict[str, Any] | None = None

    @property
    def dtype(self) -> np.dtype[Any]:
        return record_dtype(len(self.angles), self.voices)

    def to_json(self) -> bytes:
        extra = {"voices": self.voices, "session": self.session} if self.voices else {}
        return json.dumps(
            {
                "format": "motionmusic-trace",
                "version": VERSION,
                "landmarks": list(LANDMARK_NAMES),
                "angles": list(self.angles),
                "image_size": list(self.image_size),
                "fps": self.fps,
                "source": self.source,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                **extra,
            }
        ).encode()


class TraceWriter:
    """Appends one record per frame; flushed to disk at least every `flush_every` seconds.

    Files are created owner-only (0600): a trace of a client is health data.
    """

    def __init__(self, path: Path, header: TraceHeader, flush_every: float = 1.0) -> None:
        self.path = path
        self._dtype = header.dtype
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            self._file: BinaryIO = os.fdopen(fd, "wb")
        except OSError as exc:
            raise MotionMusicError(f"cannot write trace {path}: {exc.strerror}") from exc
        body = header.to_json()
        self._file.write(MAGIC + struct.pack("<I", len(body)) + body)
        self._file.flush()  # a session killed in its first second still has a readable header
        self._flush_every = flush_every
        self._last_flush = time.monotonic()
        self._t0: int | None = None
        self.frames = 0

    def write(
        self, t_ns: int, pose: PoseFrame | None, angles: Angles, controls: Controls | None = None
    ) -> None:
        record = np.zeros((), dtype=self._dtype)
        self._t0 = t_ns if self._t0 is None else self._t0
        record["t_ns"] = t_ns - self._t0
        record["angles"], record["confidence"] = angles.values, angles.confidence
        if pose is None:
            record["image"] = record["world"] = np.nan
        else:
            record["present"] = 1
            record["image"], record["world"] = pose.image, pose.world
            record["visibility"], record["presence"] = pose.visibility, pose.presence
        if controls is not None and "controls" in record.dtype.names:
            record["controls"][: len(controls.voices)] = [
                (v.freq, v.amp, v.brightness, v.pan, v.present, v.strike) for v in controls.voices
            ]
            record["reward"] = (controls.reward, controls.stretch)
        self._file.write(record.tobytes())
        self.frames += 1
        if time.monotonic() - self._last_flush >= self._flush_every:
            self._file.flush()
            self._last_flush = time.monotonic()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


@dataclass(frozen=True)
class Trace:
    """A trace read back: its header and a structured array of records."""

    header: TraceHeader
    records: np.ndarray
    path: Path

    def __len__(self) -> int:
        return len(self.records)

    def pose(self, i: int, t_ns: int) -> PoseFrame | None:
        """Frame `i`'s pose, stamped with `t_ns` (replays run on a fresh clock)."""
        r = self.records[i]
        if not r["present"]:
            return None
        as64 = np.float64
        return PoseFrame(
            t_ns,
            r["image"].astype(as64),
            r["world"].astype(as64),
            r["visibility"].astype(as64),
            r["presence"].astype(as64),
            self.header.image_size,
        )

    def angles(self) -> Iterator[Angles]:
        """The angles as they were measured live."""
        for r in self.records:
            yield Angles(
                int(r["t_ns"]), r["angles"].astype(np.float64), r["confidence"].astype(np.float64)
            )


def save_trace(path: Path, header: TraceHeader, records: np.ndarray) -> None:
    """Write a whole trace at once (edited or synthetic traces: tests, tools)."""
    body = header.to_json()
    data = MAGIC + struct.pack("<I", len(body)) + body + np.ascontiguousarray(records).tobytes()
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise MotionMusicError(f"cannot write trace {path}: {exc.strerror}") from exc


def _parse_header(path: Path, raw: bytes) -> tuple[TraceHeader, int]:
    if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 4:
        raise MotionMusicError(f"{path} is not a motionmusic trace")
    (length,) = struct.unpack_from("<I", raw, len(MAGIC))
    start = len(MAGIC) + 4
    try:
        meta = json.loads(raw[start : start + length])
        version = meta["version"]
        header = TraceHeader(
            tuple(meta["image_size"]),
            float(meta["fps"]),
            meta["source"],
            tuple(meta["angles"]),
            int(meta.get("voices", 0)),
            meta.get("session"),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise MotionMusicError(f"{path}: damaged trace header ({exc})") from exc
    if version not in READS:
        raise MotionMusicError(
            f"{path}: trace format version {version}; this motionmusic reads {READS}"
        )
    return header, start + length


def read_trace(path: Path) -> Trace:
    """Read a whole trace; a torn last record is dropped, not an error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MotionMusicError(f"cannot read trace {path}: {exc.strerror}") from exc
    header, offset = _parse_header(path, raw)
    dtype = header.dtype
    count = (len(raw) - offset) // dtype.itemsize
    records = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
    return Trace(header, records, path)
