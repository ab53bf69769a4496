"""The client display for a face (in a real browser): a client who plays with their face alone is
"in view"; a gesture's bar fills as they hold it and lights when it switches; the head pointer
dwelling on a zone sounds that zone's note and lights it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from motionmusic.adapters.display_web import Address, WebDisplay
from motionmusic.adapters.synth_silent import SilentSynth
from motionmusic.core.features import Source
from motionmusic.core.profile import Look
from motionmusic.core.protocols import FeatureSource
from motionmusic.core.replay import TraceFeatures, TracePoses, TraceSource
from motionmusic.core.trace import read_trace
from motionmusic.runtime.client_display import encode, show
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.tracker import Tracker
from motionmusic.store.preset_library import find_preset
from tests.browser import near, pixels
from tests.motion import face_trace, pointer_trace
from tests.test_display import local_url, wait_until

REACHED = "#ffd23f"  # the dark scheme's colour of a reached target: a gesture that is on


@pytest.fixture
def face_room(tmp_path: Path) -> Iterator[Callable[..., WebDisplay]]:
    """A face alone (the synthetic face: two held blinks, the mouth opening and shutting)
    played in real time through a preset, shown on a display."""
    started: list[tuple[Engine, WebDisplay]] = []

    def start(name: str, path: Path | None = None) -> WebDisplay:
        trace = read_trace(path or face_trace(tmp_path / "face.mmtrace", seconds=8.0))
        preset = find_preset(name)
        source = TraceSource(trace, realtime=True)
        parts: dict[Source, FeatureSource] = {"face": TraceFeatures(trace, "face")}
        tracker = Tracker.for_preset(source, TracePoses(trace), preset, parts=parts)
        engine = Engine(tracker, Instrument(preset, SilentSynth()))
        display = WebDisplay(Address("127.0.0.1", 0), encode).start()
        show(display, engine)
        started.append((engine, display))
        engine.start()
        return display

    start.engines = started  # type: ignore[attr-defined]

    yield start
    for engine, display in started:
        engine.stop()
        display.close()


def test_a_held_blink_fills_its_bar_and_lights_it_when_it_switches(
    browser: Any, face_room: Callable[..., WebDisplay]
) -> None:
    display = face_room("blink-switch")
    browser.get(local_url(display))
    wait_until(browser, "return frame !== null && frame.place === 'in'")
    assert browser.execute_script("return document.getElementById('place').textContent") == (
        "In view"
    )
    holding = wait_until(
        browser, "return frame.gestures.length && frame.gestures[0].progress > 0.3 && "
        "!frame.gestures[0].on && frame.gestures[0]"
    )  # fmt: skip
    assert holding["name"] == "long blink" and holding["level"] > holding["threshold"]
    wait_until(browser, "return frame.gestures[0].on")
    browser.execute_script("render(performance.now())")
    image = pixels(browser)
    lit = near(image[int(image.shape[0] * 0.5) :], REACHED)  # the bar, in the lower half
    assert lit.sum() > 2000
    assert Look().scheme == "dark"


def test_the_head_pointer_dwelling_on_a_zone_sounds_its_note_and_lights_it(
    browser: Any, face_room: Callable[..., WebDisplay], tmp_path: Path
) -> None:
    """The head turns to the left (zone C), then to the third zone (E) and rests there: after
    the dwell, E sounds and its zone lights; before it, nothing sounds."""
    turns = ((1.0, -20.0), (9.0, 8.0), (10.0, 20.0))  # face_yaw -25..25 across four zones
    display = face_room("head-pointer", pointer_trace(tmp_path / "turns.mmtrace", turns))
    engine = face_room.engines[-1][0]  # type: ignore[attr-defined]
    browser.get(local_url(display))
    dwelling = wait_until(
        browser, "return frame && frame.pointer && frame.pointer.zone === 2 && "
        "frame.pointer.progress < 0.9 && frame.pointer"
    )  # fmt: skip
    assert dwelling["sounding"] != 2 and [z["note"] for z in dwelling["zones"]] == [
        "C4", "D4", "E4", "G4",
    ]  # fmt: skip
    wait_until(browser, "return frame.pointer.sounding === 2")
    deadline = time.monotonic() + 2.0  # the engine's own state is published at 15 Hz
    while not (controls := engine.latest.controls) or not controls.voices[0].present:
        assert time.monotonic() < deadline, "the page showed a zone sounding, the synth had none"
        time.sleep(0.02)
    assert controls.voices[0].note == "E4"
    browser.execute_script("render(performance.now())")
    image = pixels(browser)
    box = browser.execute_script("return pointerLayout(frame.pointer)")
    x = int(box["x0"] + 2.5 * box["cell"]["w"])
    y = int(box["y0"] + 0.8 * box["height"])  # below the pointer, inside the zone
    colour = dwelling["zones"][2]["colour"]
    assert near(image[y - 5 : y + 5, x - 5 : x + 5], colour, 30).all()  # lit at full strength
    dim = image[y, int(box["x0"] + 0.5 * box["cell"]["w"])]  # zone C, not sounding: dimmed
    assert not near(dim[None, None, :], dwelling["zones"][0]["colour"], 30).any()
