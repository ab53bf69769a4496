"""Headless live play: the engine running, a one-line status, keyboard commands on stdin."""

from __future__ import annotations

import sys
import threading

from rich.console import Console
from rich.live import Live
from rich.text import Text

from motionmusic.catalog import find_preset
from motionmusic.core.errors import MotionMusicError
from motionmusic.core.presets import Preset
from motionmusic.core.profile import Profile
from motionmusic.core.protocols import FrameSource, PoseEstimator
from motionmusic.core.scales import hz_to_midi, midi_to_name
from motionmusic.core.session import SessionLog
from motionmusic.engine import Engine, EngineState, Synth, SynthFactory


def status_line(state: EngineState, preset: Preset) -> Text:
    voices = []
    for voice, c in zip(preset.voices, state.controls.voices, strict=True):
        note = midi_to_name(round(hz_to_midi(c.freq))) if c.present else "—"
        voices.append(f"{voice.name} {note} {c.amp:.2f}" if c.present else f"{voice.name} silent")
    muted = " · MUTED" if state.muted else ""
    person = "person" if state.pose_found else "NO PERSON"
    targets = "".join(
        f" · {t.feature} {'IN TARGET' if t.in_target else 'target'} {t.target:.0f} reps {t.reps}"
        + (" STRETCH" if t.in_stretch else "")
        for t in state.targets
    )
    line = (
        f"frame {state.frame} · {state.fps:4.1f} fps · {person} · {' | '.join(voices)}"
        f"{targets}{muted}"
    )
    return Text(line, style="bold reverse" if state.muted else "")


def _read_commands(engine: Engine, console: Console) -> None:
    """m (or Enter): mute/unmute; p NAME: switch preset; q: stop."""
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command.lower() in ("m", ""):
            engine.mute()
        elif command.lower() == "q":
            engine.stop()
            return
        elif command.lower() == "p" and argument:
            try:
                engine.switch_preset(find_preset(argument.strip()))
            except MotionMusicError as exc:
                console.print(f"kept {engine.preset.name}: {exc}")


def play_live(
    source: FrameSource,
    estimator: PoseEstimator,
    preset: Preset,
    synth: Synth,
    console: Console,
    factory: SynthFactory | None = None,
    profile: Profile | None = None,
    log: SessionLog | None = None,
) -> None:
    """Play until the source ends, `q`, or Ctrl-C; the synth fades out when it is closed."""
    with Live(console=console, auto_refresh=False, transient=False) as live:
        engine: Engine

        def show(state: EngineState) -> None:
            live.update(status_line(state, engine.preset), refresh=True)

        engine = Engine(
            source, estimator, preset, synth, show, synth_factory=factory, profile=profile, log=log
        )
        engine.start()
        if sys.stdin.isatty():
            threading.Thread(target=_read_commands, args=(engine, console), daemon=True).start()
        try:
            while not engine.wait(0.2):
                pass
        except KeyboardInterrupt:
            engine.stop()
    if engine.synth is not synth:
        engine.synth.close()  # a preset switched to while playing
    console.print(f"\nplayed {engine.frames} frames ({engine.status})")
    if engine.error is not None:
        raise engine.error
