"""Faults of a real room, timed: the synth process killed, the JACK server killed and started again.

Each round plays the bundled dance trace in real time through the engine into the synth process,
on a private real-time JACK dummy server started here (48 kHz, 256 frames), and listens to the
synth's output peak (what the client hears, buffer by buffer).

- Synth SIGKILL: seconds from the kill until the restarted synth is heard again (> -30 dBFS);
  then the movement stops and the level must fall under -60 dBFS (no note stuck).
- JACK server SIGKILL: seconds until the engine says the sound is lost, frames tracked during the
  silence; a server started again: seconds until "sound back" is said, until it is heard, and
  until MIDI (the output connected to jack_midi_dump, which died with the server and is started
  again with it) reaches the instrument again.

Usage: faults.py [--rounds 5] [--write-readme]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import rewrite_readme  # noqa: E402

from motionmusic.adapters.midi_rtmidi import MidiOutPort  # noqa: E402
from motionmusic.adapters.synth_process import SynthProcess  # noqa: E402
from motionmusic.core.protocols import Output  # noqa: E402
from motionmusic.core.replay import TracePoses, TraceSource  # noqa: E402
from motionmusic.core.trace import read_trace  # noqa: E402
from motionmusic.runtime.engine import Engine  # noqa: E402
from motionmusic.runtime.instrument import Instrument  # noqa: E402
from motionmusic.runtime.news import SOUND_BACK  # noqa: E402
from motionmusic.runtime.outputs import MidiOutput  # noqa: E402
from motionmusic.runtime.tracker import Tracker  # noqa: E402
from motionmusic.store.preset_library import find_preset  # noqa: E402
from tests.conftest import JackServer  # noqa: E402
from tests.test_realtime import looped_trace  # noqa: E402

SERVER = "motionmusic-faults"
HEARD_DB = -30.0
SILENT_DB = -60.0


def level_db(synth: SynthProcess) -> float:
    return 20 * float(np.log10(synth.peak + 1e-12))


def loudest(synth: SynthProcess, seconds: float) -> float:
    """The highest output level over `seconds`, read every 5 ms (a 256-frame buffer is 5.3 ms)."""
    levels = []
    for _ in range(int(seconds / 0.005)):
        levels.append(level_db(synth))
        time.sleep(0.005)
    return max(levels)


def wait_for(condition: Callable[[], bool], limit: float) -> float:
    """Seconds until `condition()` holds (polled every 5 ms), or NaN after `limit`."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if condition():
            return time.monotonic() - start
        time.sleep(0.005)
    return float("nan")


def playing(
    trace: Path, synth: SynthProcess, said: list[str], outputs: Sequence[Output] = ()
) -> Engine:
    loaded = read_trace(trace)
    preset = find_preset("theremin")
    source = TraceSource(loaded, realtime=True)
    tracker = Tracker.for_preset(source, TracePoses(loaded), preset)
    instrument = Instrument(preset, synth, outputs=outputs)
    return Engine(tracker, instrument, on_notice=said.append).start()


def synth_killed(trace: Path) -> tuple[float, float]:
    """(seconds silent after a SIGKILL of the synth, loudest level once the movement stopped)."""
    synth = SynthProcess(find_preset("theremin"), "jack").start()
    engine = playing(trace, synth, [])
    try:
        time.sleep(1.0)
        process = synth.process
        process.kill()
        killed = time.monotonic()
        wait_for(lambda: synth.restarts > 0 and synth.alive() and level_db(synth) > HEARD_DB, 8)
        gap = time.monotonic() - killed
        time.sleep(0.5)
        engine.stop()
        time.sleep(find_preset("theremin").synth.fade_ms / 1000 + 0.2)
        return gap, loudest(synth, 0.3)
    finally:
        engine.stop()
        synth.close()


def server_killed(trace: Path, log: Path) -> tuple[float, ...]:
    """(s until the loss is said, frames tracked in the next second; once a server runs again,
    s until "sound back" is said, until it is heard, until MIDI reaches the instrument)."""
    # here, not at the top: each synth process (spawned) imports this module's imports again,
    # and the tests' would slow every restart by half a second
    from tests.test_midi_jack import Dump, dump_input

    with ExitStack() as cleanup:
        server = JackServer(log, name=SERVER)
        cleanup.callback(lambda: server.stop())  # the one running at the end
        synth = SynthProcess(find_preset("theremin"), "jack").start()
        cleanup.callback(synth.close)
        dump = Dump()
        cleanup.callback(lambda: dump.close())
        output = MidiOutput(MidiOutPort("jack"), find_preset("theremin"))
        cleanup.callback(output.close)
        output.connect(dump_input())
        said: list[str] = []
        engine = playing(trace, synth, said, [output])
        cleanup.callback(engine.stop)
        time.sleep(1.5)
        server.process.kill()
        server.process.wait()
        dump.close()
        noticed = wait_for(lambda: any("JACK server is gone" in text for text in said), 5)
        frames = engine.frames
        time.sleep(1.0)
        tracked = engine.frames - frames
        server, dump = JackServer(log, name=SERVER), Dump()
        restarted = time.monotonic()
        firsts = first_times(
            {
                "back": lambda: SOUND_BACK in said,
                "heard": lambda: level_db(synth) > HEARD_DB,
                "midi": lambda: any(t > restarted for t, _ in dump.messages()),
            },
            10,
        )
        return noticed, tracked, firsts["back"], firsts["heard"], firsts["midi"]


def first_times(conditions: dict[str, Callable[[], bool]], limit: float) -> dict[str, float]:
    """Seconds until each condition first holds (polled every 5 ms), NaN for any not in `limit`."""
    start = time.monotonic()
    found: dict[str, float] = {}
    while len(found) < len(conditions) and time.monotonic() - start < limit:
        for name, condition in conditions.items():
            if name not in found and condition():
                found[name] = time.monotonic() - start
        time.sleep(0.005)
    return {name: found.get(name, float("nan")) for name in conditions}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    os.environ["JACK_DEFAULT_SERVER"] = SERVER
    home = Path(tempfile.mkdtemp(prefix="faults-"))
    os.environ["MOTIONMUSIC_HOME"] = str(home)
    trace = looped_trace(home / "t.mmtrace", 4)
    kills, jack = [], []
    for i in range(args.rounds):
        server = JackServer(home / f"jackd{i}.log", name=SERVER)
        try:
            kills.append(synth_killed(trace))
        finally:
            server.stop()
        jack.append(server_killed(trace, home / f"victim{i}.log"))
        print(f"round {i + 1}: synth {kills[-1]}, server {jack[-1]}", flush=True)
    gaps, after = np.array([k[0] for k in kills]), max(k[1] for k in kills)
    cols = np.array(jack, dtype=float)
    text = "\n".join(
        [
            f"| fault ({args.rounds} rounds, theremin, JACK dummy 48 kHz / 256, real-time) "
            "| median | max | target |",
            "|---|---|---|---|",
            f"| synth SIGKILL → heard again | {np.median(gaps):.2f} s | {gaps.max():.2f} s | ≤ 1 s |",
            f"| … loudest once the movement stopped (stuck note?) | {after:.0f} dBFS | | < -60 |",
            f'| JACK server SIGKILL → "no sound" said | {np.median(cols[:, 0]):.2f} s '
            f"| {cols[:, 0].max():.2f} s | ≤ 1 s |",
            f"| … frames tracked in the second after | {np.median(cols[:, 1]):.0f} "
            f"| min {cols[:, 1].min():.0f} | the trace's 30 |",
            f'| server started again → "sound back" said | {np.median(cols[:, 2]):.2f} s '
            f"| {cols[:, 2].max():.2f} s | by itself |",
            f"| … heard | {np.median(cols[:, 3]):.2f} s | {cols[:, 3].max():.2f} s | |",
            f"| … MIDI reaches the instrument again (it is looked for every 2 s) "
            f"| {np.median(cols[:, 4]):.2f} s | {cols[:, 4].max():.2f} s | by itself |",
        ]
    )
    print(text)
    if args.write_readme:
        rewrite_readme("faults", text)


if __name__ == "__main__":
    main()
