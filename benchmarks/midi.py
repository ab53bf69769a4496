"""Frame → MIDI message leaving the port, over a JACK MIDI loopback, beside frame → synth.

A private real-time JACK dummy server (48 kHz; 256-frame periods, then 128) runs here. The MIDI
output (python-rtmidi on JACK, the virtual port `motionmusic`) is connected to a JACK client in
this process that stamps every event it receives with the time its JACK cycle started (the
monotonic clock, read in the process callback, less the frames since the cycle began) plus the
event's offset in the cycle. Each round, a frame's controls are ready (a held voice, its note
moving); from then, turning them into messages (`MidiPlayer.step`) and handing them to rtmidi is
the app's part, timed on its own; the time to the event in the JACK cycle is the whole delay.
rtmidi writes what it is handed at the start of JACK's next process cycle, so a frame, which
comes when the camera gives it and not in step with JACK, waits for that cycle: half a period in
the median, up to a whole one. On ALSA's sequencer (a USB MIDI keyboard; not here: no /dev/snd)
there is no period: the app's part is the whole delay.

Beside it, the same for the synth process: shared memory written → applied at the start of its
audio buffer (`SynthProcess.latencies_ms`), the figure benchmarks/channel.py measures.

Usage: midi.py [--frames 600] [--write-readme]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import rewrite_readme  # noqa: E402

from motionmusic.adapters.midi_rtmidi import MidiOutPort  # noqa: E402
from motionmusic.adapters.synth_process import SynthProcess  # noqa: E402
from motionmusic.core.controls import Controls, VoiceControls  # noqa: E402
from motionmusic.core.midi import MidiPlayer  # noqa: E402
from motionmusic.core.presets import MidiOut  # noqa: E402
from motionmusic.store.preset_library import find_preset  # noqa: E402
from tests.conftest import JackServer  # noqa: E402

SERVER = "motionmusic-midi-bench"


class Loopback:
    """A JACK MIDI input that stamps what arrives (in the JACK process thread)."""

    def __init__(self) -> None:
        import jack

        self.client = jack.Client("mm-loopback", no_start_server=True)
        self.port = self.client.midi_inports.register("in")
        self.events: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()
        self.client.set_process_callback(self._process)
        self.client.activate()

    def _process(self, frames: int) -> None:
        # the callback runs as its cycle starts; an event `offset` frames in is that much later
        # (JACK-Client offers no frames_to_time: the monotonic clock is read here instead)
        woke = time.monotonic() - self.client.frames_since_cycle_start / self.client.samplerate
        for offset, data in self.port.incoming_midi_events():
            with self._lock:
                self.events.append((woke + offset / self.client.samplerate, bytes(data)))

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


def midi_delays(frames: int) -> tuple[np.ndarray, np.ndarray]:
    """ms from controls computed to the note on in the JACK cycle, and to `send` returning (the
    app's own part: turning controls into bytes is before it, the wait for JACK after), one pair
    per frame."""
    preset = find_preset("theremin")
    player = MidiPlayer(preset, MidiOut(glide="bend"))
    port = MidiOutPort("jack")
    loop = Loopback()
    try:
        port.connect("mm-loopback:in")
        time.sleep(0.5)
        port.send(player.start())
        sent: list[tuple[float, int]] = []
        ours: list[float] = []
        for i in range(frames):
            note = 48 + 12 * (i % 2)  # an octave's leap each frame: a new note on each time
            voice = VoiceControls(440.0, 0.6, 0.5, 0.5, True, midi=float(note))
            computed = time.monotonic()
            port.send(player.step(Controls(0, (voice,))))
            ours.append((time.monotonic() - computed) * 1000)
            sent.append((computed, note))
            time.sleep(1 / 30 + 0.003 * np.random.random())  # frames, not in step with JACK
        time.sleep(0.2)
        ons = [(t, data[1]) for t, data in loop.events if data[0] & 0xF0 == 0x90]
        heard = [(on[0] - s[0]) * 1000 for s, on in zip(sent, ons, strict=True)]
        return np.array(heard), np.array(ours)
    finally:
        port.send(player.silence())
        loop.close()
        port.close()


def synth_delays(seconds: float) -> np.ndarray:
    synth = SynthProcess(find_preset("theremin"), "jack").start()
    try:
        for i in range(int(seconds * 30)):
            voice = VoiceControls(220.0 * (1 + i % 2), 0.5, 0.5, 0.5, True, midi=57.0)
            synth.send(Controls(time.monotonic_ns(), (voice,)), time.monotonic_ns())
            time.sleep(1 / 30)
        return synth.latencies_ms()
    finally:
        synth.close()


def one_period(period: int, frames: int, log: Path) -> str:
    os.environ["JACK_DEFAULT_SERVER"] = SERVER
    server = JackServer(log, name=SERVER, period=period)
    try:
        midi, ours = midi_delays(frames)
        synth = synth_delays(frames / 30)
    finally:
        server.stop()
    return (
        f"| {period} frames ({period / 48:.2f} ms) | {_ms(midi)} | {_ms(ours, 3)} "
        f"| {period / 96:.2f} ms | {_ms(synth)} | {len(midi)} |"
    )


def _ms(values: np.ndarray, digits: int = 2) -> str:
    """p50 / p95 in ms."""
    p50, p95 = np.percentile(values, [50, 95])
    return f"{p50:.{digits}f} / {p95:.{digits}f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="midi-bench-"))
    os.environ["MOTIONMUSIC_HOME"] = str(home)
    rows = [
        "| JACK period | controls → MIDI in the JACK cycle p50 / p95 "
        "| of which the app: controls → bytes handed to rtmidi p50 / p95 "
        "| half a period (the median wait for the next cycle) "
        "| controls → applied by the synth p50 / p95 | frames |",
        "|---|---|---|---|---|---|",
    ]
    for period in (256, 128):
        rows.append(one_period(period, args.frames, home / f"jackd{period}.log"))
        print(rows[-1], flush=True)
    text = "\n".join(rows)
    print(text)
    if args.write_readme:
        rewrite_readme("midi", text)


if __name__ == "__main__":
    main()
