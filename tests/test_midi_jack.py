"""MIDI out on a real JACK server, heard by the real `jack_midi_dump` (Debian's JACK example
tools): every note on has its note off, mute lets every note go at once, controllers follow the
arm, no more than a frame's worth of sends a frame, and a preset switch, the client walking out of
view, a killed synth and SIGTERM each leave nothing hanging.
A switch on the MIDI input mutes the synth, heard by its output level."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest

from motionmusic.adapters.midi_rtmidi import MidiInPort, MidiOutPort
from motionmusic.adapters.synth_process import SynthProcess
from motionmusic.adapters.synth_silent import SilentSynth
from motionmusic.core.controls import Controls
from motionmusic.core.presets import Preset
from motionmusic.core.protocols import Sample, Sink
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.routing import MidiOut, Outputs
from motionmusic.core.trace import read_trace
from motionmusic.runtime.commands import PlayPreset
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.outputs import MidiOutput
from motionmusic.runtime.tracker import Tracker
from motionmusic.store.preset_library import find_preset, preset_path
from tests.conftest import JackServer
from tests.motion import arm_trace, segments
from tests.test_cli import assert_clean_error, mm
from tests.test_realtime import looped_trace
from tests.test_sessions import synth_processes
from tests.test_tui import Terminal

BYTE = re.compile(r"[0-9a-f]{2}")


class Dump:
    """`jack_midi_dump` with its input connected to our port; each line it prints, with the
    monotonic time it arrived (line-buffered by stdbuf, so the time is the print's)."""

    def __init__(self) -> None:
        tool = shutil.which("jack_midi_dump")
        if tool is None:
            pytest.fail(
                "jack_midi_dump is needed: apt-get install jackd2 (Debian 12) or "
                "jack-example-tools (Debian 13)"
            )
        command = [shutil.which("stdbuf") or "stdbuf", "-oL", tool]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: list[tuple[float, str]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.rstrip()))

    def messages(self) -> list[tuple[float, tuple[int, ...]]]:
        """(arrival, bytes) of each MIDI message printed."""
        out = []
        for arrived, line in self.lines:  # "   0: 90 3c 64 note on (channel  0): ..."
            tokens = line.split(":", 1)[-1].split()
            found = []
            for token in tokens:
                if not BYTE.fullmatch(token):
                    break
                found.append(int(token, 16))
            if found and found[0] & 0x80:
                out.append((arrived, tuple(found)))
        return out

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=5)


@pytest.fixture
def dump(jack_server) -> Iterator[Dump]:
    listener = Dump()
    yield listener
    listener.close()


def playing(
    tmp_path: Path,
    preset_name: str | Preset,
    dump: Dump,
    trace_path: Path | None = None,
    connect: bool = True,
) -> tuple[Engine, MidiOutput]:
    """An engine on a trace playing MIDI into jack_midi_dump (`connect`: connected by the app;
    else the test connects it from outside, as a patchbay would)."""
    trace = read_trace(trace_path or looped_trace(tmp_path / "t.mmtrace", 3))
    preset = find_preset(preset_name) if isinstance(preset_name, str) else preset_name
    output = MidiOutput(MidiOutPort("jack"), preset)
    if connect:
        output.connect(dump_input())
    source = TraceSource(trace, realtime=True)
    tracker = Tracker.for_preset(source, TracePoses(trace), preset)
    engine = Engine(tracker, Instrument(preset, SilentSynth(), outputs=[output]))
    return engine, output


def play_for(engine: Engine, output: MidiOutput, sink: Sink, seconds: float = 4.5) -> None:
    """Play with `sink` watching each frame, then close the port and let the wire settle."""
    engine.sinks.append(sink)
    engine.start()
    time.sleep(seconds)
    engine.stop()
    output.close()
    time.sleep(0.3)


def dump_input() -> str:
    """jack_midi_dump's input port, once it has registered it."""
    import jack

    deadline = time.monotonic() + 5
    probe = jack.Client("mm-test-probe", no_start_server=True)
    try:
        while True:
            ports = [p.name for p in probe.get_ports(is_midi=True, is_input=True)]
            found = [name for name in ports if "midi" in name.lower() and "motionmusic" not in name]
            if found:
                return str(found[0])
            assert time.monotonic() < deadline, f"jack_midi_dump has no input port: {ports}"
            time.sleep(0.1)
    finally:
        probe.close()


def note_balance(messages: list[tuple[int, ...]]) -> dict[tuple[int, int], int]:
    """Per (channel, note): note ons minus note offs (a note on of velocity 0 is an off)."""
    sounding: dict[tuple[int, int], int] = {}
    for message in messages:
        kind, channel = message[0] & 0xF0, message[0] & 0x0F
        if len(message) < 3 or kind not in (0x80, 0x90):
            continue
        key = (channel, message[1])
        on = kind == 0x90 and message[2] > 0
        sounding[key] = sounding.get(key, 0) + (1 if on else -1)
    return sounding


def test_every_note_on_has_its_note_off_and_sends_stay_within_the_frame_rate(tmp_path, dump):
    engine, output = playing(tmp_path, "arm-raise-pentatonic", dump)
    engine.start()
    time.sleep(6.0)
    engine.stop()
    frames = engine.frames
    output.close()
    time.sleep(0.5)
    messages = [m for _, m in dump.messages()]
    ons = [m for m in messages if m[0] & 0xF0 == 0x90 and m[2] > 0]
    assert len(ons) >= 4  # the ladder was climbed (two raises)
    assert all(count <= 0 for count in note_balance(messages).values())  # nothing left on
    assert (0xB0, 123, 0) in messages  # and all-notes-off at the end
    streams: dict[tuple[int, ...], int] = {}  # per note-on channel, controller and bend
    for m in messages:
        if m[0] & 0xF0 in (0x90, 0xB0, 0xE0) and m[1] != 123:
            key = m[:2] if m[0] & 0xF0 == 0xB0 else m[:1]
            streams[key] = streams.get(key, 0) + 1
    assert (0xB0, 11) in streams  # the loudness went out as expression
    assert max(streams.values()) <= frames  # each at or below the frame rate: no flood


def test_mute_lets_every_note_go_within_one_frame(tmp_path, dump):
    engine, output = playing(tmp_path, "arm-raise-pentatonic", dump)
    engine.start()
    deadline = time.monotonic() + 8
    while not any(m[0] & 0xF0 == 0x90 and m[2] > 0 for _, m in dump.messages()):
        assert time.monotonic() < deadline, "no note was played"
        time.sleep(0.01)
    muted_at = time.monotonic()
    engine.mute(True)
    time.sleep(1.0)
    engine.stop()
    after = [(t, m) for t, m in dump.messages() if t >= muted_at]
    off = next(t for t, m in after if m[0] & 0xF0 == 0xB0 and m[1] == 123)
    assert off - muted_at < 1 / 30  # within one frame
    assert not any(m[0] & 0xF0 == 0x90 and m[2] > 0 for _, m in after)  # nothing struck while muted
    output.close()


def test_losing_the_client_lets_every_note_go(tmp_path, dump):
    """The client raises an arm (notes sound), then walks out of view for 1.5 s: every note is let
    go while they are away, and nothing is struck until they are back."""
    script = np.concatenate([segments((0.5, 15, 15), (1.0, 15, 120)), np.full(45, np.nan),
                             segments((1.0, 120, 15))])  # fmt: skip
    trace = arm_trace(tmp_path / "away.mmtrace", script)
    engine, output = playing(tmp_path, "arm-raise-pentatonic", dump, trace)
    started = time.monotonic()
    engine.start()
    time.sleep(4.5)
    engine.stop()
    output.close()
    time.sleep(0.3)
    messages = [(t - started, m) for t, m in dump.messages()]
    away = [(t, m) for t, m in messages if 1.5 <= t < 3.0]
    assert any(m[0] & 0xF0 == 0x90 and m[2] > 0 for t, m in messages if t < 1.5)  # it played
    off = next(t for t, m in away if m[:2] == (0xB0, 123))
    assert off < 2.0  # let go soon after the client left
    before = [m for t, m in messages if t <= off]
    assert all(count <= 0 for count in note_balance(before).values())
    assert not any(m[0] & 0xF0 == 0x90 and m[2] > 0 for t, m in away if t > off)


def test_a_killed_synth_and_a_sigterm_each_let_every_note_go(jack_server, isolated_home,
                                                             tmp_path, dump):  # fmt: skip
    """`run --midi jack` into jack_midi_dump: the synth process is killed mid-phrase (it is
    restarted, and the MIDI notes it was playing beside are let go), then SIGTERM ends the run
    with every note let go once more and exit 0."""
    trace = looped_trace(tmp_path / "t.mmtrace", 8)
    command = [sys.executable, "-m", "motionmusic", "run", "--no-ui", "--source", str(trace),
               "--audio", "jack", "--preset", "arm-raise-pentatonic", "--midi", "jack",
               "--midi-connect", dump_input()]  # fmt: skip
    run = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)  # fmt: skip
    try:
        struck = wait_for(dump, lambda m: m[0] & 0xF0 == 0x90 and m[2] > 0, time.monotonic(), 30)
        (synth,) = synth_processes(run)
        killed = time.monotonic()
        synth.kill()
        restarted = wait_for(dump, lambda m: m[:2] == (0xB0, 123), killed, 5)
        assert restarted - killed < 2.0
        assert synth_processes(run), "the synth was started again"
        wait_for(dump, lambda m: m[0] & 0xF0 == 0x90 and m[2] > 0, restarted, 10)  # plays on
        asked = time.monotonic()
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=15) == 0, run.stderr.read().decode() if run.stderr else ""
        wait_for(dump, lambda m: m[:2] == (0xB0, 123), asked, 2)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    messages = dump.messages()
    assert struck < killed
    upto_restart = [m for t, m in messages if t <= restarted]
    assert all(count <= 0 for count in note_balance(upto_restart).values())
    assert all(count <= 0 for count in note_balance([m for _, m in messages]).values())


def wait_for(dump: Dump, wanted: Callable[[tuple[int, ...]], bool], since: float,
             seconds: float) -> float:  # fmt: skip
    """When the first message `wanted` arrived at or after `since`, waited for up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        found = [t for t, m in dump.messages() if t >= since and wanted(m)]
        if found:
            return found[0]
        assert time.monotonic() < deadline, "not on the wire in time"
        time.sleep(0.02)


class Played:
    """A sink: each frame's left wrist height and the loudness the voice was given."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, float]] = []

    def record(self, sample: Sample, controls: Controls | None) -> None:
        if controls is not None and controls.voices[0].present:
            self.frames.append((sample.angles["left_wrist_height"], controls.voices[0].amp))


def test_controllers_follow_the_arm_in_direction_and_range(tmp_path, dump):
    """Theremin: the left hand's height is the loudness, sent as expression (CC 11): the values
    on the wire are exactly the loudness of the frames they changed in, rising with the hand."""
    played = Played()
    play_for(*playing(tmp_path, "theremin", dump), played)
    wire = [m[2] for _, m in dump.messages() if m[0] & 0xF0 == 0xB0 and m[1] == 11]
    levels = [round(amp * 127) for _, amp in played.frames]
    changes = [v for i, v in enumerate(levels) if i == 0 or v != levels[i - 1]]
    assert wire == changes  # each change once, nothing else
    assert max(wire) - min(wire) > 50  # the hand's reach spans most of the controller
    height, amp = np.array(played.frames).T
    assert np.corrcoef(height, amp)[0, 1] > 0.95  # up with the hand
    assert not any(m[1] in (7, 10) for _, m in dump.messages() if m[0] & 0xF0 == 0xB0)


class Receiver:
    """What a synthesizer makes of the wire: per channel, the held note and its bend, and the
    bend range the RPN set-up gave it; the pitch it sounds after each note on or bend."""

    def __init__(self) -> None:
        self.note: dict[int, int] = {}
        self.bend: dict[int, float] = {}
        self.range: dict[int, int] = {}
        self.rpn: dict[int, tuple[int, int]] = {}
        self.pitches: list[float] = []
        self.zone: tuple[int, int] | None = None  # (manager channel, member channels)

    def hear(self, message: tuple[int, ...]) -> None:
        kind, channel = message[0] & 0xF0, message[0] & 0x0F
        if kind == 0xB0 and message[1] in (101, 100):
            msb, lsb = self.rpn.get(channel, (127, 127))
            self.rpn[channel] = (message[2], lsb) if message[1] == 101 else (msb, message[2])
        elif kind == 0xB0 and message[1] == 6:
            if self.rpn.get(channel) == (0, 0):
                self.range[channel] = message[2]
            elif self.rpn.get(channel) == (0, 6):
                self.zone = (channel, message[2])
        elif kind == 0xE0:
            self.bend[channel] = ((message[2] << 7 | message[1]) - 8192) / 8191
            self._sound(channel)
        elif kind == 0x90 and message[2] > 0:
            self.note[channel] = message[1]
            self._sound(channel)
        elif kind in (0x80, 0x90) and self.note.get(channel) == message[1]:
            del self.note[channel]  # let go: a bend until the next note on sounds nothing

    def _sound(self, channel: int) -> None:
        if channel in self.note:
            bend = self.bend.get(channel, 0.0) * self.range.get(channel, 2)
            self.pitches.append(self.note[channel] + bend)


@pytest.mark.parametrize("glide", ["bend", "mpe"])
def test_a_receiver_sounds_the_glide_the_voice_plays(tmp_path, dump, glide):
    """The theremin's glide, decoded from the wire as a synthesizer would (RPN bend range, MPE
    zone, note plus bend): the pitches it sounds are the voice's pitches, frame by frame, to the
    bend's resolution, on one channel (±2 semitones, a new note beyond) or on a member channel of
    an MPE zone (±48 semitones). The receiver is patched in after the set-up was first sent: it
    is sent again for it."""
    theremin = find_preset("theremin")
    preset = theremin.model_copy(update={"outputs": Outputs(midi=MidiOut(glide=glide))})
    engine, output = playing(tmp_path, preset, dump, connect=False)
    patched = time.monotonic()
    _patch(dump_input())  # by a patchbay, after the port was set up: it is set up again
    wait_for(dump, lambda m: m[:3] == (0xB0, 101, 0), patched, 3)  # RPN 0 or 6: the set-up
    played = Pitches()
    play_for(engine, output, played)
    receiver = Receiver()
    for _, message in dump.messages():
        receiver.hear(message)
    if glide == "mpe":
        assert receiver.zone == (0, 1)  # manager channel 1, one member channel
        assert receiver.range == {1: 48}
    else:
        assert receiver.range == {0: 2}
    heard = receiver.pitches
    assert len(heard) > 60 and np.ptp(heard) > 6  # the hand moved the pitch half an octave and more
    step = (48 if glide == "mpe" else 2) / 8191  # a bend step: 0.6 cents (MPE), 0.02 cents
    assert unsounded(played.midi, heard, within=step / 2 * 1.001) == ""


def _patch(target: str) -> None:
    """Connect our MIDI output to `target` from another JACK client (qjackctl, a patchbay)."""
    import jack

    probe = jack.Client("mm-test-patchbay", no_start_server=True)
    try:
        probe.connect("motionmusic:motionmusic", target)
    finally:
        probe.close()


class Pitches:
    """A sink: the voice's pitch (MIDI number) each frame it sounds."""

    def __init__(self) -> None:
        self.midi: list[float] = []

    def record(self, sample: Sample, controls: Controls | None) -> None:
        if controls is not None and controls.voices[0].present and controls.voices[0].amp > 0:
            self.midi.append(controls.voices[0].midi)


def unsounded(frames: list[float], heard: list[float], within: float) -> str:
    """After each frame the receiver sounds that frame's pitch, `within` semitones (half a bend
    step: the rounding): the pitch it already sounded (nothing sent) or the next one it heard (a
    change sent); nothing heard that no frame played. What went wrong, or "" when nothing did."""
    i = 0
    for n, value in enumerate(frames):
        if abs(heard[i] - value) <= within:
            continue
        i += 1
        if i == len(heard) or abs(heard[i] - value) > within:
            return f"frame {n} played {value:.3f}; frames {frames[n - 4 : n + 3]} heard {heard[i - 4 : i + 3]}"
    return "" if i == len(heard) - 1 else f"{len(heard) - 1 - i} pitches heard after the last frame"


def test_a_midi_only_preset_keeps_the_synth_silent_until_a_preset_plays_it(
    jack_server, tmp_path, dump
):
    """`[outputs.midi] synth = false`: the theremin's notes go out on MIDI while the internal
    synth, running on JACK, stays silent; switching to the theremin as shipped brings its sound
    back, and MIDI plays on."""
    theremin = find_preset("theremin")
    midi_only = theremin.model_copy(update={"outputs": Outputs(midi=MidiOut(synth=False))})
    synth = SynthProcess(theremin, "jack").start()
    trace = read_trace(looped_trace(tmp_path / "t.mmtrace", 3))
    output = MidiOutput(MidiOutPort("jack"), midi_only)
    output.connect(dump_input())
    source = TraceSource(trace, realtime=True)
    tracker = Tracker.for_preset(source, TracePoses(trace), midi_only)
    engine = Engine(tracker, Instrument(midi_only, synth, outputs=[output]))
    try:
        engine.start()
        time.sleep(1.5)
        silent = loudest(synth, 1.0)
        heard = len(dump.messages())
        engine.submit(PlayPreset(theremin))
        time.sleep(1.0)
        playing_again = loudest(synth, 0.5)
    finally:
        engine.stop()
        output.close()
        synth.close()
    assert heard > 20  # the MIDI instrument played all along
    assert silent < -80 < -30 < playing_again
    assert len(dump.messages()) > heard


def test_reaching_the_target_plays_the_reward_chord_on_its_channel(tmp_path, dump):
    """The dancer raises her right arm past a 120° target once: the ladder's tonic chord sounds on
    channel 16 while she is in the zone, and is let go when she leaves it (past her calibrated
    reach, the stretch zone's shimmer notes too)."""
    from datetime import datetime, timezone

    from motionmusic.core.profile import AngleSettings, Profile, Range
    from motionmusic.runtime.sources import bundled_trace

    ladder = find_preset("arm-raise-pentatonic")
    preset = ladder.model_copy(update={"outputs": Outputs(midi=MidiOut(reward_channel=16))})
    reach = AngleSettings(range=Range(rest=20.0, reach=160.0), target=120.0)
    profile = Profile(
        client="R1", created=datetime.now(timezone.utc), angles={"right_shoulder_flexion": reach}
    )
    trace = read_trace(bundled_trace())
    output = MidiOutput(MidiOutPort("jack"), preset)
    output.connect(dump_input())
    tracker = Tracker.for_preset(TraceSource(trace, realtime=True), TracePoses(trace), preset)
    engine = Engine(tracker, Instrument(preset, SilentSynth(), profile, outputs=[output]))
    engine.run()  # the 4 s clip, in real time
    output.close()
    time.sleep(0.3)
    reward = [m for _, m in dump.messages() if m[0] & 0x0F == 15 and m[0] & 0xF0 in (0x80, 0x90)]
    ons = [m[1] for m in reward if m[0] & 0xF0 == 0x90]
    assert ons[:4] == [72, 76, 79, 84]  # C5 E5 G5 C6, once
    assert ons[4:] == [96, 103, 108]  # and beyond her reach, the stretch zone's shimmer
    assert reward.index((0x80 | 15, 72, 0)) > reward.index((0x90 | 15, 84, 64))  # then let go
    assert all(count <= 0 for count in note_balance(reward).values())


def test_a_preset_switch_leaves_nothing_hanging(tmp_path, dump):
    """Up to the all-notes-off the switch sends, every note of the old preset was let go."""
    engine, output = playing(tmp_path, "arm-raise-pentatonic", dump)
    engine.start()
    time.sleep(2.0)
    switched = time.monotonic()
    engine.submit(PlayPreset(find_preset("theremin")))
    time.sleep(1.0)
    engine.stop()
    output.close()
    time.sleep(0.3)
    messages = dump.messages()
    cut = next(i for i, (t, m) in enumerate(messages) if t >= switched and m[:2] == (0xB0, 123))
    old = [m for _, m in messages[: cut + 1]]
    assert any(m[0] & 0xF0 == 0x90 for m in old)  # the old preset played notes
    assert all(count <= 0 for count in note_balance(old).values())
    assert all(count <= 0 for count in note_balance([m for _, m in messages]).values())


def test_midi_comes_back_with_the_jack_server(tmp_path, monkeypatch):
    """The JACK server dies mid-phrase, and the instrument on it: the loop plays on and the
    screen says so; when a server is back with the instrument on it, the port is there again,
    connected where the app had connected it, set up again (the bend range) and playing, and
    the switch input hears a pedal again. Every port closes cleanly at the end (rtmidi closing
    a client libjack had already freed crashed the process)."""
    import rtmidi

    name = "motionmusic-midi-victim"
    monkeypatch.setenv("JACK_DEFAULT_SERVER", name)  # restored afterwards
    with ExitStack() as cleanup:  # in reverse: the engine, the port, the dumps, the servers
        server = JackServer(tmp_path / "victim.log", name=name)
        cleanup.callback(server.stop)
        before = Dump()
        cleanup.callback(before.close)
        engine, output = playing(tmp_path, "theremin", before)
        cleanup.callback(output.close)
        pressed: list[tuple[int, ...]] = []
        switch = MidiInPort(pressed.append, "jack")
        cleanup.callback(switch.close)
        cleanup.callback(engine.stop)
        beats = Beats()
        engine.sinks.append(beats)
        engine.start()
        wait_for(before, lambda m: m[0] & 0xF0 == 0x90, 0.0, 10)  # the glide's held note
        server.process.kill()
        server.process.wait()
        before.close()
        wait_until(lambda: "NO JACK SERVER, retrying" in output.describe(), 3)
        frames = engine.frames
        time.sleep(0.5)
        assert engine.frames > frames  # tracking (and the log) go on
        again = JackServer(tmp_path / "again.log", name=name)
        cleanup.callback(again.stop)
        after = Dump()
        cleanup.callback(after.close)
        back = time.monotonic()
        wait_for(after, lambda m: m[:3] == (0xB0, 101, 0), back, 6)  # RPN 0: the bend range
        wait_for(after, lambda m: m[0] & 0xF0 == 0xE0, back, 2)  # the glide plays on
        wait_until(lambda: output.describe().endswith(dump_input()), 1)  # the screen's line
        pedal = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="test-pedal")
        cleanup.callback(pedal.delete)
        pedal.open_virtual_port("out")
        wait_until(lambda: _try_connect("test-pedal", "switch"), 5)  # the switch is back too
        pedal.send_message([0x90, 60, 100])
        wait_until(lambda: (0x90, 60, 100) in pressed, 2)
        assert max(np.diff(beats.times)) < 0.5  # the loop never stood still (rtmidi closing a
        # dead port held the whole process for a second)


class Beats:
    """A sink: when each frame went through the loop."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def record(self, sample: Sample, controls: Controls | None) -> None:
        self.times.append(time.monotonic())


def test_watching_the_ports_keeps_one_jack_client_open(jack_server):
    """The output's connections and the switch input are looked at every 2 s, through one JACK
    client that stays open: a client opened and closed at each look now and then hung the whole
    process inside libjack's jack_client_close."""
    import jack

    opened: list[str] = []
    watcher = jack.Client("mm-test-watcher", no_start_server=True)
    watcher.set_client_registration_callback(
        lambda name, register: opened.append(name) if register else None
    )
    watcher.activate()
    try:
        output = MidiOutput(MidiOutPort("jack"), find_preset("theremin"))
        switch = MidiInPort(lambda message: None, "jack")
        time.sleep(4.5)  # two looks of each
        switch.close()
        output.close()
    finally:
        watcher.deactivate()
        watcher.close()
    assert "motionmusic" in opened and "motionmusic-in" in opened  # the ports were seen opening
    assert opened.count("motionmusic-probe") <= 1


def test_a_port_dead_with_its_server_is_set_aside_and_comes_back(tmp_path, monkeypatch):
    """The switch input died with its JACK server; a new server answers and the MIDI output
    opens on it at once, before the switch's own watch looks again. The dead switch is never
    closed (libjack has freed it by then, and rtmidi closing it crashed the process), and it
    comes back by itself; closing everything at the end is clean."""
    name = "motionmusic-midi-victim"
    monkeypatch.setenv("JACK_DEFAULT_SERVER", name)  # restored afterwards
    with ExitStack() as cleanup:
        server = JackServer(tmp_path / "victim.log", name=name)
        cleanup.callback(server.stop)
        switch = MidiInPort(lambda message: None, "jack")
        cleanup.callback(switch.close)
        server.process.kill()
        server.process.wait()
        again = JackServer(tmp_path / "again.log", name=name)
        cleanup.callback(again.stop)
        output = MidiOutPort("jack")
        cleanup.callback(output.close)
        wait_until(lambda: _try_connect("motionmusic", "switch"), 5)
    # closed, every one, and this process is still here to say so


def _try_connect(source_client: str, target_port: str) -> bool:
    try:
        _connect(source_client, target_port)
        return True
    except AssertionError:
        return False


def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.05)


def test_a_midi_port_that_does_not_exist_is_one_line_and_exit_2(
    jack_server, isolated_home, tmp_path
):
    trace = str(looped_trace(tmp_path / "t.mmtrace", 1))
    refused = mm("run", "--no-ui", "--source", trace, "--audio", "jack", "--midi", "jack",
                 "--midi-connect", "nobody:in")  # fmt: skip
    assert_clean_error(refused, "MIDI port 'nobody:in' does not exist")
    no_alsa = mm("run", "--no-ui", "--source", trace, "--audio", "jack", "--midi", "alsa")
    assert_clean_error(no_alsa, "no MIDI output: alsa: no ALSA sequencer here")


def test_midi_where_alsa_does_not_open_says_so_and_plays_on_jack(
    jack_server, isolated_home, tmp_path
):
    """`--midi` alone: ALSA's sequencer first, as on any Linux; here (no /dev/snd) the run says
    why it did not open and plays on JACK."""
    trace = str(looped_trace(tmp_path / "t.mmtrace", 1))
    env = {"RTMIDI_API": ""}
    played = mm("run", "--no-ui", "--source", trace, "--audio", "jack", "--midi", env=env)
    assert played.returncode == 0, played.stderr
    if Path("/dev/snd/seq").exists():  # a machine with a sound card: ALSA opens, nothing to say
        assert "MIDI alsa port motionmusic" in played.stdout and "MIDI on" not in played.stdout
        return
    assert "MIDI jack port motionmusic" in played.stdout
    assert "MIDI on jack: alsa: no ALSA sequencer here (/dev/snd/seq is missing)" in played.stdout


def test_bad_outputs_on_a_client_are_one_line_each_and_lose_nothing_recorded(
    jack_server, isolated_home, tmp_path
):
    """A client with a session logged: a MIDI port that does not exist, a preset with a CC out of
    range and an unreachable OSC host are each one line and exit 2, before anything is played;
    the session logged before is untouched and no empty one is left beside it."""
    from motionmusic.store import clients

    trace = str(looped_trace(tmp_path / "t.mmtrace", 1))
    clients.create("C9", "arm-raise-pentatonic")
    logged = mm("run", "--no-ui", "--client", "C9", "--source", trace, "--audio", "jack")
    assert logged.returncode == 0, logged.stderr
    folder = clients.client_dir("C9")
    before = recorded(folder)
    assert clients.sessions("C9")
    bad_cc = tmp_path / "bad-cc.toml"
    bad_cc.write_text(preset_path("theremin").read_text() + "\n[outputs.midi.cc]\namp = 120\n")
    run = ("run", "--no-ui", "--client", "C9", "--source", trace, "--audio", "jack")
    assert_clean_error(mm(*run, "--midi", "jack", "--midi-connect", "nobody:in"), "nobody:in")
    assert_clean_error(mm(*run, "--preset", str(bad_cc)), "outputs.midi.cc.amp")
    assert_clean_error(mm(*run, "--osc", "nosuchhost.invalid:9000"), "unreachable")
    assert recorded(folder) == before


def recorded(folder: Path) -> dict[Path, bytes]:
    """Every file of a client but the lock (which names the last run's pid)."""
    files = (path for path in folder.rglob("*") if path.is_file() and path.name != "session.lock")
    return {path: path.read_bytes() for path in files}


def test_a_switch_pressed_on_the_midi_input_mutes_the_synth(jack_server, isolated_home, tmp_path):
    """keymap.toml maps note 60 to mute; a note 60 sent into the switch input (from another JACK
    MIDI client, as a switch interface would) silences the synth, heard on its JACK output."""
    import rtmidi

    from motionmusic.cli.sound import _act
    from motionmusic.cli.switch_input import open_switch
    from motionmusic.paths import config_dir
    from motionmusic.runtime.live_session import LiveSession

    (config_dir() / "keymap.toml").write_text('[switch]\nmute = "note 60"\n')
    trace = read_trace(looped_trace(tmp_path / "t.mmtrace", 3))
    preset = find_preset("theremin")
    synth = SynthProcess(preset, "jack").start()
    live = LiveSession(TraceSource(trace, realtime=True), TracePoses(trace), preset, synth)
    switch = open_switch("jack", lambda action: _act(live, action))
    pedal = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="test-pedal")
    try:
        live.start(lambda state: None, lambda text: None, record=False)
        time.sleep(1.0)
        assert loudest(synth, 0.2) > -30  # playing
        pedal.open_virtual_port("out")
        _connect("test-pedal", f"{switch.name}")
        pedal.send_message([0x90, 60, 100])
        time.sleep(find_preset("theremin").synth.fade_ms / 1000 + 0.2)
        assert loudest(synth, 0.2) < -60  # muted by the switch
        assert live.instrument.muted
    finally:
        pedal.close_port()
        pedal.delete()
        switch.close()
        live.close()
        synth.close()


def test_switch_presses_never_hold_up_the_jack_server(jack_server):
    """Presses reach the app while Python is busy in another thread, and the switch input never
    makes the server miss a cycle: the press is only queued in the real-time cycle (a Python
    callback there waited for the interpreter, and the whole server dropped out)."""
    import rtmidi

    pressed: list[tuple[int, ...]] = []
    switch = MidiInPort(pressed.append, "jack")
    pedal = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="test-pedal")
    busy = threading.Event()

    def hold_the_interpreter() -> None:
        while not busy.is_set():
            sum(i * i for i in range(20_000))  # pure Python: it holds the interpreter

    worker = threading.Thread(target=hold_the_interpreter, daemon=True)
    interval = sys.getswitchinterval()
    try:
        pedal.open_virtual_port("out")
        _connect("test-pedal", "switch")
        sys.setswitchinterval(0.05)  # a thread keeps the interpreter 50 ms at a time, not 5
        worker.start()
        before = jack_server.log.read_text().count("client = motionmusic-in was not finished")
        for note in range(40):
            pedal.send_message([0x90, 40 + note, 100])
            time.sleep(0.02)
        wait_until(lambda: len(pressed) == 40, 2)
        after = jack_server.log.read_text().count("client = motionmusic-in was not finished")
    finally:
        busy.set()
        worker.join()
        sys.setswitchinterval(interval)
        pedal.delete()
        switch.close()
    assert [m[1] for m in pressed] == list(range(40, 80))  # each, in order
    assert after == before


def loudest(synth: SynthProcess, seconds: float) -> float:
    """The synth's highest output level (dBFS) over `seconds`, buffer by buffer."""
    levels = []
    for _ in range(int(seconds / 0.005)):
        levels.append(20 * float(np.log10(synth.peak + 1e-12)))
        time.sleep(0.005)
    return max(levels)


def _connect(source_client: str, target_port: str) -> None:
    import jack

    probe = jack.Client("mm-test-connect", no_start_server=True)
    try:
        sources = [p for p in probe.get_ports(is_midi=True, is_output=True)
                   if p.name.startswith(source_client)]  # fmt: skip
        targets = [p for p in probe.get_ports(is_midi=True, is_input=True)
                   if p.shortname == target_port and p.name.startswith("motionmusic")]  # fmt: skip
        assert sources and targets, [p.name for p in probe.get_ports(is_midi=True)]
        probe.connect(sources[0], targets[0])
    finally:
        probe.close()


def test_the_ui_shows_where_midi_goes_a_lets_every_note_go_and_a_switch_mutes(
    jack_server, isolated_home, tmp_path, dump
):
    """`demo --midi jack --midi-connect PORT --switch jack` in a terminal: the session screen
    names the port and what it is connected to; `a` sends all-notes-off at once; a note on the
    switch input mutes, as the keymap says; q leaves nothing sounding and nothing running."""
    import rtmidi

    from motionmusic.paths import config_dir

    (config_dir() / "keymap.toml").write_text('[switch]\nmute = "note 60"\n')
    to = dump_input()
    args = f"demo --audio jack --midi jack --midi-connect {to} --switch jack"
    terminal = Terminal("mm-midi-ui-test", args, tmp_path, (120, 40))
    pedal = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name="test-pedal")
    try:
        screen = terminal.wait_for(f"MIDI jack port motionmusic → {to}")
        assert "switch: MIDI jack input switch" in screen, screen
        struck = wait_for(dump, lambda m: m[0] & 0xF0 == 0x90 and m[2] > 0, time.monotonic(), 30)
        pressed = time.monotonic()
        subprocess.run(["tmux", "send-keys", "-t", terminal.name, "a"], check=True)
        off = wait_for(dump, lambda m: m[:2] == (0xB0, 123), pressed, 2)
        assert struck < pressed and off - pressed < 0.5
        terminal.wait_for("all notes off")
        pedal.open_virtual_port("out")
        _connect("test-pedal", "switch")
        pedal.send_message([0x90, 60, 100])
        terminal.wait_for("MUTED", timeout=5)
        terminal.end_with("q")
    finally:
        pedal.delete()
        terminal.close()
    assert all(count <= 0 for count in note_balance([m for _, m in dump.messages()]).values())
