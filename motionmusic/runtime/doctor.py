"""What a new laptop has for a session, checked one thing at a time, each with its fix.

`motionmusic doctor` runs these in turn. A check that fails says what to do; one a session needs
(a camera, a pose model, a place for the logs, a sound output) makes the command fail, the rest
(JACK, MIDI) are said and left to the therapist.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from motionmusic import paths
from motionmusic.core.controls import Controls, VoiceControls
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.protocols import Synth
from motionmusic.store import pose_models
from motionmusic.store.preset_library import find_preset

FREE_MB = 500  # an hour's session log is a few MB; this leaves room for months of them
TONE_S, TONE_AMP = 1.0, 0.08  # the test tone: a second, quiet (about -28 dBFS)


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    ok: bool
    what: str
    fix: str = ""
    needed: bool = True  # a session cannot run without it

    def line(self) -> str:
        mark = "✔" if self.ok else "✖"
        fix = f": {self.fix}" if self.fix and not self.ok else ""
        optional = "" if self.ok or self.needed else " (optional)"
        return f"{mark} {self.what}{fix}{optional}"


def cameras() -> Check:
    from motionmusic.adapters.camera_cv2 import list_cameras

    found = list_cameras()
    if not found:
        fix = "plug in a webcam, or close the program using it (`motionmusic demo` needs none)"
        return Check(False, "camera: none found", fix)
    names = "; ".join(f"{c.index} {c.name} ({c.mode})" for c in found)
    return Check(True, f"camera: {names}")


def pose_model() -> Check:
    try:
        path = pose_models.resolve()
    except MotionMusicError as exc:
        return Check(False, f"pose model: {exc}")
    installed = ", ".join(pose_models.installed()) or "none in the data dir"
    return Check(
        True, f"pose model: {pose_models.describe(path)} verified (installed: {installed})"
    )


def data_dir() -> Check:
    """The data dir exists, is private, takes a file, and has room for session logs."""
    try:
        folder = paths.data_dir()
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except MotionMusicError as exc:
        return Check(False, f"data dir: {exc}")
    except OSError as exc:
        return Check(False, f"data dir {folder}: cannot write there ({exc.strerror or exc})",
                     "set MOTIONMUSIC_HOME to a folder you own")  # fmt: skip
    mode = folder.stat().st_mode & 0o777
    free_mb = shutil.disk_usage(folder).free / 1e6
    what = f"data dir {folder}: {mode:o}, {free_mb / 1000:.1f} GB free"
    if mode & 0o077:
        return Check(False, what, f"chmod 700 {folder} (session logs are health data)")
    if free_mb < FREE_MB:
        return Check(False, what, f"free at least {FREE_MB} MB for session logs")
    return Check(True, what)


def jack_server() -> Check:
    try:
        import jack

        client = jack.Client("motionmusic-doctor", no_start_server=True)
    except Exception:  # no libjack, or no server: both mean sound goes another way
        fix = "none running; sound goes through the desktop's sound server (start JACK for less latency)"
        return Check(False, "JACK", fix, needed=False)
    what = f"JACK server running: {client.samplerate} Hz, {client.blocksize}-frame periods"
    client.close()
    return Check(True, what)


def midi() -> Check:
    try:
        from motionmusic.adapters.midi_rtmidi import MidiOutPort

        port = MidiOutPort(name="motionmusic-doctor")
    except MotionMusicError as exc:
        return Check(False, "MIDI", str(exc), needed=False)
    api = port.api
    port.close()
    return Check(True, f"MIDI: a virtual output opens ({api})")


def sound() -> Check:
    """A quiet one-second tone through the output `auto` chooses, and its output latency."""
    from motionmusic.runtime.audio import AudioSettings, start_synth

    preset = find_preset("theremin")
    synth, _, warning = start_synth(preset, AudioSettings(), silent_ok=True)
    if warning is not None:
        fix = "start the desktop's sound server (or JACK), or plug in an audio device"
        return Check(False, "sound: no output found", fix)
    try:
        loudest = _tone(synth)
        status = synth.status()
    finally:
        synth.close()
    if status is None:  # only an offline synth has none
        return Check(False, "sound: no live output", "see the native log")
    where = f"{status.backend}, {status.route}" if status.route else status.backend
    if loudest <= 0:
        return Check(False, f"sound: {where} opened but played nothing", "see the native log")
    heard = f"heard {status.latency_ms:.0f} ms after it was sent"
    return Check(True, f"sound: a quiet test tone played through {where}; {heard}")


def _tone(synth: Synth) -> float:
    """Play the tone at the frame rate; the loudest output peak the synth reported."""
    loudest = 0.0
    voice = VoiceControls(freq=440.0, amp=TONE_AMP, brightness=0.2, pan=0.5, present=True)
    end = time.monotonic() + TONE_S
    while time.monotonic() < end:
        now = time.monotonic_ns()
        synth.send(Controls(now, (voice,)), now)
        status = synth.status()
        loudest = max(loudest, status.peak if status is not None else 0.0)
        time.sleep(1 / 30)
    return loudest


def everything() -> list[Check]:
    """Every check, in the order a therapist would fix them."""
    os.environ.setdefault("JACK_NO_START_SERVER", "1")  # look for a server; never start one
    named = {"camera": cameras, "pose model": pose_model, "data dir": data_dir, "sound": sound,
             "JACK": jack_server, "MIDI": midi}  # fmt: skip
    return [_guarded(name, check) for name, check in named.items()]


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    """A check that could not even look (no data dir for its log, say) is a failed one."""
    try:
        return check()
    except MotionMusicError as exc:
        return Check(False, f"{name}: {exc}", needed=name not in ("JACK", "MIDI"))
