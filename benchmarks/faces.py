"""Faces and hands on these 2 cores: frames a second per source, a face switch's delay to sound,
and the app's memory with pose + face running.

1. Frames a second, flat out, through the engine's loop (decode, models, features, filter): pose
   alone (lite, the baseline), face alone, hand alone, pose (lite) + face, pose (full) + face.
   Target: face alone and pose (lite) + face >= 30 fps.
2. A face switch's delay: the held-blink clip (frames of head_tilt_webcam.mp4, the shut eyes
   held 0.67 s) paced in real time through the face model, the engine and the synth process on
   a real-time JACK server (dummy driver), with a switch that presses in the frame the blink
   crosses its threshold (hold 0). From that frame's capture to the moment the synth applies it,
   plus JACK's playback latency. Target: <= 30 ms after the frame.
3. Memory: the peak resident set of `motionmusic run --audio offline` playing a pose + face
   preset on the head-and-shoulders clip (the synth is a process of its own: not counted).
   Target: <= 500 MB.

Run (starts its own jackd): python benchmarks/faces.py [--write-readme]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import cv2
import numpy as np
from common import media_dir, model_named, publish, without_pixels
from latency import TimedSynth, playback_latency_s, start_jack, synth_log

from motionmusic.adapters.face_mediapipe import MediaPipeFace
from motionmusic.adapters.hand_mediapipe import MediaPipeHand
from motionmusic.adapters.pose_mediapipe import MediaPipePose
from motionmusic.adapters.synth_process import SynthProcess
from motionmusic.adapters.video_cv2 import VideoSource
from motionmusic.core.features import Source
from motionmusic.core.filters import OFF, FeatureFilter
from motionmusic.core.presets import Preset, parse_preset_text
from motionmusic.core.protocols import FeatureSource
from motionmusic.runtime.engine import Engine, track_all
from motionmusic.runtime.face_source import FaceSource
from motionmusic.runtime.hand_source import HandSource
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.tracker import Tracker
from motionmusic.store import landmarker_models
from motionmusic.store.preset_library import find_preset

FACE_CLIP = "head_tilt_webcam.mp4"
HAND_CLIP = "hands/asl_hand_25fps.mp4"
POSE_AND_FACE = """
name = "pose-and-face"
[[voices]]
name = "lead"
instrument = "theremin"
[voices.pitch]
feature = "head_yaw"
input = [-30, 30]
[voices.volume]
feature = "jaw_open"
input = [0.0, 0.5]
[voices.brightness]
feature = "right_wrist_height"
input = [-1, 1]
"""


def _fps(clip: str, pose: str | None, part: Source | None) -> tuple[float, list[float]]:
    """Frames a second through the loop, and each frame's face or hand inference (ms). Every
    model is closed before the next is made: MediaPipe deadlocks when a landmarker left to the
    garbage collector closes itself while another one runs."""
    source = VideoSource(media_dir() / clip, realtime=False)
    with ExitStack() as stack:
        estimator = stack.enter_context(MediaPipePose(model_named(pose or "lite")))
        parts: dict[Source, FeatureSource] = {}
        if part == "face":
            face = stack.enter_context(MediaPipeFace(landmarker_models.resolve("face")))
            parts["face"] = FaceSource(face)
        elif part == "hand":
            hand = stack.enter_context(MediaPipeHand(landmarker_models.resolve("hand")))
            parts["hand"] = HandSource(hand)
        needs: frozenset[Source] = frozenset(
            ({"body"} if pose else set()) | ({part} if part else set())
        )
        tracker = Tracker(source, estimator, FeatureFilter(OFF), parts=parts, needs=needs)
        started = time.perf_counter()
        samples = track_all(tracker, without_pixels)
        seconds = time.perf_counter() - started
    source.close()
    stage = "face" if part == "face" else "hand"
    inference = [s.stage_ms.get(stage, np.nan) for s in samples]
    return len(samples) / seconds, inference


def throughput() -> str:
    rows = [
        ("pose (lite) alone: the baseline", FACE_CLIP, "lite", None),
        ("face alone", FACE_CLIP, None, "face"),
        ("hand alone", HAND_CLIP, None, "hand"),
        ("pose (lite) + face", FACE_CLIP, "lite", "face"),
        ("pose (full) + face", FACE_CLIP, "full", "face"),
    ]
    lines = [
        "| sources | clip | frames/s | face or hand model, ms p50 / p95 | target |",
        "|---|---|---|---|---|",
    ]
    for name, clip, pose, part in rows:
        fps, inference = _fps(clip, pose, part)
        shown = [v for v in inference if not np.isnan(v)]
        ms = f"{np.percentile(shown, 50):.1f} / {np.percentile(shown, 95):.1f}" if shown else "-"
        goal = name in ("face alone", "pose (lite) + face")
        verdict = ("met" if fps >= 30 else "NOT met") if goal else ""
        lines.append(
            f"| {name} | {clip} | {fps:.1f} | {ms} | {'≥ 30 fps: ' + verdict if goal else ''} |"
        )
    return "\n".join(lines)


def _held_blink_clip(out: Path) -> Path:
    capture = cv2.VideoCapture(str(media_dir() / FACE_CLIP))
    frames = []
    while len(frames) < 150:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.resize(frame, (640, 427)))
    order = [*range(33), *[32] * 20, *range(33, len(frames))]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (640, 427))
    for i in order:
        writer.write(frames[i])
    writer.release()
    return out


def _instant_switch() -> Preset:
    """blink-switch pressing in the very frame the eyes cross the threshold."""
    preset = find_preset("blink-switch")
    gesture = preset.gestures[0].model_copy(update={"hold_ms": 0, "mode": "momentary"})
    return preset.model_copy(update={"gestures": [gesture]})


def switch_delay(folder: Path) -> str:
    log = folder / "jackd.log"
    server = start_jack(log, 256)
    try:
        clip = _held_blink_clip(folder / "held.mp4")
        preset = _instant_switch()
        synth = SynthProcess(preset, "jack", buffer=256).start()
        timed = TimedSynth(synth)
        source = VideoSource(clip, realtime=True)
        with (
            MediaPipePose(model_named("lite")) as estimator,
            MediaPipeFace(landmarker_models.resolve("face")) as face,
        ):
            parts: dict[Source, FeatureSource] = {"face": FaceSource(face)}
            tracker = Tracker.for_preset(source, estimator, preset, parts=parts)
            instrument = Instrument(preset, timed)
            presses: list[int] = []
            engine = Engine(tracker, instrument)
            engine.sinks.append(_PressLog(instrument, presses))
            engine.start().wait()
            time.sleep(0.3)
        output_ms = playback_latency_s() * 1000
        applied = {int(c): int(a) for c, a in synth_log(synth)}
        synth.release()
        source.close()
    finally:
        server.terminate()
        server.wait()
    delays = [(applied[c] - c) / 1e6 + output_ms for c in presses if c in applied]
    verdict = "met" if delays and max(delays) <= 30 else "NOT met"
    shown = ", ".join(f"{d:.1f}" for d in delays)
    return (
        f"A face switch (the held blink, pressing in the frame it crosses): {len(presses)} "
        f"press(es); frame → sound {shown} ms (applied in the synth + JACK's {output_ms:.1f} ms "
        f"playback latency). Target ≤ 30 ms: {verdict}."
    )


class _PressLog:
    """A sink noting the capture time of each frame in which a gesture pressed."""

    def __init__(self, instrument: Instrument, presses: list[int]) -> None:
        self.instrument, self.presses = instrument, presses

    def record(self, sample: object, controls: object) -> None:
        if any(state.pressed for state in self.instrument.performer.gestures):
            self.presses.append(sample.frame.t_ns)  # type: ignore[attr-defined]


def memory(folder: Path) -> str:
    preset = folder / "pose-and-face.toml"
    preset.write_text(POSE_AND_FACE)
    parse_preset_text(POSE_AND_FACE, "pose-and-face")
    command = [
        sys.executable, "-m", "motionmusic", "run", "--no-ui", "--audio", "offline",
        "--source", str(media_dir() / FACE_CLIP), "--preset", str(preset),
        "--model", str(model_named("lite")), "--out", str(folder / "out.wav"),
    ]  # fmt: skip
    app = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while app.poll() is None:
        try:
            status = Path(f"/proc/{app.pid}/status").read_text()
            rss = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM"))
            peak = max(peak, rss)
        except (OSError, StopIteration):
            pass
        time.sleep(0.05)
    assert app.returncode == 0, app.stderr.read().decode() if app.stderr else ""
    verdict = "met" if peak / 1024 <= 500 else "NOT met"
    return (
        f"Memory: `motionmusic run --audio offline` with pose (lite) + face, peak resident set "
        f"{peak / 1024:.0f} MB. Target ≤ 500 MB: {verdict}."
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text = "\n\n".join([throughput(), switch_delay(folder), memory(folder)])
    publish("faces", text)


if __name__ == "__main__":
    main()
