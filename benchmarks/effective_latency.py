"""Effective latency: how long after the arm moves the client hears the pitch follow.

Two parts, added up:
- smoothing + ramps + the frame hold, measured offline from outside: each clip is tracked once
  (full model, no smoothing), played through every preset that has a gliding (continuous) voice,
  and the rendered WAV's pitch is cross-correlated with the unsmoothed movement (`tests/lag.py`);
- the real-time pipeline, frame capture → sound on a JACK dummy server (`latency.py`), p50, with
  the full and the lite model in the same run (the offline part is tracked with full: the
  smoothing delay belongs to the filter and synth, not the model).

Targets (issue 10): smoothing ≤ 25 ms median over the clips, ≤ 35 ms on every clip; effective
≤ 30 ms.

Usage: effective_latency.py [--write-readme]. The table goes to stdout, and with --write-readme
into benchmarks/README.md between its "effective latency" markers.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import model_named, rewrite_readme, unsmoothed  # noqa: E402
from latency import measure, start_jack  # noqa: E402

from motionmusic.adapters.synth_pyo import OfflineSynth  # noqa: E402
from motionmusic.core.presets import Preset  # noqa: E402
from motionmusic.core.protocols import Sample  # noqa: E402
from motionmusic.core.replay import TracePoses, TraceSource  # noqa: E402
from motionmusic.core.trace import TraceHeader, TraceWriter, read_trace  # noqa: E402
from motionmusic.native_output import native_logs_to_file  # noqa: E402
from motionmusic.runtime.render import render  # noqa: E402
from motionmusic.store.preset_library import find_preset, shipped  # noqa: E402
from tests.lag import Lag, heard_pitch, lag, reference  # noqa: E402

CLIPS = (
    "dance_arms_raise_front.mp4",
    "tai_chi_arms_raise.mp4",
    "squats_arms_forward_5fps.mp4",
    "head_tilt_webcam.mp4",
)
PIPELINE_CLIPS = ("dance_arms_raise_front.mp4", "tai_chi_arms_raise.mp4")


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


def smoothing_lag(
    preset: Preset,
    samples: list[Sample],
    trace_path: Path,
    wav: Path,
    pipeline_ms: float | None = None,
) -> Lag:
    """The ruler on a render; with `pipeline_ms` the render stands for a live run with that
    pipeline, whose delay gliding voices predict as they do live."""
    trace = read_trace(trace_path)
    synth = OfflineSynth(preset, wav, pipeline_ms=pipeline_ms)
    render(TraceSource(trace, realtime=False), TracePoses(trace), preset, synth, wav)
    times, midi = reference(samples, preset)
    return lag(wav, times, midi)


MODELS = ("full", "lite")
Pipeline = dict[str, dict[str, float]]  # clip -> model -> frame → sound p50 (ms)


def pipeline_p50() -> Pipeline:
    """Frame → sound p50 (ms) on JACK for the clips the latency benchmark uses, per model."""
    log = Path(tempfile.mkdtemp()) / "jackd.log"
    server = start_jack(log, 256)
    try:
        return {
            clip: {name: measure(clip, log, 256, model_named(name))[0] for name in MODELS}
            for clip in PIPELINE_CLIPS
        }
    finally:
        server.terminate()
        server.wait(timeout=5)


Row = tuple[str, str, Lag, dict[str, tuple[float, Lag]]]
"""preset, clip, the offline lag (no pipeline), and per model: (frame → sound p50, the lag of a
render predicting that pipeline, as live)."""


def without_lead(preset: Preset) -> Preset:
    """The preset with its glides stepping at each frame, as before `Pitch.ahead`."""
    voices = [
        v.model_copy(update={"pitch": v.pitch.model_copy(update={"ahead": False})})
        if v.pitch is not None
        else v
        for v in preset.voices
    ]
    return preset.model_copy(update={"voices": voices})


def heard_error(
    preset: Preset, samples: list[Sample], trace_path: Path, wav: Path, pipeline_ms: float,
    predict: bool,
) -> float:  # fmt: skip
    """RMS distance (cents) between the pitch heard and the pitch of the arm at that moment, on a
    live run with `pipeline_ms` of frame → sound (the render's time plus the pipeline), with or
    without predicting the pipeline. The pitch tracker's octave errors (over 6 semitones) are
    left out."""
    trace = read_trace(trace_path)
    synth = OfflineSynth(preset, wav, pipeline_ms=pipeline_ms if predict else None)
    render(TraceSource(trace, realtime=False), TracePoses(trace), preset, synth, wav)
    times, midi = reference(samples, preset)
    t, heard = heard_pitch(wav)
    error = 100 * (heard - np.interp(t + pipeline_ms / 1000, times, midi, np.nan, np.nan))
    error = error[~np.isnan(error)]
    error = error[np.abs(error) < 600]
    return float(np.sqrt(np.mean(error**2)))


def prediction_table(results: dict[tuple[str, str], dict[str, float]], p50: float) -> str:
    lines = [
        f"Pitch error against the arm at the moment it is heard (RMS cents; a live run with "
        f"{p50:.0f} ms frame → sound):",
        "",
        "| preset | clip | step at each frame | glide one frame ahead | ahead + predict the "
        "pipeline |",
        "|---|---|---|---|---|",
    ]
    for (preset, clip), errors in results.items():
        cells = " | ".join(f"{e:.0f}" for e in errors.values())
        lines.append(f"| {preset} | {clip} | {cells} |")
    return "\n".join(lines)


def table(rows: list[Row]) -> str:
    lines = [
        "| preset | clip | smoothing + ramps + hold, offline (corr.) | model | frame → sound p50 "
        "(JACK) | smoothing as played live, predicting that pipeline | effective |",
        "|---|---|---|---|---|---|---|",
    ]
    for preset, clip, found, live in rows:
        if found.ms != found.ms:  # NaN: the voice's movement is not in this clip
            lines.append(f"| {preset} | {clip} | — (not in view) | | | | |")
            continue
        offline = f"{found.ms:.0f} ms ({found.correlation:.3f})"
        if not live:
            lines.append(f"| {preset} | {clip} | {offline} | — | — | — | — |")
        for name, (p50, played) in live.items():
            lines.append(
                f"| {preset} | {clip} | {offline} | {name} | {p50:.1f} ms | {played.ms:.0f} ms "
                f"({played.correlation:.3f}) | **{p50 + played.ms:.0f} ms** |"
            )
    return "\n".join(lines) + "\n\n" + verdict(rows)


def verdict(rows: list[Row]) -> str:
    """The targets, per preset: smoothing median over the clips in view and the worst clip;
    effective latency per model."""
    out = []
    for preset in dict.fromkeys(r[0] for r in rows):
        mine = [r for r in rows if r[0] == preset and r[2].ms == r[2].ms]
        delays = [r[2].ms for r in mine]
        median, worst = float(np.median(delays)), max(delays)
        out.append(
            f"{preset}: smoothing median {median:.0f} ms (target ≤ 25: "
            f"{'met' if median <= 25 else 'NOT met'}), worst {worst:.0f} ms (target ≤ 35 on every "
            f"clip: {'met' if worst <= 35 else 'NOT met'})"
        )
        for name in MODELS:
            heard = [p50 + lag.ms for r in mine for m, (p50, lag) in r[3].items() if m == name]
            if heard:
                out.append(
                    f"{preset}, {name} model: effective {min(heard):.0f}-{max(heard):.0f} ms "
                    f"(target ≤ 30: {'met' if max(heard) <= 30 else 'NOT met'})"
                )
    return "\n".join(out)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    presets = [p for p in (find_preset(path.stem) for path in shipped()) if continuous(p)]
    rows: list[Row] = []
    errors: dict[tuple[str, str], dict[str, float]] = {}
    p50 = float("nan")
    with native_logs_to_file():
        pipeline = pipeline_p50()
        for clip in CLIPS:
            samples, trace_path = tracked(clip, folder)
            wav = folder / f"{clip}.wav"
            for preset in presets:
                found = smoothing_lag(preset, samples, trace_path, wav)
                live = {
                    name: (p50, smoothing_lag(preset, samples, trace_path, wav, p50))
                    for name, p50 in pipeline.get(clip, {}).items()
                }
                rows.append((preset.name, clip.removesuffix(".mp4"), found, live))
                if clip in pipeline:
                    p50 = pipeline[clip]["full"]
                    errors[(preset.name, clip.removesuffix(".mp4"))] = {
                        "step": heard_error(
                            without_lead(preset), samples, trace_path, wav, p50, False
                        ),
                        "ahead": heard_error(preset, samples, trace_path, wav, p50, False),
                        "predict": heard_error(preset, samples, trace_path, wav, p50, True),
                    }
    text = table(rows) + "\n\n" + prediction_table(errors, p50)
    print("\n" + text)
    if "--write-readme" in sys.argv[1:]:
        rewrite_readme("effective latency", text)


if __name__ == "__main__":
    main()
