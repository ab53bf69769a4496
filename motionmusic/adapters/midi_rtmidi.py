"""MIDI ports through mido and python-rtmidi: a virtual output named `motionmusic` that other
instruments connect to, and an input for a footswitch or an accessibility switch.

python-rtmidi's wheel speaks ALSA's sequencer and JACK on Linux. ALSA is its default, and it fails
where there is no /dev/snd (a container, this kind of server): then JACK is tried, and if neither
opens, one line says why. `RTMIDI_API` (alsa, jack) or the command's option chooses outright.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from motionmusic.core.errors import MotionMusicError

APIS = {"alsa": "LINUX_ALSA", "jack": "UNIX_JACK", "coremidi": "MACOSX_CORE", "winmm": "WINDOWS_MM"}
CLIENT = "motionmusic"


def _tried(api: str | None) -> list[str]:
    """The APIs to try, in order: the one asked for, else the platform's, ALSA then JACK."""
    chosen = api or os.environ.get("RTMIDI_API", "").lower() or None
    if chosen is not None:
        if chosen not in APIS:
            raise MotionMusicError(f"unknown MIDI API {chosen!r} (choose: {', '.join(APIS)})")
        return [chosen]
    if sys.platform == "darwin":
        return ["coremidi"]
    if sys.platform == "win32":
        return ["winmm"]
    return ["alsa", "jack"]


def _backend(api: str) -> Any:
    import mido

    return mido.Backend(f"mido.backends.rtmidi/{APIS[api]}", load=True)


def _why(api: str, exc: BaseException) -> str:
    if api == "alsa" and not os.path.exists("/dev/snd/seq"):
        return "alsa: no ALSA sequencer here (/dev/snd/seq is missing)"
    if api == "jack":
        return "jack: no JACK server running"
    return f"{api}: {exc}"


class MidiOutPort:
    """The virtual output other instruments connect to; `send` takes raw messages."""

    def __init__(self, api: str | None = None, name: str = CLIENT) -> None:
        problems: list[str] = []
        for candidate in _tried(api):
            try:
                self._port = _backend(candidate).open_output(name, virtual=True, client_name=CLIENT)
                self.api, self.name = candidate, name
                self.problems = problems  # why the ones before it failed (said once, on screen)
                return
            except Exception as exc:  # rtmidi raises its own SystemError types, or OSError
                problems.append(_why(candidate, exc))
        raise MotionMusicError("no MIDI output: " + "; ".join(problems))

    def send(self, messages: list[tuple[int, ...]]) -> None:
        raw = self._port._rt  # mido's rtmidi port: send the bytes as they are, no re-parsing
        for message in messages:
            raw.send_message(message)

    def connections(self) -> list[str]:
        """The ports this one is connected to (JACK tells; ALSA's rtmidi does not: empty)."""
        if self.api != "jack":
            return []
        try:
            with _JackProbe() as probe:
                return sorted(c.name for c in probe.get_all_connections(_own(probe, self.name)))
        except (MotionMusicError, OSError):
            return []

    def connect(self, target: str) -> None:
        """Connect to an instrument's MIDI input (JACK); one line if there is no such port."""
        if self.api != "jack":
            raise MotionMusicError(
                f"--midi-connect needs JACK MIDI (this port is on {self.api}: use aconnect)"
            )
        with _JackProbe() as probe:
            inputs = [p.name for p in probe.get_ports(is_midi=True, is_input=True)]
            if target not in inputs:
                known = ", ".join(inputs) or "none"
                raise MotionMusicError(
                    f"MIDI port {target!r} does not exist (MIDI inputs: {known})"
                )
            probe.connect(_own(probe, self.name), target)

    def close(self) -> None:
        _release(self._port)


class MidiInPort:
    """A port a switch interface is connected to; `on_message(status, data1, data2)` is called
    from rtmidi's thread for each message."""

    def __init__(
        self,
        on_message: Callable[[tuple[int, ...]], None],
        api: str | None = None,
        name: str = "switch",
    ) -> None:
        problems: list[str] = []
        for candidate in _tried(api):
            try:
                backend = _backend(candidate)
                self._port = backend.open_input(
                    name,
                    virtual=True,
                    client_name=f"{CLIENT}-in",
                    callback=lambda message: on_message(tuple(message.bytes())),
                )
                self.api, self.name = candidate, name
                return
            except Exception as exc:
                problems.append(_why(candidate, exc))
        raise MotionMusicError("no MIDI input: " + "; ".join(problems))

    def close(self) -> None:
        _release(self._port)


def _release(port: Any) -> None:
    """Close the port and free rtmidi's client too: mido only closes the port, and on JACK the
    client would stay in the graph, woken every cycle, until the object is collected."""
    port.close()
    raw = getattr(port, "_rt", None)
    if raw is not None and not raw.is_deleted:
        raw.delete()


class _JackProbe:
    """A short-lived JACK client to look at and connect ports (never starts a server)."""

    def __enter__(self) -> Any:
        import jack

        try:
            self.client = jack.Client(f"{CLIENT}-probe", no_start_server=True)
        except jack.JackError as exc:
            raise MotionMusicError("no JACK server running") from exc
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()


def _own(probe: Any, name: str) -> Any:
    """Our output port as JACK lists it (rtmidi names it CLIENT:name, or with a suffix)."""
    for port in probe.get_ports(is_midi=True, is_output=True):
        if port.name.split(":", 1)[0].startswith(CLIENT) and port.shortname == name:
            return port
    raise MotionMusicError(f"the MIDI port {name!r} is not on JACK")
