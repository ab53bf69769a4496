"""The home screen: the client moving, what each mapped angle is doing, what is sounding, and
whether tracking and audio are healthy."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from motionmusic.core.client import Seen
from motionmusic.core.controls import VOICE_PARAMETERS
from motionmusic.core.features import FEATURES
from motionmusic.core.gestures import GestureState
from motionmusic.core.presets import Preset
from motionmusic.core.profile import AngleSettings
from motionmusic.runtime.commands import NextClient
from motionmusic.runtime.live_session import LiveSession
from motionmusic.runtime.state import EngineState
from motionmusic.tui.screens.base import Watching
from motionmusic.tui.widgets.figure import Figure
from motionmusic.tui.widgets.meter import Meter

NO_SETTINGS = AngleSettings()
UNITS = {spec.name: (spec.symbol.strip() or spec.unit) for spec in FEATURES}


def title(state: EngineState) -> str:
    preset = state.preset.name if state.preset else "—"
    parts = [f"client {state.client or '—'}", f"preset {preset}"]
    if state.recording is not None:
        minutes, seconds = divmod(int(state.recording.seconds), 60)
        parts.append(f"● REC {minutes:02d}:{seconds:02d}")
    else:
        parts.append("not recording")
    return " · ".join(parts)


def sounding(state: EngineState) -> str:
    lines = []
    names = state.preset.labels if state.preset else []
    voices = state.controls.voices if state.controls else ()
    for name, voice in zip(names, voices, strict=False):
        if not voice.present or state.muted:
            lines.append(f"{name}: silent")
            continue
        lines.append(f"{name}: {voice.note} {voice.freq:6.1f} Hz  vol {voice.amp:.2f}")
    return "\n".join(lines + [gesture_line(g) for g in state.gestures])


def gesture_line(gesture: GestureState) -> str:
    """A gesture's state for the therapist: on or off, how much of its hold time is done (the
    client holding a blink sees the bar fill), and how often it has switched."""
    filled = round(gesture.progress * HOLD_BAR)
    bar = "▮" * filled + "▯" * (HOLD_BAR - filled)
    state = "ON " if gesture.on else "off"
    return f"gesture {gesture.name}: {state} hold {bar} · switched {gesture.presses}"


HOLD_BAR = 8


def status(state: EngineState) -> str:
    seen = state.raw.confidence[state.raw.confidence > 0] if state.raw is not None else None
    confidence = f" (confidence {float(seen.mean()):.2f})" if seen is not None and seen.size else ""
    person = "client tracked" + confidence if state.tracked else who_is_seen(state)
    source = {"ok": "", "lost": " · CAMERA LOST", "ended": " · source ended"}.get(
        state.source, f" · {state.source}"
    )
    line = f"{person}{source} · {state.fps:4.1f} fps"
    if state.unsteady:  # the voices hold rather than play what the tracker cannot see
        line += f"\nTRACKING UNSTEADY: move closer or add light ({', '.join(state.unsteady)})"
    audio = state.audio
    if audio is not None:
        latency = heard_latency(state)
        health = "ok" if audio.alive else "NO SOUND, retrying"
        if audio.backend.startswith("none"):
            health = "· NO SOUND"
        route = f" · {audio.route}" if audio.route else ""
        line += f"\naudio {audio.backend} {health}{route} · latency {latency}"
        line += f" · late {audio.late_buffers}"
        if not audio.alive and audio.fault:
            line += f"\n  why: {audio.fault}"  # a crash or a server gone, said apart
    else:
        line += "\naudio offline"
    for output in state.outputs:
        line += f"\n{output}"
    return line


def who_is_seen(state: EngineState) -> str:
    """Why nobody plays: the client out of view, or someone else where the client was."""
    if state.seen is Seen.CLIENT:
        return "NO PERSON"
    return str(state.seen.value).upper()


def heard_latency(state: EngineState) -> str:
    """Effective latency, what the client hears: the pipeline (frame -> sound) plus the
    smoothing (filter, ramp and frame hold; `core/delay.py`)."""
    pipeline = state.audio.latency_ms if state.audio is not None else math.nan
    smoothing = "—" if math.isnan(state.smoothing_ms) else f"{state.smoothing_ms:+.0f}"
    if math.isnan(pipeline):
        return f"— (smoothing {smoothing} ms)"
    total = "—" if math.isnan(state.heard_latency_ms) else f"{state.heard_latency_ms:.0f} ms"
    return f"{total} ({pipeline:.0f} pipeline, {smoothing} smoothing)"


class SessionScreen(Watching):
    BINDINGS = [
        Binding("r", "app.record", "Record", id="record"),
        Binding("w", "next_client", "Who", id="who"),
    ]

    def __init__(self, live: LiveSession, notes: list[str]) -> None:
        super().__init__(live)
        self.notes = notes  # shown all along (e.g. no camera, no audio)

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield Static("\n".join(self.notes), id="notes", classes="on" if self.notes else "")
        with Horizontal(id="body"):
            yield Figure(id="figure")
            with Vertical(id="panel"):
                yield Vertical(id="meters")
                yield Static(id="sounding")
                yield Static(id="status")
        yield Footer()

    def update_state(self, state: EngineState) -> None:
        self.query_one("#title", Static).update(title(state))
        if state.angles is None:
            return  # no frame yet
        self.query_one(Figure).show(state.pose, state.others)
        self._meters(state)
        self.query_one("#sounding", Static).update(sounding(state))
        self.query_one("#status", Static).update(status(state))

    def action_next_client(self) -> None:
        """The next person to the right on the figure becomes the client (wrapping round)."""
        self.live.send(NextClient())
        self.notify("following the next person in view", timeout=3)

    def _meters(self, state: EngineState) -> None:
        played, profile, angles = state.played, state.profile, state.angles
        if played is None or angles is None:
            return
        names = list(dict.fromkeys([*played.features, *(profile.targets() if profile else {})]))
        box = self.query_one("#meters", Vertical)
        meters = list(box.query(Meter))
        if [m.name for m in meters] != names:
            box.remove_children()
            meters = [Meter(name=name) for name in names]
            box.mount_all(meters)
        spans = _spans(played)
        targets = {t.feature: t for t in state.targets}
        for meter, name in zip(meters, names, strict=True):
            settings = profile.setting(name) if profile else NO_SETTINGS
            meter.show(
                name,
                angles[name],
                spans.get(name, (0.0, 180.0)),
                settings,
                targets.get(name),
                UNITS[name],
            )


def _spans(preset: Preset) -> dict[str, tuple[float, float]]:
    """Each feature's input range as played (calibrated) by its first control."""
    spans: dict[str, tuple[float, float]] = {}
    for voice in preset.voices:
        for control in (getattr(voice, name) for name in VOICE_PARAMETERS):
            if control is not None:
                low, high = sorted(control.input)
                spans.setdefault(control.feature, (low, high))
    return spans
