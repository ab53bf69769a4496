"""Frame → sound latency through the whole chain, on a real-time JACK server (dummy driver).

A clip is paced in real time through the camera-like video source, the MediaPipe model, the
engine and the synth process. Every frame's capture timestamp travels with its controls through
shared memory; the synth records when it applies them in its audio callback (both processes read
the same monotonic clock). Added: the playback latency JACK reports for its output port (the audio
computed in a cycle is heard that much later). Printed: p50/p95/p99 and SD of frame → sound, a
breakdown by stage, and xruns.

Targets (this 2-core machine): full model p50 <= 35 ms, p95 <= 50 ms, SD <= 3 ms, zero xruns;
lite model p50 <= 30 ms, p95 <= 40 ms. `--models lite,full` measures both in the same run, on
the same server, clip by clip, and prints them side by side.

Run (starts its own jackd): python benchmarks/latency.py [--models lite,full] [clip ...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import media_dir, model_named, model_path

from motionmusic.adapters.pose_mediapipe import MediaPipePose
from motionmusic.adapters.synth_process import SynthProcess
from motionmusic.adapters.video_cv2 import VideoSource
from motionmusic.core.controls import Controls
from motionmusic.core.pose import WHOLE, Frame, PoseFrame, Zone
from motionmusic.core.protocols import AudioStatus
from motionmusic.native_output import native_logs_to_file
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.tracker import Tracker
from motionmusic.store.preset_library import find_preset

CLIPS = ("dance_arms_raise_front.mp4", "tai_chi_arms_raise.mp4")
SERVER = "motionmusic-bench"


class TimedSynth:
    """The synth process, with the moment each frame's controls were handed over recorded."""

    def __init__(self, synth: SynthProcess) -> None:
        self.synth = synth
        self.sent: dict[int, int] = {}

    def send(self, controls: Controls, t_ns: int) -> None:
        self.synth.send(controls, t_ns)
        self.sent[t_ns] = time.monotonic_ns()

    def set_muted(self, muted: bool) -> None:
        self.synth.set_muted(muted)

    def ensure_alive(self) -> None:
        self.synth.ensure_alive()

    def status(self) -> AudioStatus:
        return self.synth.status()

    def close(self) -> None:
        """The benchmark reads the synth's log after the run: it closes the synth itself."""


class TimedEstimator:
    """The pose model, with each frame's inference time kept: the floor no pipeline can beat."""

    def __init__(self, estimator: MediaPipePose) -> None:
        self.estimator = estimator
        self.model = estimator.model
        self.stage_ms: dict[str, float] = {}
        self.inference: dict[int, float] = {}

    sees_people = True

    def estimate(self, frame: Frame, zone: Zone = WHOLE, slot: int = 0) -> PoseFrame | None:
        pose = self.estimator.estimate(frame, zone, slot)
        self.stage_ms = self.estimator.stage_ms
        self.inference[frame.t_ns] = self.stage_ms["inference"]
        return pose

    def find(self, frame: Frame, zone: Zone = WHOLE) -> PoseFrame | None:
        return self.estimator.find(frame, zone)

    def forget(self, slot: int = 0) -> None:
        self.estimator.forget(slot)

    def close(self) -> None:
        self.estimator.close()


def start_jack(log: Path, period: int) -> subprocess.Popen[bytes]:
    os.environ["JACK_DEFAULT_SERVER"] = SERVER
    jackd = shutil.which("jackd") or "jackd"
    command = [jackd, "-n", SERVER, "-d", "dummy", "-r", "48000", "-p", str(period)]
    server = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    time.sleep(1.5)
    return server


def playback_latency_s(rate: int = 48000) -> float:
    """What JACK reports for its playback port (`jack_lsp -l`): audio of a cycle is heard after it."""
    out = subprocess.run(
        ["jack_lsp", "-l", "system:playback_1"], capture_output=True, text=True
    ).stdout
    line = next(x for x in out.splitlines() if "playback latency" in x)
    return int(line.split("[")[1].split()[1]) / rate


def stats(name: str, values: np.ndarray) -> None:
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    print(
        f"  {name:28} p50 {p50:6.2f}  p95 {p95:6.2f}  p99 {p99:6.2f}  SD {np.std(values):5.2f} ms"
    )


def measure(
    clip: str, log: Path | None, period: int, model: Path | None = None, backend: str = "jack"
) -> tuple[float, float]:
    """Frame → sound for `clip`, printed stage by stage; returns its p50 and p95 (ms). On JACK
    (`log`: its server's) the output's latency is what JACK reports for its playback port; through
    PortAudio, what the synth's output reports (pyo's buffer plus the sound server's stream)."""
    from motionmusic.core import channel

    preset = find_preset("theremin")
    synth = SynthProcess(preset, backend, buffer=period).start()
    timed = TimedSynth(synth)
    with MediaPipePose(model or model_path()) as estimator:
        source = VideoSource(media_dir() / clip, realtime=True)
        time.sleep(0.5)
        reported = float(synth.array[channel.LATENCY]) * 1000
        output_ms = playback_latency_s() * 1000 if backend == "jack" else reported
        driver_before = log.read_text().count("Process XRun") if log else 0
        poses = TimedEstimator(estimator)
        tracker = Tracker.for_preset(source, poses, preset)
        engine = Engine(tracker, Instrument(preset, timed)).start()
        engine.wait()
        time.sleep(0.2)
        driver_after = log.read_text().count("Process XRun") if log else 0
    pairs = {int(c): int(a) for c, a in synth_log(synth)}
    synth.release()
    source.close()
    # frames after the first second (the model's warm-up and the tracker's first detection), and
    # not the silence sent when the clip ends
    first = min(timed.sent)
    captured = [c for c in list(timed.sent)[:-1] if c in pairs and c - first > 1_000_000_000]
    to_sent = np.array([(timed.sent[c] - c) / 1e6 for c in captured])
    to_applied = np.array([(pairs[c] - timed.sent[c]) / 1e6 for c in captured])
    total = np.array([(pairs[c] - c) / 1e6 for c in captured]) + output_ms
    print(
        f"\n{clip} ({estimator.model}): {engine.frames} frames sent, {source.dropped} dropped; "
        f"statistics over the {len(captured)} after the first second"
    )
    stats("capture → controls sent", to_sent)
    stats("sent → applied in synth", to_applied)
    said = "+ JACK playback latency" if backend == "jack" else "+ output latency (reported)"
    print(f"  {said:28} {output_ms:.2f} ms (reported by the server)")
    stats("frame → sound", total)
    inference = np.array([poses.inference[c] for c in captured])
    stats("  of which inference", inference)
    stats("  everything else", total - inference)
    print(f"  driver-late cycles during the run: {driver_after - driver_before}")
    return float(np.percentile(total, 50)), float(np.percentile(total, 95))


def synth_log(synth: SynthProcess) -> np.ndarray:
    from motionmusic.core import channel

    return channel.latency_log(synth.array)


TARGETS = {"lite": (30.0, 40.0), "full": (35.0, 50.0)}  # p50, p95 (ms)


def compare(clips: list[str], names: list[str], log: Path, period: int) -> None:
    """Each clip with each model, in turn, then one table: p50/p95 against the targets."""
    found = {(c, n): measure(c, log, period, model_named(n)) for c in clips for n in names}
    print(f"\n{'clip':32} {'model':6} {'p50':>7} {'p95':>7}  target (p50/p95)")
    for (clip, name), (p50, p95) in found.items():
        goal = TARGETS.get(name)
        verdict = (
            ""
            if goal is None
            else f"  {goal[0]:.0f}/{goal[1]:.0f} ms: "
            + ("met" if p50 <= goal[0] and p95 <= goal[1] else "NOT met")
        )
        print(f"{clip:32} {name:6} {p50:7.1f} {p95:7.1f}{verdict}")


def main() -> None:
    """Usage: latency.py [--period FRAMES] [--models lite,full] [clip ...] (period 256 is the
    reference setting)."""
    args = sys.argv[1:]
    period, models = 256, None
    if args[:1] == ["--period"]:
        period, args = int(args[1]), args[2:]
    if args[:1] == ["--models"]:
        models, args = args[1].split(","), args[2:]
    print(f"JACK dummy, 48 kHz, {period}-frame periods; synth buffer {period}")
    log = Path(tempfile.mkdtemp()) / "jackd.log"
    server = start_jack(log, period)
    try:
        with native_logs_to_file():
            if models:
                compare(list(args or CLIPS), models, log, period)
            for clip in [] if models else args or CLIPS:
                measure(clip, log, period)
        text = log.read_text()
        print(
            f"\nJACK log: {text.count('Process XRun')} driver-late cycles, "
            f"{text.count('client = motionmusic was not finished')} 'motionmusic not finished' reports"
        )
    finally:
        server.terminate()
        server.wait(timeout=5)


if __name__ == "__main__":
    main()
