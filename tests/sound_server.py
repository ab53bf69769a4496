"""A desktop's sound server for the tests: PulseAudio with a null sink, as a laptop runs it (but
with no sound card), and what it played, recorded from the sink's monitor."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

SINK = "motionmusic"
RATE = 48000
PACKAGES = "apt-get install pulseaudio pulseaudio-utils libasound2-plugins"


class SoundServer:
    """A private PulseAudio server: its own socket, its only output a null sink. Clients find it
    through `PULSE_SERVER` (the ALSA `pulse` and `default` devices do too)."""

    def __init__(self, folder: Path) -> None:
        for tool in ("pulseaudio", "parec", "pactl"):
            if shutil.which(tool) is None:
                pytest.fail(f"{tool} is required for the desktop sound tests: {PACKAGES}")
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder, self.socket = folder, folder / "native"
        self.address = f"unix:{self.socket}"
        self.log = folder / "pulseaudio.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        command = [
            "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
            "--disallow-exit", "--system=no", "--log-target=stderr",
            f"--load=module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
            f"--load=module-null-sink sink_name={SINK} rate={RATE}",
        ]  # fmt: skip
        env = {**os.environ, "XDG_RUNTIME_DIR": str(self.folder), "HOME": str(self.folder)}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.kill()
                pytest.fail(f"pulseaudio did not start: {self.log.read_text()[-500:]}")
            time.sleep(0.1)

    def answers(self) -> bool:
        found = subprocess.run(
            ["pactl", "--server", self.address, "info"], capture_output=True, timeout=10
        )
        return found.returncode == 0

    def kill(self) -> None:
        """As a crash does: no goodbye to its clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        self.socket.unlink(missing_ok=True)

    def record(self, seconds: float, wav: Path) -> np.ndarray:
        """What the sink played for `seconds` (mono, its monitor), also written to `wav`."""
        raw = wav.with_suffix(".raw")
        with raw.open("wb") as out:
            parec = subprocess.Popen(
                ["parec", "--server", self.address, "-d", f"{SINK}.monitor", "--raw",
                 "--format=s16le", f"--rate={RATE}", "--channels=1", "--latency-msec=20"],
                stdout=out,
            )  # fmt: skip
            time.sleep(seconds)
            parec.send_signal(signal.SIGINT)  # it flushes what it has on SIGINT
            parec.wait(timeout=5)
        audio = np.frombuffer(raw.read_bytes(), dtype="<i2").astype(np.float64) / 32768
        sf.write(str(wav), audio, RATE)
        return audio


def loudest_db(audio: np.ndarray, window_s: float = 0.5) -> float:
    """The loudest half second's RMS, dBFS (-inf for nothing recorded)."""
    n = int(RATE * window_s)
    if len(audio) < n:
        return float("-inf")
    frames = audio[: len(audio) // n * n].reshape(-1, n)
    return float(20 * np.log10(np.sqrt((frames**2).mean(axis=1)).max() + 1e-12))
