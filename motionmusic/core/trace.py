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

Version 3 puts a `kind` byte first in every record: 0 is a frame; 2 starts an *event* (a JSON
object, prefixed by its uint32 length, spread over as many records as it needs, each further one
of kind 3). Events are what changed while the session ran (a target set, a preset switched, a
calibration saved), written at the moment they took effect, between the frames around them; the
records stay fixed-size, so a log still reads with one `frombuffer` and survives a torn tail. A
voice's controls also record the note it played (`midi`).

Version 4 says whose frame it is: `present` is 1 for the client's pose, 0 when nobody was found,
and 2 when someone else was in view instead (the therapist, a passer-by): nothing of them is
written, neither landmarks nor angles.
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

from motionmusic.core.controls import CONTROL_FIELDS, Controls
from motionmusic.core.damage import sound_frames
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.features import FEATURE_INDEX, FEATURE_NAMES, Features
from motionmusic.core.landmarks import LANDMARK_NAMES, NUM_LANDMARKS
from motionmusic.core.pose import PoseFrame
from motionmusic.core.protocols import Sample

MAGIC = b"MMTRACE\n"
VERSION = 4
READS = (1, 2, 3, 4)
FRAME, EVENT, MORE = 0, 2, 3  # record kinds (version 3)
NOBODY, CLIENT, SOMEONE_ELSE = 0, 1, 2  # `present` (version 4)
SUFFIX = ".mmtrace"


def record_dtype(n_angles: int, n_voices: int = 0, version: int = VERSION) -> np.dtype[Any]:
    fields = CONTROL_FIELDS if version >= 3 else CONTROL_FIELDS[:6]
    controls = (
        [("controls", "<f4", (n_voices, len(fields))), ("reward", "<f4", (2,))] if n_voices else []
    )
    kind = [("kind", "u1")] if version >= 3 else []
    return np.dtype(
        [
            *kind,
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


RECORD_DTYPE = record_dtype(len(FEATURE_NAMES))


@dataclass(frozen=True, slots=True)
class TraceHeader:
    image_size: tuple[int, int]
    fps: float
    source: str
    angles: tuple[str, ...] = FEATURE_NAMES
    voices: int = 0
    session: dict[str, Any] | None = None
    version: int = VERSION
    model: str | None = None  # the pose model that tracked it (e.g. "lite (a363f82e7e89)")

    @property
    def dtype(self) -> np.dtype[Any]:
        return record_dtype(len(self.angles), self.voices, self.version)

    def to_json(self) -> bytes:
        extra: dict[str, Any] = (
            {"voices": self.voices, "session": self.session} if self.voices else {}
        )
        if self.model is not None:
            extra["model"] = self.model
        return json.dumps(
            {
                "format": "motionmusic-trace",
                "version": self.version,
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
        self,
        t_ns: int,
        pose: PoseFrame | None,
        angles: Features,
        controls: Controls | None = None,
        present: int | None = None,
    ) -> None:
        """One frame: the client's `pose` and `angles`, or (`pose` None) why there is none:
        `present` NOBODY or SOMEONE_ELSE; or CLIENT without a pose, for a client played by a
        source other than the body (their face, their hand)."""
        record = np.zeros((), dtype=self._dtype)
        self._t0 = t_ns if self._t0 is None else self._t0
        record["t_ns"] = t_ns - self._t0
        record["angles"], record["confidence"] = angles.values, angles.confidence
        if pose is None:
            record["image"] = record["world"] = np.nan
            record["present"] = NOBODY if present is None else present
            if present == CLIENT and np.isnan(angles.values).all():
                record["present"] = NOBODY
            if present == SOMEONE_ELSE:
                record["angles"] = record["confidence"] = np.nan
        else:
            record["present"] = CLIENT
            record["image"], record["world"] = pose.image, pose.world
            record["visibility"], record["presence"] = pose.visibility, pose.presence
        if controls is not None and "controls" in record.dtype.names:
            record["controls"][: len(controls.voices)] = [v.as_record() for v in controls.voices]
            record["reward"] = (controls.reward, controls.stretch)
        self._file.write(record.tobytes())
        self.frames += 1
        self._flush_now_and_then()

    def record(self, sample: Sample, controls: Controls | None) -> None:
        """As a sink of the engine: the frame as measured (raw angles), and its controls."""
        self.write(sample.frame.t_ns, sample.pose, sample.raw, controls, sample.seen.code)

    def write_event(self, t_ns: int, event: dict[str, Any]) -> None:
        """Log what changed at `t_ns` (a JSON object), between the frames before and after it."""
        self._t0 = t_ns if self._t0 is None else self._t0
        body = json.dumps({"t_ns": t_ns - self._t0, **event}).encode()
        payload = struct.pack("<I", len(body)) + body
        size = self._dtype.itemsize - 1
        for i, start in enumerate(range(0, len(payload), size)):
            chunk = payload[start : start + size].ljust(size, b"\0")
            self._file.write(bytes([EVENT if i == 0 else MORE]) + chunk)
        self._file.flush()  # edits are rare and precious: on disk at once

    def _flush_now_and_then(self) -> None:
        if time.monotonic() - self._last_flush >= self._flush_every:
            self._file.flush()
            self._last_flush = time.monotonic()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


@dataclass(frozen=True, slots=True)
class Event:
    """Something that changed during a session, before frame `frame` (its index among frames)."""

    frame: int
    t_ns: int  # since the first record, like the frames' times
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data.get("type", ""))


@dataclass(frozen=True)
class Trace:
    """A trace read back: its header, a structured array of frame records, and the events."""

    header: TraceHeader
    records: np.ndarray
    path: Path
    events: tuple[Event, ...] = ()
    damaged: int = 0  # records left out because their bytes were garbled (`core.damage`)
    torn: bool = False  # the last record was cut off (a crash, a full disk): dropped

    def __len__(self) -> int:
        return len(self.records)

    def pose(self, i: int, t_ns: int) -> PoseFrame | None:
        """Frame `i`'s pose, stamped with `t_ns` (replays run on a fresh clock)."""
        r = self.records[i]
        if r["present"] != CLIENT or np.isnan(r["image"][0, 0]):  # nobody, or a face alone
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

    def features(self) -> tuple[np.ndarray, np.ndarray]:
        """Every frame's features as measured live, and their confidence, (frames, features)
        in today's order: a log that names fewer (an older one) has the rest not measured."""
        mine = [FEATURE_INDEX[name] for name in self.header.angles if name in FEATURE_INDEX]
        theirs = [i for i, name in enumerate(self.header.angles) if name in FEATURE_INDEX]
        shape = (len(self.records), len(FEATURE_NAMES))
        values, confidence = np.full(shape, np.nan), np.zeros(shape)
        values[:, mine] = self.records["angles"][:, theirs]
        confidence[:, mine] = self.records["confidence"][:, theirs]
        return values, confidence

    def angles(self) -> Iterator[Features]:
        """The features as they were measured live, frame by frame (`features`)."""
        values, confidence = self.features()
        for i, r in enumerate(self.records):
            yield Features(int(r["t_ns"]), values[i], confidence[i])


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
            int(version),
            meta.get("model"),
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
    torn = (len(raw) - offset) % dtype.itemsize != 0
    records = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
    if header.version < 3:
        frames, damaged = sound_frames(records, np.ones(len(records), dtype=bool))
        return Trace(header, records[frames], path, (), damaged, torn)
    kinds = records["kind"]
    frames, damaged = sound_frames(records, kinds == FRAME)
    events, unreadable = _events(records, kinds, frames)
    unknown = int((~np.isin(kinds, (FRAME, EVENT, MORE))).sum())
    return Trace(header, records[frames], path, events, damaged + unreadable + unknown, torn)


def _events(
    records: np.ndarray, kinds: np.ndarray, frames: np.ndarray
) -> tuple[tuple[Event, ...], int]:
    """The events, and how many could not be read (cut short by a crash, or garbled): those are
    left out, as a damaged frame is."""
    frames_before = np.cumsum(frames) - frames
    events, unreadable = [], 0
    for first in np.flatnonzero(kinds == EVENT):
        start = end = int(first)
        end += 1
        while end < len(kinds) and kinds[end] == MORE:
            end += 1
        payload = b"".join(r.tobytes()[1:] for r in records[start:end])
        (length,) = struct.unpack_from("<I", payload)
        try:
            data = json.loads(payload[4 : 4 + length]) if len(payload) >= 4 + length else None
            t_ns = int(data.pop("t_ns")) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            t_ns = None
        if t_ns is None or not isinstance(data, dict):
            unreadable += int(end < len(kinds))  # a torn last event is the crash's, not damage
            continue
        events.append(Event(int(frames_before[start]), t_ns, data))
    return tuple(events), unreadable
