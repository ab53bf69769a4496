"""Which ALSA and JACK libraries pyo plays through: the system's where it has them.

pyo's Linux wheel bundles its own libasound and libjack (renamed, in `pyo.libs`). The bundled
libasound cannot load the system's ALSA plugins, so PortAudio finds no device on a PulseAudio or
PipeWire desktop (only `hw:` cards, and a laptop's card is held by the sound server); the bundled
libjack cannot reach PipeWire's JACK. pyo 1.1 has code to load the system's libraries instead, but
it looks in `pyo/.libs` while the wheel installs to `pyo.libs`, so it never runs.

Loading the system's `libasound.so.2` and `libjack.so.0` into the global symbol scope before
pyo is imported fixes that: the dynamic linker resolves every `snd_*` and `jack_*` call of pyo's
PortAudio and JACK code to the first definition in the global scope, so to the system's, and
the bundled copies load but go unused. Where PipeWire serves JACK (its socket is there), its own
libjack is preferred, as `pw-jack` would. `MOTIONMUSIC_AUDIO_LIBRARIES=bundled` keeps pyo's own.
Elsewhere (macOS, Windows) pyo talks to CoreAudio or WASAPI and bundles nothing to replace.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ALSA, JACK = "libasound.so.2", "libjack.so.0"
PIPEWIRE_JACK = "/usr/lib*/**/pipewire-0.3/jack/libjack.so.0"
HOSTS = {"darwin": "CoreAudio", "win32": "WASAPI"}
"""PortAudio's host API where pyo has no ALSA: CoreAudio, the one macOS has; WASAPI on Windows
(pyo's default there is DirectSound, with far more latency)."""


@dataclass(frozen=True)
class AudioLibraries:
    """The libraries in use: a path for the system's, "" for pyo's bundled one."""

    alsa: str = ""
    jack: str = ""
    applies: bool = True  # False where pyo bundles no ALSA or JACK (macOS, Windows)

    def describe(self) -> str:
        if not self.applies:
            return f"audio libraries: pyo's own ({sys.platform})"
        parts = [
            f"{name} {'system ' + path if path else 'bundled with pyo'}"
            for name, path in (("ALSA", self.alsa), ("JACK", self.jack))
        ]
        return "audio libraries: " + ", ".join(parts)

    def route(self, backend: str, device: int | None = None) -> str:
        """Where the sound goes, in a few words for the session screen."""
        if backend == "jack":
            if not self.applies:
                return "JACK"
            kind = "PipeWire's" if "pipewire" in self.jack else "system" if self.jack else "pyo's"
            return f"{kind} JACK"
        output = "default output" if device is None else f"device {device}"
        if not self.applies:
            return f"{output} via {HOSTS.get(sys.platform, 'PortAudio')}"
        which = "system" if self.alsa else "pyo's"
        return f"{output} via {which} ALSA"


_loaded: AudioLibraries | None = None


def prefer_system() -> AudioLibraries:
    """Load the system's ALSA and JACK libraries globally (once; before pyo's import, or it is too
    late for this process) and say which are in use."""
    global _loaded
    if _loaded is None:
        _loaded = _load()
    return _loaded


def planned() -> AudioLibraries:
    """What a synth process started now will use, found without loading anything (for the
    screens of the process that starts it)."""
    if not sys.platform.startswith("linux"):
        return AudioLibraries(applies=False)
    if os.environ.get("MOTIONMUSIC_AUDIO_LIBRARIES", "system") == "bundled":
        return AudioLibraries()
    return AudioLibraries(alsa=_alsa() or "", jack=_jack() or "")


def _load() -> AudioLibraries:
    plan = planned()
    if not plan.applies:
        return plan
    return AudioLibraries(alsa=_global(plan.alsa), jack=_global(plan.jack))


def _alsa() -> str | None:
    return ALSA if ctypes.util.find_library("asound") else None


def _jack() -> str | None:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime, "pipewire-0").exists():
        found = sorted(glob.glob(PIPEWIRE_JACK, recursive=True))
        if found:
            return found[0]
    return JACK if ctypes.util.find_library("jack") else None


def _global(library: str) -> str:
    """Load `library` into the global scope; the file it came from, or "" when it did not load."""
    if not library:
        return ""
    try:
        ctypes.CDLL(library, mode=ctypes.RTLD_GLOBAL)
    except OSError:
        return ""
    return _mapped(Path(library).name) or library


def _mapped(name: str) -> str:
    """The file this process mapped for a library called `name` (its real path)."""
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return ""
    stem = name.split(".so")[0] + ".so"
    for line in maps:
        path = line.split(maxsplit=5)[-1] if line.count(" ") >= 5 else ""
        base = Path(path).name
        if base.startswith(stem) and "pyo.libs" not in path:
            return path
    return ""
