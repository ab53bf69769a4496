"""MIDI ports through mido and python-rtmidi: a virtual output named `motionmusic` that other
instruments connect to, and an input for a footswitch or an accessibility switch.

python-rtmidi's wheel speaks ALSA's sequencer and JACK on Linux. ALSA is its default, and it fails
where there is no /dev/snd (a container, this kind of server): then JACK is tried, and if neither
opens, one line says why. `RTMIDI_API` (alsa, jack) or the command's option chooses outright.

A JACK server can die (a USB interface pulled out) and come back. Its clients die with it. rtmidi
closing a dead client holds the interpreter for a second (everything stops: the loop, the screen,
the mute key), and once another client of this process has opened, libjack has freed the dead one
itself and rtmidi closing it crashes the process. So a dead port is never closed: it is put aside
for good (`_bury`), and opened again on the server that answers now.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from motionmusic.core.errors import MotionMusicError

APIS = {"alsa": "LINUX_ALSA", "jack": "UNIX_JACK", "coremidi": "MACOSX_CORE", "winmm": "WINDOWS_MM"}
CLIENT = "motionmusic"
_OPEN: set[_Port] = set()  # this process's ports: each checked before another opens
_OPENING = threading.Lock()
_BURIED: list[Any] = []  # dead ports: kept, never closed or collected (a few kB a server's death)


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
    if isinstance(exc, ModuleNotFoundError):
        return f"{api}: python-rtmidi is not installed (pip install 'motionmusic[midi]')"
    if api == "alsa" and not os.path.exists("/dev/snd/seq"):
        return "alsa: no ALSA sequencer here (/dev/snd/seq is missing)"
    if api == "jack":
        return "jack: no JACK server running"
    return f"{api}: {exc}"


class _Port:
    """One rtmidi port of this process: opened on the first API that works, closed safely,
    opened again after its JACK server died."""

    output = True

    def __init__(self, api: str | None, name: str, what: str) -> None:
        self._swap = threading.Lock()  # the port is never used while it is replaced
        self._port: Any = None
        problems: list[str] = []
        for candidate in _tried(api):
            self.api, self.name = candidate, name
            try:
                self._open()
                self.problems = problems  # why the ones before it failed (said once, on screen)
                return
            except Exception as exc:  # rtmidi raises its own SystemError types, or OSError
                problems.append(_why(candidate, exc))
        raise MotionMusicError(f"no MIDI {what}: " + "; ".join(problems))

    def _open_raw(self) -> Any:
        raise NotImplementedError

    def _open(self) -> None:
        with _OPENING:
            if self.api == "jack":
                with _JackProbe() as probe:  # a server answers (rtmidi would start one)
                    _retire_dead(probe)
            self._port = self._open_raw()
            _OPEN.add(self)

    def on_jack(self, probe: Any) -> bool:
        """Whether this port is in the graph of the server `probe` is on."""
        listed = probe.get_ports(is_midi=True, is_output=self.output, is_input=not self.output)
        return any(_ours(port, self.name) for port in listed)

    def reopen(self) -> None:
        """The port again, on the JACK server that answers now (one line if none does)."""
        self.bury()
        self._open()

    def bury(self) -> None:
        """Put a port dead with its JACK server aside for good; sends are dropped till `reopen`."""
        self._let_go(_bury)

    def close(self) -> None:
        """Close the port, or bury it if it died with its server."""
        self._let_go(_bury if self.api == "jack" and not self._alive() else _release)

    def _let_go(self, how: Callable[[Any], None]) -> None:
        with self._swap:
            port, self._port = self._port, None
        _OPEN.discard(self)
        if port is not None:
            how(port)

    def _alive(self) -> bool:
        try:
            with _JackProbe() as probe:
                return self.on_jack(probe)
        except MotionMusicError:
            return False


def _retire_dead(probe: Any) -> None:
    """Bury every port of this process that the server `probe` is on does not list: it died
    with an earlier server. Called before any port opens."""
    for port in list(_OPEN):
        if port.api == "jack" and not port.on_jack(probe):
            port.bury()


def _bury(port: Any) -> None:
    """Keep a dead port from ever being closed or collected (collecting it closes it): one
    reference here, and one that is never given back, so not even the interpreter's exit
    frees it."""
    _BURIED.append(port)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(port))


class MidiOutPort(_Port):
    """The virtual output other instruments connect to; `send` takes raw messages."""

    def __init__(self, api: str | None = None, name: str = CLIENT) -> None:
        super().__init__(api, name, "output")

    def _open_raw(self) -> Any:
        return _backend(self.api).open_output(self.name, virtual=True, client_name=CLIENT)

    def send(self, messages: list[tuple[int, ...]]) -> None:
        with self._swap:
            if self._port is None:
                return  # gone with its JACK server, not open again yet: nobody to hear it
            raw = self._port._rt  # mido's rtmidi port: the bytes as they are, no re-parsing
            for message in messages:
                raw.send_message(message)

    def connections(self) -> list[str] | None:
        """The ports this one is connected to (JACK tells; ALSA's rtmidi does not: empty).
        None: the port is gone with its JACK server (killed, or restarted without us); ALSA's
        sequencer lives in the kernel and never goes."""
        if self.api != "jack":
            return []
        try:
            with _JackProbe() as probe:
                return sorted(c.name for c in probe.get_all_connections(_own(probe, self.name)))
        except MotionMusicError:
            return None
        except OSError:
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


class MidiInPort(_Port):
    """A port a switch interface is connected to; `on_message(status, data1, data2)` is called
    for each message, from a thread of its own that asks for them every 10 ms.

    Not from rtmidi's callback: on JACK that runs in the server's real-time cycle, and Python
    there waits for the interpreter, which another thread may hold for milliseconds: the whole
    server missed its cycle (a dropout for every client) when a switch was pressed. Without a
    callback rtmidi only queues the message in that cycle. On JACK the port is also looked at
    every 2 s and opened again if its server died and another answers (what was connected to it
    is connected again by whoever connected it: a patchbay, a2jmidid)."""

    output = False
    POLL_S = 0.01

    def __init__(
        self,
        on_message: Callable[[tuple[int, ...]], None],
        api: str | None = None,
        name: str = "switch",
    ) -> None:
        self._on_message = on_message
        super().__init__(api, name, "input")
        self._closed = threading.Event()
        threading.Thread(target=self._read, name="midi-switch", daemon=True).start()

    def _open_raw(self) -> Any:
        port = _backend(self.api).open_input(self.name, virtual=True, client_name=f"{CLIENT}-in")
        port._rt.cancel_callback()  # mido's own queues from the real-time cycle too
        return port

    def _read(self) -> None:
        """Hand on what arrived, every 10 ms; on JACK, every 2 s, check the port is there."""
        looked = time.monotonic()
        while not self._closed.wait(self.POLL_S):
            for message in self._arrived():
                self._on_message(message)
            if self.api == "jack" and time.monotonic() - looked >= 2.0:
                looked = time.monotonic()
                self._look()

    def _arrived(self) -> list[tuple[int, ...]]:
        out: list[tuple[int, ...]] = []
        with self._swap:
            raw = getattr(self._port, "_rt", None)
            while raw is not None and (got := raw.get_message()) is not None:
                out.append(tuple(got[0]))
        return out

    def _look(self) -> None:
        try:
            with _JackProbe() as probe:
                gone = not self.on_jack(probe)
            if gone:
                self.reopen()
        except MotionMusicError:
            return  # no server now: looked at again in 2 s

    def close(self) -> None:
        self._closed.set()
        super().close()


def _release(port: Any) -> None:
    """Close the port and free rtmidi's client too: mido only closes the port, and on JACK the
    client would stay in the graph, woken every cycle, until the object is collected."""
    port.close()
    raw = getattr(port, "_rt", None)
    if raw is not None and not raw.is_deleted:
        raw.delete()


class _JackProbe:
    """This process's one JACK client for looking at and connecting ports (it never starts a
    server), held while in use. It is opened once and kept, not opened and closed at each look:
    the ports are looked at every 2 s, and now and then libjack's jack_client_close hung the
    whole process for good (a mutex of the client left held by one of libjack's own threads,
    cancelled as it handled another client's news). When its server dies it is put aside like
    a dead port, never closed, and opened again on the server that answers. When another server
    is named (JACK_DEFAULT_SERVER, in tests) it is closed: libjack is on one server at a time."""

    _lock = threading.RLock()
    _client: Any = None
    _server: str | None = None
    _dead = threading.Event()

    def __enter__(self) -> Any:
        _JackProbe._lock.acquire()
        try:
            return _JackProbe._open()
        except BaseException:
            _JackProbe._lock.release()
            raise

    def __exit__(self, kind: object, exc: BaseException | None, trace: object) -> None:
        import jack

        try:
            if isinstance(exc, jack.JackError):  # its server is gone or going: a new one next
                _JackProbe._dead.set()
                raise MotionMusicError(f"JACK: {exc}") from exc
        finally:
            _JackProbe._lock.release()

    @classmethod
    def _open(cls) -> Any:
        import jack

        server = os.environ.get("JACK_DEFAULT_SERVER", "default")
        if cls._client is not None and cls._dead.is_set():
            _bury(cls._client)
            cls._client = None
        elif cls._client is not None and cls._server != server:  # libjack serves one at a time
            cls._client.close()
            cls._client = None
        if cls._client is None:
            try:
                client = jack.Client(f"{CLIENT}-probe", no_start_server=True)
            except jack.JackError as exc:
                raise MotionMusicError("no JACK server running") from exc
            dead = threading.Event()
            client.set_shutdown_callback(lambda status, reason: dead.set())
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(client))  # never closed by collection
            cls._client, cls._server, cls._dead = client, server, dead
        return cls._client


def _ours(port: Any, name: str) -> bool:
    """rtmidi names our ports CLIENT:name (or CLIENT-in:name, or with a suffix JACK adds)."""
    return bool(port.name.split(":", 1)[0].startswith(CLIENT) and port.shortname == name)


def _own(probe: Any, name: str) -> Any:
    """Our output port as JACK lists it."""
    for port in probe.get_ports(is_midi=True, is_output=True):
        if _ours(port, name):
            return port
    raise MotionMusicError(f"the MIDI port {name!r} is not on JACK")
