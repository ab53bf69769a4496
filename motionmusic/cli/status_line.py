"""Headless live play: the engine running, a one-line status, keyboard commands on stdin.

Typed commands go through the same engine commands as the terminal UI's keys (`p NAME` is the
UI's preset switch), so both behave alike: a mapping-only change keeps the synth.
"""

from __future__ import annotations

import math
import sys
import threading

from rich.console import Console
from rich.live import Live
from rich.text import Text

from motionmusic.cli.clinic import summary_table
from motionmusic.runtime.commands import Stop
from motionmusic.runtime.live_session import LiveSession
from motionmusic.runtime.state import EngineState


def status_line(state: EngineState) -> Text:
    voices = []
    names = state.preset.labels if state.preset else []
    controls = state.controls.voices if state.controls else ()
    for name, c in zip(names, controls, strict=False):
        voices.append(f"{name} {c.note} {c.amp:.2f}" if c.present else f"{name} silent")
    muted = " · MUTED" if state.muted else ""
    person = "client" if state.tracked else str(state.seen.value).upper()
    person += "".join(
        f" · {g.name} {'ON' if g.on else 'off'}"
        + (f" hold {g.progress:.0%}" if 0 < g.progress < 1 else "")
        for g in state.gestures
    )
    if state.unsteady:
        person += " · TRACKING UNSTEADY: move closer or add light"
    targets = "".join(
        f" · {t.feature} {'IN TARGET' if t.in_target else 'target'} {t.target:.0f} reps {t.reps}"
        + (" STRETCH" if t.in_stretch else "")
        for t in state.targets
    )
    rec = " · ● REC" if state.recording else ""
    heard = state.heard_latency_ms
    latency = "" if math.isnan(heard) else f" · latency {heard:.0f} ms"  # what the client hears
    if state.audio is not None and not state.audio.alive:
        never = state.audio.backend.startswith("none")  # no audio output at all: nothing to retry
        why = f": {state.audio.fault}" if state.audio.fault else ""
        latency = " · NO SOUND" if never else f" · NO SOUND{why} (retrying)"
    line = (
        f"frame {state.frame} · {state.fps:4.1f} fps · {person} · {' | '.join(voices)}"
        f"{targets}{rec}{muted}{latency}"
    )
    return Text(line, style="bold reverse" if state.muted else "")


WORDS = {"m": "mute", "": "mute", "q": "stop", "w": "next_client", "p": "preset"}
"""Typed commands: the word, and the session action it is (`p NAME` takes the preset's name)."""


def command(live: LiveSession, line: str, say: Console) -> bool:
    """Run one typed line — m (or Enter) mute/unmute, p NAME switch preset, w follow the next
    person, q stop; False on q."""
    word, _, argument = line.strip().partition(" ")
    action = WORDS.get(word.lower())
    if action is None or (action == "preset" and not argument):
        return True
    if action == "stop":
        return False
    said = live.act(action, argument)
    if said and action != "mute":  # the status line shows MUTED itself
        say.print(said)
    return True


def _read_commands(live: LiveSession, console: Console) -> None:
    for line in sys.stdin:
        if not command(live, line, console):
            live.send(Stop())
            return


def play_live(live: LiveSession, console: Console, record: bool) -> None:
    """Play until the source ends, `q`, or Ctrl-C; then the synth fades out and the session's
    summary is printed."""
    with Live(console=console, auto_refresh=False, transient=False) as view:

        def show(state: EngineState) -> None:
            view.update(status_line(state), refresh=True)

        live.start(show, lambda text: view.console.print(text), record=record)
        if sys.stdin.isatty():
            threading.Thread(target=_read_commands, args=(live, console), daemon=True).start()
        try:
            while not live.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            live.close()
    engine = live.engine
    console.print(f"\nplayed {engine.frames} frames ({engine.status})")
    for summary in live.summaries:
        console.print(summary_table(summary))
    if engine.error is not None:
        raise engine.error
