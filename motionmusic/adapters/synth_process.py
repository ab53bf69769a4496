"""The synth in a process of its own, fed through shared memory.

A busy Python thread in pyo's process made it drop 57 audio buffers in 5 s here; alone it dropped
none. So pyo runs in a child process (spawned: no inherited threads or locks) and the loop only
writes numbers into a shared array (`core.channel`), which the synth reads at the start of each
audio buffer. Measured on JACK with 256-frame periods (benchmarks/channel.py), a value is applied
2.95 ms p50 / 5.2 ms p95 after it is written, against 8.3 / 10.6 ms for pyo's OscReceive without
interpolation and 35 / 41 ms with its default interpolation.

This module does not import pyo: the loop's process never loads it.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing import shared_memory
from pathlib import Path
from typing import Any

import numpy as np

from motionmusic.adapters.audio_libraries import planned
from motionmusic.core import channel as ch
from motionmusic.core.controls import Controls
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import Preset
from motionmusic.core.protocols import AudioStatus
from motionmusic.native_output import native_log_path

BACKENDS = ("portaudio", "jack")
STALL_S = 0.5  # an audio callback silent this long: the synth has lost its audio device
WORD_S = 0.3  # how much longer a silent JACK synth waits for its server to say it shut down
GONE = {"jack": "the JACK server is gone", "portaudio": "the audio device is gone"}
STALLED = {
    "jack": "the JACK server stopped calling the synth",
    "portaudio": "the audio device stopped calling the synth",
}
SHM_DIR = Path("/dev/shm")  # where Linux keeps POSIX shared memory; elsewhere nothing is swept
PREFIX = "motionmusic_"  # then the owner's pid: a segment whose owner is gone is swept


def _owner_alive(name: str) -> bool:
    pid = name.removeprefix(PREFIX).split("_")[0]
    if not pid.isdigit():
        return True  # not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep_orphans(directory: Path = SHM_DIR) -> int:
    """Free the shared memory of sessions killed outright (SIGKILL of the whole process group
    also kills Python's resource tracker, which would have freed it); returns how many."""
    if not directory.is_dir():
        return 0
    swept = 0
    for path in directory.glob(PREFIX + "*"):
        if not _owner_alive(path.name):
            path.unlink(missing_ok=True)
            swept += 1
    return swept


def _create_memory(size: int) -> shared_memory.SharedMemory:
    sweep_orphans()
    name = f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    return shared_memory.SharedMemory(name=name, create=True, size=size)


def cause_of_death(exitcode: int | None) -> str:
    """A synth process's end in words: the signal that killed it, or the status it exited with
    (None: it still runs)."""
    if exitcode is None:
        return "the synth process still runs"
    if exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        described = (signal.strsignal(number) or name).lower()
        return f"the synth crashed ({described}, {name})"
    return f"the synth process exited with status {exitcode}"


def _child(*args: Any) -> None:
    # A synth looking for a JACK server that went away must not start one of its own (with
    # whatever settings ~/.jackdrc says): it waits for the room's server to come back.
    os.environ["JACK_NO_START_SERVER"] = "1"
    from motionmusic.adapters.synth_pyo import serve

    serve(*args)


class SynthProcess:
    """Start, feed, watch and restart the synth process."""

    def __init__(
        self,
        preset: Preset,
        backend: str = "jack",
        rate: int = 48000,
        buffer: int = 256,
        device: int | None = None,
        start_timeout: float = 15.0,
    ) -> None:
        if backend not in BACKENDS:
            raise MotionMusicError(
                f"unknown audio backend {backend!r} (choose: {', '.join(BACKENDS)})"
            )
        self.preset, self.backend, self.rate, self.buffer, self.device = (
            preset,
            backend,
            rate,
            buffer,
            device,
        )
        self._timeout = start_timeout
        self._memory = _create_memory(ch.SIZE * 8)
        self.array: ch.FloatArray = np.ndarray(
            (ch.SIZE,), dtype=np.float64, buffer=self._memory.buf
        )
        self.array[:] = 0.0
        self.writer = ch.ControlWriter(self.array)
        self._context = multiprocessing.get_context("spawn")
        self.process: Any = None
        self.restarts = 0
        self._restarting: threading.Thread | None = None
        self._beat = (-1, time.monotonic())  # the heartbeat last seen, and when it last moved
        self._closing = False
        self.fault = ""  # why it stopped sounding last, in words ("" never)
        self.faults = 0  # how often it stopped sounding
        self.route = planned().route(backend, device)  # what the synth process will load

    def start(self) -> SynthProcess:
        self.array[ch.PEAK] = self.array[ch.STOP] = 0.0  # a new one
        self.array[ch.STATUS] = ch.STARTING
        self._beat = (self.heartbeat, -float("inf"))  # nor alive, until it opens its audio
        args = (
            self._memory.name,
            self.preset.model_dump_json(),
            self.backend,
            self.rate,
            self.buffer,
            self.device,
            str(native_log_path()),
        )
        self.process = self._context.Process(
            target=_child, args=args, name="motionmusic-synth", daemon=True
        )
        self.process.start()
        deadline = time.monotonic() + self._timeout
        while (
            self.array[ch.STATUS] == ch.STARTING
            and self.process.is_alive()
            and time.monotonic() < deadline
        ):
            time.sleep(0.02)
        if self.array[ch.STATUS] != ch.RUNNING:
            # a first start that fails frees everything; a restart keeps the channel to retry
            self.stop_process() if self.restarts else self.close()
            hint = {
                "jack": "is a JACK server running?",
                "portaudio": "see: motionmusic audio-devices",
            }[self.backend]
            raise MotionMusicError(
                f"no {self.backend} audio: the synth could not open it ({hint}; log: {native_log_path()})"
            )
        self._beat = (self.heartbeat, time.monotonic())  # audio is open: it must beat now
        return self

    def send(self, controls: Controls, t_ns: int) -> None:
        if self.writer is not None:  # closed: nothing left to play
            self.writer.send(controls, t_ns)

    def set_muted(self, muted: bool) -> None:
        if self.writer is not None:
            self.writer.mute(muted)

    @property
    def peak(self) -> float:
        """The synth's output peak over its latest buffer, as the client hears it (0..1)."""
        return float(self.array[ch.PEAK])

    @property
    def heartbeat(self) -> int:
        return int(self.array[ch.HEARTBEAT])

    def alive(self) -> bool:
        """The process runs and its audio callback beats: a synth whose JACK server went away
        lives on, silent, with a heart that stopped (seen within `STALL_S`)."""
        return self.process is not None and self.process.is_alive() and self._beating()

    def _beating(self) -> bool:
        beat, now = self.heartbeat, time.monotonic()
        if beat != self._beat[0]:
            self._beat = (beat, now)
            return True
        silent = now - self._beat[1]
        if silent < STALL_S:
            return True
        # a JACK server shutting down tells the synth's client a moment after its last cycle:
        # waited for, so that what is said first is why (on a busy machine it came 0.1 s late)
        told = self.array[ch.STATUS] == ch.SERVER_GONE
        return self.backend == "jack" and not told and silent < STALL_S + WORD_S

    def restart(self) -> None:
        """Replace a dead (or silent) synth process; the controls in shared memory survive."""
        if self._closing:
            return
        if self.process is not None:
            if self.process.is_alive():  # alive but silent: its audio server is gone
                self.process.kill()
            self.process.join(timeout=1.0)
        self.restarts += 1
        self.start()

    def ensure_alive(self) -> None:
        """Called every frame: if the synth died, restart it in the background (never blocks)."""
        restarting = self._restarting
        if (
            self.writer is None
            or self.alive()
            or (restarting is not None and restarting.is_alive())
        ):
            return
        if self.process is not None:  # it was playing (not a restart that found no audio)
            self.fault, self.faults = self._cause(), self.faults + 1
        self._restarting = threading.Thread(
            target=self._restart_quietly, name="synth-restart", daemon=True
        )
        self._restarting.start()

    def _cause(self) -> str:
        """Why the synth that was playing is silent: it crashed or exited (its exit code says
        how), or it runs but its audio callback stopped: the server said it shut down, or not."""
        if self.process.is_alive():
            gone = self.array[ch.STATUS] == ch.SERVER_GONE
            return (GONE if gone else STALLED)[self.backend]
        return cause_of_death(self.process.exitcode)

    def _restart_quietly(self) -> None:
        try:
            self.restart()
        except MotionMusicError:
            self.fault = GONE[self.backend]  # no audio output to open: it is not there
            time.sleep(1.0)  # audio still unavailable: the next frame tries again

    def latencies_ms(self) -> np.ndarray:
        """Write-to-apply times of the frames the synth applied, in milliseconds."""
        log = ch.latency_log(self.array)
        return (log[:, 1] - log[:, 0]) / 1e6

    def status(self) -> AudioStatus:
        """For watchers: backend, alive, level, recent frame → sound latency, late buffers."""
        if self.writer is None:
            return AudioStatus(self.backend, False, 0.0, float("nan"), 0)
        recent = ch.latency_log(self.array, last=30)
        apply_ms = (recent[:, 1] - recent[:, 0]) / 1e6
        reported = float(self.array[ch.LATENCY])  # the synth's output says (PortAudio)
        out_ms = (reported or output_latency_s(self.rate, self.buffer)) * 1000
        latency = float(np.median(apply_ms)) + out_ms if len(apply_ms) else float("nan")
        late = int(self.array[ch.LATE])
        return AudioStatus(
            self.backend, self.alive(), self.peak, latency, late, self.fault, self.faults,
            self.route,
        )  # fmt: skip

    def stop_process(self) -> None:
        """Fade out and end the synth process; the shared memory stays (it can be restarted)."""
        if self.writer is not None:  # a flag in shared memory: no lock a dead synth could hold
            self.array[ch.STOP] = 1.0
        if self.process is not None:
            self.process.join(timeout=self.preset.synth.fade_ms / 1000 + 3.0)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(timeout=1.0)
        self.process = None

    def close(self) -> None:
        """Stop the process and free the shared memory; safe to call twice. A restart under way
        (the audio server came back just now) is waited for first."""
        self._closing = True
        restarting = self._restarting
        if restarting is not None and restarting is not threading.current_thread():
            restarting.join(timeout=self._timeout + 2.0)
        self.stop_process()
        if self.writer is None:
            return
        del self.array
        self.writer = None  # type: ignore[assignment]
        self._memory.close()
        self._memory.unlink()

    release = close  # the name earlier callers used

    @classmethod
    def factory(
        cls, backend: str, buffer: int = 256, device: int | None = None
    ) -> Callable[[Preset], SynthProcess]:
        """Synths for other presets, on the same audio settings (for switching while playing)."""
        return lambda preset: cls(preset, backend, buffer=buffer, device=device).start()


def output_latency_s(rate: int, buffer: int, periods: int = 2, period: int = 256) -> float:
    """Audio that is computed now is heard after pyo's buffer and the backend's periods."""
    return (buffer + periods * period) / rate
