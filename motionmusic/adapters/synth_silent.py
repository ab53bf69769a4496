"""The synth's silent twin: takes every control and plays nothing.

Used when the demo finds no audio output at all (no JACK server, no PortAudio device), so the
screen still shows the movement and the mappings, and says plainly that there is no sound.
"""

from __future__ import annotations

from motionmusic.core.controls import Controls
from motionmusic.core.protocols import AudioStatus


class SilentSynth:
    def __init__(self) -> None:
        self.last: Controls | None = None
        self.muted = False

    def send(self, controls: Controls, capture_ns: int) -> None:
        self.last = controls

    def set_muted(self, muted: bool) -> None:
        self.muted = muted

    def ensure_alive(self) -> None:
        pass

    def close(self) -> None:
        pass

    def status(self) -> AudioStatus:
        return AudioStatus("none (no audio output found)", False, 0.0, float("nan"), 0)
