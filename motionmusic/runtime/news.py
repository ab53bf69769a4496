"""What the engine says about the room, as it happens: the client out of view or back, someone
else where they stood, each player of a group coming and going, tracking too poor to play steadily,
the camera lost and back, the sound lost and back. Said to the watcher (a toast, a printed line)
and, where it explains a gap in the frames or in a voice, written in the session log as an event.

Changes of who is in view are said once they have lasted `ANNOUNCE_S`: a single lost frame is not
news (the screen shows it at once).
"""

from __future__ import annotations

from collections.abc import Callable

from motionmusic.core.client import Seen
from motionmusic.core.protocols import AudioStatus, Sample

ANNOUNCE_S = 0.3
SOUND_BACK = "sound back"
CAMERA_LOST = "camera lost: no frames, sound faded"
CAMERA_BACK = "camera back"
UNSTEADY = "tracking unsteady: move closer or add light"
STEADY = "tracking steady again"


def sound_lost(cause: str) -> str:
    """What is said when the synth stops sounding, with why (`AudioStatus.fault`)."""
    return (
        f"no sound: {cause or 'the audio output stopped'}; retrying every second, "
        "tracking and the session log go on"
    )


Say = Callable[[str], None]
Log = Callable[[int, str, str], None]  # (t_ns, kind, what): an event in the session log


class Watch:
    """One thing whose changes are said once they have lasted `ANNOUNCE_S` (or at once)."""

    def __init__(self, state: object) -> None:
        self.said = state
        self._since: tuple[object, int] | None = None

    def changed(self, state: object, t_ns: int, at_once: bool = False) -> bool:
        if self._since is None or self._since[0] != state:
            self._since = (state, t_ns)
        if state == self.said or not (at_once or t_ns - self._since[1] >= ANNOUNCE_S * 1e9):
            return False
        self.said = state
        return True


class News:
    def __init__(self, say: Say, log: Log) -> None:
        self._say, self._log = say, log
        self._client = Watch(Seen.CLIENT)
        self._group: list[Watch] = []  # group play: persons 2, 3, ... in view
        self._silent = ""  # why the sound was last said lost ("": it plays)
        self._unsteady = Watch(False)
        self._faults = 0
        self.camera_lost = False

    def frame(self, sample: Sample, first: bool) -> None:
        """The client out of view, someone else, back; in group play each person coming and
        going (logged: it says why their voice fell silent)."""
        t_ns, seen = sample.frame.t_ns, sample.seen
        if self._client.changed(seen, t_ns, first and seen is not Seen.CLIENT):
            self._say("client back in view" if seen is Seen.CLIENT else seen.value)
        del self._group[len(sample.group) :]
        self._group += [Watch(False) for _ in range(len(sample.group) - len(self._group))]
        for person, (watch, angles) in enumerate(zip(self._group, sample.group, strict=True), 2):
            if watch.changed(bool(angles.confidence.any()), t_ns):
                what = f"person {person} {'in view' if watch.said else 'out of view'}"
                self._say(what)
                self._log(t_ns, "people", what)

    def tracking(self, unsteady: tuple[str, ...], t_ns: int) -> None:
        """The features played became too poorly tracked to play steadily, or steady again:
        said once it has lasted `ANNOUNCE_S`, and logged (it says why a voice held still)."""
        if self._unsteady.changed(bool(unsteady), t_ns):
            what = f"{UNSTEADY} ({', '.join(unsteady)})" if unsteady else STEADY
            self._say(what)
            self._log(t_ns, "tracking", what)

    def sound(self, audio: AudioStatus | None, t_ns: int) -> None:
        """The synth's output stopped, with why (it crashed, or its audio server went away), or
        came back: said, and marked in the session log. A synth that crashed and is already back
        is said too (a silent synth, with no audio device at all, is no news)."""
        if audio is None or audio.backend.startswith("none"):
            return
        died, self._faults = audio.faults > self._faults, audio.faults
        cause = audio.fault
        # silent with no cause yet: the frame that restarts the synth says why, a moment later
        if died or (not audio.alive and cause and cause != self._silent):
            self._silent = cause
            self._tell(t_ns, sound_lost(cause))
        elif audio.alive and self._silent:
            self._silent = ""
            self._tell(t_ns, SOUND_BACK)

    def _tell(self, t_ns: int, what: str) -> None:
        self._say(what)
        self._log(t_ns, "sound", what)

    def camera(self, lost: bool, t_ns: int) -> None:
        """The camera went or came back: said, and marked in the session log (the frames between
        are missing from it, and this says why)."""
        if lost != self.camera_lost:
            self.camera_lost = lost
            what = CAMERA_LOST if lost else CAMERA_BACK
            self._say(what)
            self._log(t_ns, "source", what)
