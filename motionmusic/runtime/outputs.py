"""Other instruments played beside the synth: MIDI and OSC, as `Output`s the instrument feeds.

Each pairs a plan from `core` (what changed, as messages) with a port from `adapters` (where
they go). The loop calls `play` once a frame; mute and panic come from the UI's thread, so a lock
keeps a note from being struck while every note is being let go.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.midi import MidiPlayer
from motionmusic.core.osc import Message as OscMessage
from motionmusic.core.osc import OscPlan
from motionmusic.core.presets import Preset
from motionmusic.core.protocols import Played
from motionmusic.core.routing import MidiOut


class MidiSender(Protocol):
    name: str
    api: str
    problems: list[str]  # why the APIs tried before this one failed

    def send(self, messages: list[tuple[int, ...]]) -> None: ...

    def connect(self, target: str) -> None: ...

    def connections(self) -> list[str] | None: ...

    def reopen(self) -> None: ...

    def close(self) -> None: ...


class OscSender(Protocol):
    target: str

    def send(self, messages: list[OscMessage]) -> None: ...

    def close(self) -> None: ...


def midi_settings(preset: Preset) -> MidiOut:
    """The preset's `[outputs.midi]`, or the defaults when MIDI is asked for on the command line."""
    return preset.outputs.midi or MidiOut()


class MidiOutput:
    """The voices on a MIDI port."""

    def __init__(self, port: MidiSender, preset: Preset) -> None:
        self.port = port
        self._lock = threading.Lock()
        self._muted = False
        self._preset = preset
        self._player = MidiPlayer(preset, midi_settings(preset))
        self._target: str | None = None  # connected to by the app: again after a reopen
        self._gone = False  # the port went with its JACK server; reopened when one is back
        self._rejoin = False  # reopened: connect to `_target` again once it is there
        self.sent = 0  # messages sent (the screen and tests)
        self.note = None  # said once at start: why MIDI is not on the platform's first choice
        if port.problems:
            self.note = f"MIDI on {port.api}: {'; '.join(port.problems)}"
        self._send(self._player.start())
        self._connected = set(port.connections() or ())
        self._described = self._look(self._connected)
        self._closed = threading.Event()
        threading.Thread(target=self._watch, name="midi-connections", daemon=True).start()

    def _send(self, messages: list[tuple[int, ...]]) -> None:
        if messages:
            self.port.send(messages)
            self.sent += len(messages)

    def play(self, played: Played) -> None:
        with self._lock:
            if not self._muted:
                self._send(self._player.step(played.controls))

    def silence(self) -> None:
        with self._lock:
            self._send(self._player.silence())

    def set_muted(self, muted: bool) -> None:
        with self._lock:
            self._muted = muted
            if muted:
                self._send(self._player.silence())

    def switch(self, preset: Preset) -> None:
        """Another preset: every note of this one let go, the new one's channels set up."""
        with self._lock:
            self._send(self._player.silence())
            self._preset = preset
            self._player = MidiPlayer(preset, midi_settings(preset))
            self._send(self._player.start())

    def connect(self, target: str) -> None:
        """Connect to an instrument's input, and set it up (bend range, MPE zone)."""
        self.port.connect(target)
        self._target = target
        self._look_again()

    def describe(self) -> str:
        """Cheap: the loop's state reads it every frame it publishes; `_watch` refreshes it."""
        return self._described

    def _look(self, connected: set[str]) -> str:
        to = ", ".join(sorted(connected)) if connected else "nothing connected yet"
        if self._gone:
            to = "NO JACK SERVER, retrying"
        return f"MIDI {self.port.api} port {self.port.name} → {to}"

    def _watch(self) -> None:
        """Who is connected, looked at every 2 s (asking JACK takes milliseconds)."""
        while not self._closed.wait(2.0):
            self._look_again()

    def _look_again(self) -> None:
        """Who is connected now: a newcomer is set up; a port gone with its JACK server is
        opened again once a server answers, and connected where the app had connected it."""
        connected = self.port.connections()
        if connected is None:
            self._gone = True
            self._described = self._look(set())
            if not self._reopen():
                return
            connected = []
        if self._rejoin and self._target is not None:
            self._rejoin = self._target not in connected and not self._connect_again(self._target)
            connected = self.port.connections() or []
        self._welcome(set(connected))

    def _connect_again(self, target: str) -> bool:
        try:
            self.port.connect(target)
            return True
        except MotionMusicError:
            return False  # the instrument is not back on the server yet: tried again in 2 s

    def _reopen(self) -> bool:
        """The port on the server that answers now, played from scratch: the set-up, then the
        notes sounding from the next frame (the instruments that held the old ones died with
        the old server)."""
        try:
            self.port.reopen()
        except MotionMusicError:
            return False  # no server yet: looked at again in 2 s
        with self._lock:
            self._player = MidiPlayer(self._preset, midi_settings(self._preset))
            self._send(self._player.start())
            self._connected = set()
        self._gone, self._rejoin = False, self._target is not None
        return True

    def _welcome(self, connected: set[str]) -> None:
        """An instrument connected since the last look hears the set-up: the bend range and
        MPE zone it needs to play the glides in tune were sent before it was there."""
        with self._lock:
            if connected - self._connected:
                self._send(self._player.start())
            self._connected = connected
        self._described = self._look(connected)

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self.silence()
        self.port.close()


class OscOutput:
    """Features, voices, targets and the client's presence as OSC messages."""

    def __init__(self, sender: OscSender) -> None:
        self.sender = sender
        self._plan = OscPlan()
        self._lock = threading.Lock()  # mute comes from the UI's thread
        self._muted = False
        self.sent = 0
        self.note: str | None = None

    def _send(self, messages: list[OscMessage]) -> None:
        if messages:
            self.sender.send(messages)
            self.sent += len(messages)

    def play(self, played: Played) -> None:
        """Features and targets always (they are measurements); voices at amp 0 while muted."""
        with self._lock:
            controls = played.controls.hushed() if self._muted else played.controls
            self._send(self._plan.step(played.angles, controls, played.targets, played.present))

    def silence(self) -> None:
        """A receiver holds the last level sent: every sounding voice is sent amp 0."""
        with self._lock:
            self._send(self._plan.silence())

    def set_muted(self, muted: bool) -> None:
        with self._lock:
            self._muted = muted
            if muted:
                self._send(self._plan.silence())

    def switch(self, preset: Preset) -> None:
        self.silence()  # the new preset may have fewer voices: none left at its last level

    def describe(self) -> str:
        return f"OSC → {self.sender.target}"

    def close(self) -> None:
        self.silence()
        self.sender.close()


@dataclass(frozen=True)
class Wanted:
    """Other instruments asked for on the command line (a preset may ask for them too)."""

    midi: str | None = None  # an API ("auto", "alsa", "jack"), or None: only if the preset asks
    osc: str | None = None  # HOST:PORT, over the preset's
    connect: str | None = None  # a MIDI input to connect to (JACK)
    switch: str | None = None  # open a MIDI input for a switch, on this API ("auto", ...)


NONE_WANTED = Wanted()


def open_outputs(preset: Preset, wanted: Wanted) -> list[MidiOutput | OscOutput]:
    """The other instruments asked for by the command line or the preset; a MIDI API that does
    not open, a port that does not exist or an unreachable OSC host is one line (and what was
    opened before it is closed)."""
    from motionmusic.adapters.midi_rtmidi import MidiOutPort
    from motionmusic.adapters.osc_udp import OscSender

    outputs: list[MidiOutput | OscOutput] = []
    midi, connect = wanted.midi, wanted.connect
    try:
        if midi is not None or preset.outputs.midi is not None or connect is not None:
            midi_output = MidiOutput(MidiOutPort(None if midi in (None, "auto") else midi), preset)
            outputs.append(midi_output)
            if connect is not None:
                midi_output.connect(connect)
        target = wanted.osc or (preset.outputs.osc.target if preset.outputs.osc else None)
        if target is not None:
            outputs.append(OscOutput(OscSender(target)))
    except Exception:
        for output in outputs:
            output.close()
        raise
    return outputs
