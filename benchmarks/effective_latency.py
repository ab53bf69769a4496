"""Effective latency: how long after the arm moves the client hears the pitch follow.

Two parts, added up:
- smoothing + ramps + the frame hold, measured offline from outside: each clip is tracked once
  (full model, no smoothing), played through every preset that has a gliding (continuous) voice,
  and the rendered WAV's pitch is cross-correlated with the unsmoothed movement (`tests/lag.py`);
- the real-time pipeline, frame capture → sound on a JACK dummy server (`latency.py`), p50.

Usage: effective_latency.py [--write-readme]. The table goes to stdout, and with --write-readme
into benchmarks/README.md between its "effective latency" markers.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import unsmoothed  # noqa: E402
from latency import measure, start_jack  # noqa: E402

from motionmusic.adapters.synth_pyo import OfflineSynth  # noqa: E402
from motionmusic.core.presets import Preset  # noqa: E402
from motionmusic.core.protocols import Sample  # noqa: E402
from motionmusic.core.replay import TracePoses, TraceSource  # noqa: E402
from motionmusic.core.trace import TraceHeader, TraceWriter, read_trace  # noqa: E402
from motionmusic.native_output import native_logs_to_file  # noqa: E402
from motionmusic.runtime.render import render  # noqa: E402
from motionmusic.store.preset_library import find_preset, shipped  # noqa: E402
from tests.lag import Lag, lag, reference  # noqa: E402

CLIPS = (
    "dance_arms_raise_front.mp4",
    "tai_chi_arms_raise.mp4",
    "squats_arms_forward_5fps.mp4",
    "head_tilt_webcam.mp4",
)
PIPELINE_CLIPS = ("dance_arms_raise_front.mp4", "tai_chi_arms_raise.mp4")
BEGIN, END = "<!-- effective latency: begin -->", "<!-- effective latency: end -->"


def continuous(preset: Preset) -> bool:
    return any(v.pitch is not None and v.pitch.mode == "glide" for v in preset.voices)


def tracked(clip: str, folder: Path) -> tuple[list[Sample], Path]:
    """The clip's frames, unsmoothed, and a trace of them to render from."""
    samples, fps = unsmoothed(clip)
    size = next((s.pose.image_size for s in samples if s.pose is not None), (0, 0))
    path = folder / f"{clip}.mmtrace"
    writer = TraceWriter(path, TraceHeader(size, fps, clip))
    for s in samples:
        writer.write(s.frame.t_ns, s.pose, s.raw)
    writer.close()
    return samples, path


def smoothing_lag(preset: Preset, samples: list[Sample], trace_path: Path, wav: Path) -> Lag:
    trace = read_trace(trace_path)
    synth = OfflineSynth(preset, wav)
    render(TraceSource(trace, realtime=False), TracePoses(trace), preset, synth, wav)
    times, midi = reference(samples, preset)
    return lag(wav, times, midi)


def pipeline_p50() -> dict[str, float]:
    """Frame → sound p50 (ms) on JACK for the clips the latency benchmark uses."""
    log = Path(tempfile.mkdtemp()) / "jackd.log"
    server = start_jack(log, 256)
    try:
        return {clip: measure(clip, log, 256)[0] for clip in PIPELINE_CLIPS}
    finally:
        server.terminate()
        server.wait(timeout=5)


def table(rows: list[tuple[str, str, Lag, float | None]]) -> str:
    lines = [
        "| preset | clip | smoothing + ramps + hold (offline) | corr. | frame → sound p50 (JACK) "
        "| effective |",
        "|---|---|---|---|---|---|",
    ]
    for preset, clip, found, pipeline in rows:
        if found.ms != found.ms:  # NaN: the voice's movement is not in this clip
            lines.append(f"| {preset} | {clip} | — (not in view) | | | |")
            continue
        total = f"**{found.ms + pipeline:.0f} ms**" if pipeline is not None else "—"
        shown = f"{pipeline:.1f} ms" if pipeline is not None else "—"
        lines.append(
            f"| {preset} | {clip} | {found.ms:.0f} ms | {found.correlation:.3f} | {shown} "
            f"| {total} |"
        )
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = ROOT / "benchmarks" / "README.md"
    old = readme.read_text()
    start, end = old.index(BEGIN) + len(BEGIN), old.index(END)
    readme.write_text(old[:start] + "\n" + text + "\n" + old[end:])


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    presets = [p for p in (find_preset(path.stem) for path in shipped()) if continuous(p)]
    rows: list[tuple[str, str, Lag, float | None]] = []
    with native_logs_to_file():
        pipeline = pipeline_p50()
        for clip in CLIPS:
            samples, trace_path = tracked(clip, folder)
            for preset in presets:
                found = smoothing_lag(preset, samples, trace_path, folder / f"{clip}.wav")
                rows.append((preset.name, clip.removesuffix(".mp4"), found, pipeline.get(clip)))
    text = table(rows)
    print("\n" + text)
    if "--write-readme" in sys.argv[1:]:
        write_readme(text)


if __name__ == "__main__":
    main()
