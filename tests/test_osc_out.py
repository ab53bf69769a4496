"""OSC out, received by a real OSC server (python-osc's) in the test: the documented addresses with
the values the session played."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_server import ThreadingOSCUDPServer

from motionmusic.adapters.osc_udp import OscSender
from motionmusic.adapters.synth_silent import SilentSynth
from motionmusic.core.profile import AngleSettings, Profile, Range
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import read_trace
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.outputs import OscOutput
from motionmusic.runtime.sources import bundled_trace
from motionmusic.runtime.tracker import Tracker
from motionmusic.store.preset_library import find_preset
from tests.test_cli import assert_clean_error, mm


def received_during_a_session() -> tuple[list[tuple[str, tuple[Any, ...]]], Engine]:
    messages: list[tuple[str, tuple[Any, ...]]] = []
    dispatcher = Dispatcher()
    dispatcher.set_default_handler(lambda address, *args: messages.append((address, args)))
    server = ThreadingOSCUDPServer(("127.0.0.1", 0), dispatcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    trace = read_trace(bundled_trace())  # the dancer raises both arms once
    preset = find_preset("arm-raise-pentatonic")
    reach = AngleSettings(range=Range(rest=20.0, reach=160.0), target=120.0)
    profile = Profile(
        client="O1", created=datetime.now(timezone.utc), angles={"right_shoulder_flexion": reach}
    )
    output = OscOutput(OscSender(f"127.0.0.1:{server.server_address[1]}"))
    tracker = Tracker.for_preset(TraceSource(trace), TracePoses(trace), preset)
    engine = Engine(tracker, Instrument(preset, SilentSynth(), profile, outputs=[output]))
    try:
        engine.run()
        output.close()
        deadline = threading.Event()
        deadline.wait(0.3)  # UDP on loopback: everything has arrived
    finally:
        server.shutdown()
        server.server_close()
    return messages, engine


def test_the_documented_addresses_arrive_with_what_was_played(isolated_home: Path):
    messages, engine = received_during_a_session()
    addresses = [address for address, _ in messages]
    assert addresses[0] == "/motionmusic/client/present"
    flexion = [args[0] for address, args in messages
               if address == "/motionmusic/angle/right_shoulder_flexion"]  # fmt: skip
    assert min(flexion) < 40 and max(flexion) > 150  # the arm's raise, in degrees
    confidences = [
        args[1] for address, args in messages if address.startswith("/motionmusic/angle/")
    ]
    assert all(0.0 <= float(c) <= 1.0 for c in confidences)
    notes = [args[0] for address, args in messages if address == "/motionmusic/voice/1/note"]
    assert len(set(notes)) >= 4 and all(isinstance(n, int) for n in notes)  # up the ladder
    assert np.all(np.diff(notes[: int(np.argmax(notes)) + 1]) > 0)  # rising with the arm
    for field in ("freq", "amp", "brightness", "pan"):
        assert f"/motionmusic/voice/1/{field}" in addresses
    amps = [args[0] for address, args in messages if address == "/motionmusic/voice/1/amp"]
    assert max(amps) > 0.5 and amps[-1] == 0.0  # it sounded, and the end left it silent
    target = "/motionmusic/target/right_shoulder_flexion"
    hits = [args for address, args in messages if address == f"{target}/hit"]
    assert hits == [(1,)]  # one raise: one repetition
    assert f"{target}/enter" in addresses and f"{target}/leave" in addresses
    assert addresses.index(f"{target}/enter") < addresses.index(f"{target}/leave")
    assert len(messages) <= engine.frames * 25  # only changes: far fewer than every field a frame


def test_an_unreachable_osc_host_is_one_line_and_exit_2(isolated_home: Path):
    trace = str(bundled_trace())
    refused = mm("run", "--no-ui", "--source", trace, "--osc", "nosuchhost.invalid:9000")
    assert_clean_error(refused, "OSC target nosuchhost.invalid:9000: unreachable")
    assert_clean_error(mm("run", "--no-ui", "--source", trace, "--osc", "9000"), "HOST:PORT")
