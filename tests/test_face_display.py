"""The client display for a face: a client who plays with their face alone is "in view", and a
gesture's bar fills as they hold it and lights when it switches (in a real browser)."""

from __future__ import annotations

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
from tests.browser import chromium, near, pixels
from tests.motion import face_trace
from tests.test_display import local_url, wait_until

REACHED = "#ffd23f"  # the dark scheme's colour of a reached target: a gesture that is on


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture
def face_room(tmp_path: Path) -> Iterator[Callable[[str], WebDisplay]]:
    """A face alone (the synthetic face: two held blinks, the mouth opening and shutting)
    played in real time through a preset, shown on a display."""
    started: list[tuple[Engine, WebDisplay]] = []

    def start(name: str) -> WebDisplay:
        trace = read_trace(face_trace(tmp_path / "face.mmtrace", seconds=8.0))
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

    yield start
    for engine, display in started:
        engine.stop()
        display.close()


def test_a_held_blink_fills_its_bar_and_lights_it_when_it_switches(
    browser: Any, face_room: Callable[[str], WebDisplay]
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
