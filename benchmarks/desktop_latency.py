"""Frame → sound through a desktop's sound server (PulseAudio, a null sink), beside JACK's.

Two figures, each from a run anyone can repeat:
1. Frame → sound on the clips, as `latency.py` measures it on JACK: each frame's capture
   timestamp to the synth applying its controls at the start of an audio buffer, plus the
   output's latency as reported, here by the sound server for the synth's own stream (`pactl`:
   its buffer and its sink). JACK's row comes from `latency.py` in the same run.
2. A check of the reported output latency against sound actually heard: the synth is sent a
   step from silence to a tone, 20 times; the sink's monitor is recorded by `parec` with a 5 ms
   fragment, each fragment stamped on arrival, so a sample's time is known to within the
   recorder's own path. Heard minus sent is set beside "sent → applied" plus the reported output
   latency.

Run: python benchmarks/desktop_latency.py [clip ...] (starts its own PulseAudio and jackd)
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from latency import CLIPS, measure, start_jack  # noqa: E402

from motionmusic.adapters.synth_process import SynthProcess  # noqa: E402
from motionmusic.core import channel  # noqa: E402
from motionmusic.core.controls import Controls, VoiceControls  # noqa: E402
from motionmusic.native_output import native_logs_to_file  # noqa: E402
from motionmusic.store.preset_library import find_preset  # noqa: E402
from tests.sound_server import RATE, SINK, SoundServer  # noqa: E402

FRAGMENT = 240  # samples: 5 ms at 48 kHz
STEPS = 20


class Monitor:
    """The sink's monitor, recorded, with each fragment's arrival time (monotonic ns)."""

    def __init__(self, server: SoundServer) -> None:
        self.parec = subprocess.Popen(
            ["parec", "--server", server.address, "-d", f"{SINK}.monitor", "--raw",
             "--format=s16le", f"--rate={RATE}", "--channels=1", "--latency-msec=5"],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        self.chunks: list[tuple[int, np.ndarray]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.parec.stdout is not None
        while data := self.parec.stdout.read(FRAGMENT * 2):
            self.chunks.append((time.monotonic_ns(), np.frombuffer(data, dtype="<i2")))

    def stop(self) -> tuple[np.ndarray, int]:
        """The recording, and the monotonic time (ns) of its first sample: the earliest any
        fragment could have started, given when each arrived."""
        self.parec.terminate()
        self.thread.join(timeout=5)
        audio = np.concatenate([c for _, c in self.chunks]).astype(np.float64) / 32768
        ends = np.cumsum([len(c) for _, c in self.chunks])
        arrived = np.array([t for t, _ in self.chunks])
        start = int(np.min(arrived - ends * 1e9 / RATE))
        return audio, start


def controls(t_ns: int, amp: float) -> Controls:
    voice = VoiceControls(freq=440.0, amp=amp, brightness=0.5, pan=0.5, present=True)
    return Controls(t_ns, (voice,))


def onsets(synth: SynthProcess, monitor: Monitor) -> list[int]:
    """Silence, then a tone, `STEPS` times, sent at the frame rate; the times the tones began."""
    sent = []
    for _ in range(STEPS):
        for amp, frames in ((0.0, 24), (1.0, 9)):
            for i in range(frames):
                t_ns = time.monotonic_ns()
                synth.send(controls(t_ns, amp), t_ns)
                if amp and i == 0:
                    sent.append(t_ns)
                time.sleep(1 / 30)
    return sent


def heard_at(audio: np.ndarray, start_ns: int, sent: list[int]) -> np.ndarray:
    """For each step, when the recording first rose 30 dB over the silence before it (ns)."""
    heard = []
    for t_ns in sent:
        first = int((t_ns - start_ns) * RATE / 1e9)
        window = audio[max(first - RATE // 10, 0) : first + RATE // 2]
        quiet = np.abs(window[: RATE // 20]).max() + 1e-4
        loud = np.nonzero(np.abs(window) > quiet * 31.6)[0]
        heard.append(start_ns + (max(first - RATE // 10, 0) + loud[0]) * 1e9 / RATE)
    return np.array(heard)


def check(server: SoundServer) -> None:
    theremin = find_preset("theremin")
    dry = theremin.synth.model_copy(update={"reverb": 0.0})  # a clean onset
    preset = theremin.model_copy(update={"synth": dry})
    synth = SynthProcess(preset, "portaudio").start()
    time.sleep(1.0)
    monitor = Monitor(server)
    time.sleep(0.5)
    sent = onsets(synth, monitor)
    time.sleep(0.5)
    audio, start = monitor.stop()
    applied = {int(c): int(a) for c, a in channel.latency_log(synth.array)}
    reported_ms = float(synth.array[channel.LATENCY]) * 1000
    synth.release()
    heard = (heard_at(audio, start, sent) - np.array(sent)) / 1e6
    to_applied = np.array([(applied[t] - t) / 1e6 for t in sent if t in applied])
    print(f"\nonset check through PulseAudio ({STEPS} steps from silence):")
    print(f"  heard - sent (recorded)        p50 {np.median(heard):6.1f}  p95 "
          f"{np.percentile(heard, 95):6.1f} ms")  # fmt: skip
    print(f"  sent → applied + reported      p50 {np.median(to_applied) + reported_ms:6.1f}  "
          f"p95 {np.percentile(to_applied, 95) + reported_ms:6.1f} ms "
          f"(reported output latency {reported_ms:.1f} ms)")  # fmt: skip


@contextlib.contextmanager
def no_jack() -> Iterator[None]:
    """A laptop's case: no JACK server for the synths started meanwhile (with one running,
    ALSA's default device is not the sound server's)."""
    before = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = "no-such-server"
    try:
        yield
    finally:
        if before is not None:
            os.environ["JACK_DEFAULT_SERVER"] = before


def main() -> None:
    clips = sys.argv[1:] or list(CLIPS)
    folder = Path(tempfile.mkdtemp(prefix="mm-pulse-"))
    server = SoundServer(folder / "server")
    os.environ["PULSE_SERVER"] = server.address
    log = folder / "jackd.log"
    jack = start_jack(log, 256)
    results = {}
    try:
        with native_logs_to_file():
            with no_jack():
                check(server)
            for clip in clips:
                results[clip, "jack"] = measure(clip, log, 256, backend="jack")
                with no_jack():
                    results[clip, "portaudio"] = measure(clip, None, 256, backend="portaudio")
    finally:
        jack.terminate()
        jack.wait(timeout=5)
        server.kill()
    print(f"\n{'clip':32} {'output':10} {'p50':>7} {'p95':>7}")
    for (clip, backend), (p50, p95) in results.items():
        print(f"{clip:32} {backend:10} {p50:7.1f} {p95:7.1f}")


if __name__ == "__main__":
    main()
