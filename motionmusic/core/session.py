"""Session logs: a trace that also says who played, with which preset, and what the synth was sent.

A session log is a trace (version 2) whose header carries the client's pseudonym, the preset and
the profile as they were played, and whose records add the controls sent each frame. Being a
trace, it replays like one: `motionmusic replay` plays the client's movement through another
preset. No pixels, ever; flushed every second, so `kill -9` loses at most the last second.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from motionmusic.core.channel import MAX_VOICES
from motionmusic.core.controls import Controls
from motionmusic.core.features import Features
from motionmusic.core.pose import PoseFrame
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import SourceInfo
from motionmusic.core.trace import TraceHeader, TraceWriter

Kind = Literal["live", "replay"]


def session_header(
    info: SourceInfo,
    preset: Preset,
    profile: Profile | None,
    kind: Kind,
    source: str = "",
    model: str = "",
) -> TraceHeader:
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    meta = {
        "kind": kind,
        "client": profile.client if profile else None,
        "started": started,
        "features": preset.features,
        "preset": preset.model_dump(mode="json"),
        "profile": profile.model_dump(mode="json") if profile else None,
        "replayed": source if kind == "replay" else None,
    }
    size = (info.width, info.height)
    return TraceHeader(
        size, info.fps, info.name, voices=MAX_VOICES, session=meta, model=model or None
    )


class SessionLog:
    """Appends a session frame by frame; the engine calls it from its loop (a buffered write)."""

    def __init__(self, path: Path, header: TraceHeader) -> None:
        self.writer = TraceWriter(path, header)
        self.path = path

    def record(
        self,
        t_ns: int,
        pose: PoseFrame | None,
        angles: Features,
        controls: Controls,
        present: int | None = None,
    ) -> None:
        """One frame: the client's pose, or none (`present` says whether someone else was in
        view: then the frame is marked *not the client*, and nothing of them is written)."""
        self.writer.write(t_ns, pose, angles, controls, present)

    def event(self, t_ns: int, kind: str, what: str, **data: Any) -> None:
        """Log an edit made while playing (`what` says it in words for the summary), at `t_ns`:
        it applies from the next frame on."""
        self.writer.write_event(t_ns, {"type": kind, "what": what, **data})

    @property
    def frames(self) -> int:
        return self.writer.frames

    def close(self) -> None:
        self.writer.close()
