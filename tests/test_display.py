"""The client display in a real browser (Debian's chromium, headless): the figure moves, a reached
target bursts, the client's colours are used, a wrong token is refused, the page comes back after
a restart, and five pages do not slow the loop. Plus the command line's bad input."""

from __future__ import annotations

import base64
import io
import itertools
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from motionmusic.adapters.display_web import Address, WebDisplay
from motionmusic.adapters.synth_silent import SilentSynth
from motionmusic.core.profile import AngleSettings, Look, Profile, Range
from motionmusic.core.replay import TracePoses, TraceSource
from motionmusic.core.trace import read_trace
from motionmusic.runtime.client_display import encode, show
from motionmusic.runtime.engine import Engine
from motionmusic.runtime.instrument import Instrument
from motionmusic.runtime.tracker import Tracker
from motionmusic.store import clients
from motionmusic.store.preset_library import find_preset
from tests.browser import near, pixels
from tests.test_cli import assert_clean_error, mm
from tests.test_realtime import looped_trace

REACHED = "#ff00ff"  # a colour nothing else on the page uses


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Callable[..., tuple[Engine, WebDisplay]]]:
    """Start the dance trace, looped in real time, with a target on the left arm's elevation
    (reached every 4 s), shown on a display; everything started is stopped afterwards."""
    started: list[tuple[Engine, WebDisplay]] = []

    def start(look: Look | None = None, host: str = "127.0.0.1") -> tuple[Engine, WebDisplay]:
        trace = read_trace(looped_trace(tmp_path / "t.mmtrace", 6))
        preset = find_preset("arm-raise-pentatonic")
        reach = AngleSettings(range=Range(rest=30.0, reach=160.0), target=120.0)
        profile = Profile(
            client="D1",
            created=datetime.now(timezone.utc),
            angles={"left_shoulder_elevation": reach},
            display=look or Look(reached=REACHED),
        )
        source = TraceSource(trace, realtime=True)
        tracker = Tracker.for_preset(source, TracePoses(trace), preset)
        engine = Engine(tracker, Instrument(preset, SilentSynth(), profile))
        display = WebDisplay(Address(host, 0), encode).start()
        show(display, engine)
        started.append((engine, display))
        engine.start()
        return engine, display

    yield start
    for engine, display in started:
        engine.stop()
        display.close()


def local_url(display: WebDisplay) -> str:
    query = f"?token={display.token}" if display.token else ""
    return f"http://127.0.0.1:{display.address.port}/{query}"


def wait_until(browser: Any, script: str, limit: float = 10.0) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = browser.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"the page never made true: {script}")


def showing(browser: Any, display: WebDisplay) -> None:
    browser.get(local_url(display))
    wait_until(browser, "return connected && frame !== null && frame.place === 'in'")


def on_screen(browser: Any, point: list[float]) -> tuple[float, float]:
    fit = browser.execute_script("return layout(frame.aspect)")
    return fit["x0"] + point[0] * fit["scale"], fit["y0"] + point[1] * fit["scale"]


def test_two_looks_half_a_second_apart_differ_where_the_figure_is(browser, room):
    _engine, display = room()
    showing(browser, display)
    before, points = pixels(browser), browser.execute_script("return frame.points")
    time.sleep(0.5)
    after, later = pixels(browser), browser.execute_script("return frame.points")
    xy = np.array([on_screen(browser, p) for p in [*points.values(), *later.values()]])
    (x0, y0), (x1, y1) = xy.min(axis=0).astype(int) - 40, xy.max(axis=0).astype(int) + 40
    changed = np.any(np.abs(after - before) > 40, axis=2)
    assert changed[max(y0, 0) : y1, max(x0, 0) : x1].sum() > 300  # the figure moved
    assert near(before, "#f0f0f0").sum() > 500  # drawn in the dark scheme's figure colour


PHOTOGRAPH = """
render(performance.now());
const zone = frame.zones.find(z => z.feature === 'left_shoulder_elevation') || null;
return {png: canvas.toDataURL('image/png'), background: settings.colours.background,
        zone: zone && {pivot: zone.pivot, radius: zone.radius, inside: zone.inside},
        fit: layout(frame.aspect)};
"""


def ring_pixels(browser: Any) -> tuple[int, bool]:
    """Reached-colour pixels outside the left arm's zone (where only a burst's ring reaches),
    and whether the zone is lit in the frame shown. The page draws and photographs its canvas in
    one step with the zone's place: the figure follows the dancer, so a screenshot taken a moment
    before or after would leave the zone's own edge outside the ring measured."""
    taken = browser.execute_script(PHOTOGRAPH)
    if taken["zone"] is None:
        return 0, False
    drawn = Image.open(io.BytesIO(base64.b64decode(taken["png"].split(",", 1)[1])))
    rgba = np.asarray(drawn.convert("RGBA")).astype(np.float64)
    back = np.array([int(taken["background"][i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    alpha = rgba[..., 3:] / 255
    image = (rgba[..., :3] * alpha + back * (1 - alpha)).round().astype(np.int16)
    fit, zone = taken["fit"], taken["zone"]
    px, py = (
        fit["x0"] + zone["pivot"][0] * fit["scale"],
        fit["y0"] + zone["pivot"][1] * fit["scale"],
    )
    radius = zone["radius"] * fit["scale"] * 1.15
    ys, xs = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    distance = np.hypot(xs - px, ys - py)
    outside = (distance > radius * 1.08) & (distance < radius * 1.4)
    return int((magenta(image) & outside).sum()), bool(zone["inside"])


def magenta(image: np.ndarray) -> np.ndarray:
    """The reached colour, #ff00ff, however faded over the dark background."""
    red, green, blue = image[..., 0], image[..., 1], image[..., 2]
    found: np.ndarray = (red - green > 80) & (blue - green > 80)
    return found


def test_a_reached_target_lights_its_zone_and_bursts(browser, room):
    _engine, display = room()
    showing(browser, display)
    rings: list[int] = []
    lit = False
    deadline = time.monotonic() + 9  # two reaches of the looped trace
    while time.monotonic() < deadline and not (rings and max(rings) > 150 and lit):
        ring, inside = ring_pixels(browser)
        rings.append(ring)
        if inside:
            lit = lit or bool(near(pixels(browser), REACHED, 110).sum() > 2000)
    assert max(rings) > 150, "no burst seen"
    assert lit, "the zone did not light while the arm was in it"
    assert min(rings) < 20  # and outside a burst there is no ring


def test_with_reduced_motion_a_reach_glows_and_nothing_grows(browser, room):
    _engine, display = room(Look(reached=REACHED, reduced_motion=True))
    showing(browser, display)
    rings, glows = [], 0
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        rings.append(ring_pixels(browser)[0])
        glows += bool(near(pixels(browser), REACHED, 30).sum() > 2000)
    assert glows > 0  # the reach was shown
    assert max(rings) < 20  # by no ring growing past the zone


def test_the_clients_colour_scheme_is_what_the_page_shows(browser, room):
    look = Look(background="#203040", figure="#ff8800", target="#20a0a0", large_text=True)
    _engine, display = room(look)
    showing(browser, display)
    image = pixels(browser)
    for y, x in ((3, 3), (3, -3), (-3, 3), (-3, -3)):
        assert tuple(image[y, x]) == (0x20, 0x30, 0x40)
    assert near(image, "#ff8800").sum() > 500
    size = browser.execute_script("return getComputedStyle(placeText).fontSize")
    assert float(size.removesuffix("px")) >= 48  # large text


def test_a_display_on_the_network_refuses_a_wrong_or_missing_token(browser, room):
    _engine, display = room(host="0.0.0.0")
    assert display.token is not None and len(display.token) >= 20
    base = f"http://127.0.0.1:{display.address.port}"
    for query in ("", "?token=wrong", f"?token={display.token[:-1]}"):
        for path in ("/", "/ws"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + path + query, timeout=5)
            assert refused.value.code == 403
    browser.get(base + "/?token=wrong")
    assert "wrong or missing token" in browser.page_source
    showing(browser, display)  # the printed URL's token works


def test_the_page_comes_back_by_itself_after_the_app_restarts(browser, room):
    engine, display = room()
    showing(browser, display)
    port = display.address.port
    display.close()
    wait_until(browser, "return !connected && placeText.textContent.startsWith('waiting')")
    again = WebDisplay(Address("127.0.0.1", port), encode).start()
    try:
        show(again, engine)
        wait_until(browser, "return connected && frame !== null && frame.place === 'in'")
        frames = browser.execute_script("return frame.points.nose")
        time.sleep(0.3)
        assert browser.execute_script("return frame.points.nose") != frames  # live again
    finally:
        again.close()


def test_five_pages_leave_the_loop_taking_every_frame(browser, room):
    engine, display = room()
    showing(browser, display)
    for _ in range(4):
        browser.switch_to.new_window("tab")
        browser.get(local_url(display))
    try:
        deadline = time.monotonic() + 10
        while display.pages < 5:
            assert time.monotonic() < deadline, f"{display.pages} pages connected"
            time.sleep(0.1)
        source = engine.tracker.source
        frames, dropped, sent = engine.frames, source.dropped, display.sent
        time.sleep(3.0)
        assert source.dropped == dropped  # the loop took every frame the trace played
        assert engine.frames - frames >= 85  # 30 fps
        assert display.sent - sent <= 3 * 30 + 2  # coalesced: never more than 30 a second
    finally:
        for handle in browser.window_handles[1:]:
            browser.switch_to.window(handle)
            browser.close()
        browser.switch_to.window(browser.window_handles[0])


def test_what_is_sent_is_the_skeleton_and_the_state(room):
    """No picture ever leaves: each message is the look and one frame of numbers."""
    import asyncio

    import aiohttp

    _engine, display = room()

    async def first() -> str:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{display.address.port}/ws"
            async with session.ws_connect(url) as ws:
                message = await ws.receive(timeout=5)
                return str(message.data)

    message = json.loads(asyncio.run(first()))
    assert set(message) == {"settings", "frame", "t"}
    assert set(message["frame"]["points"]) <= {
        "nose", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow",
        "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    }  # fmt: skip
    assert len(json.dumps(message)) < 3000


def busy_port() -> tuple[socket.socket, int]:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder, holder.getsockname()[1]


def test_bad_display_input_is_one_line_and_exit_2(isolated_home, tmp_path):
    trace = str(looped_trace(tmp_path / "t.mmtrace", 1))
    holder, port = busy_port()
    with holder:
        in_use = mm("run", "--no-ui", "--source", trace, "--audio", "jack", "--display", str(port))
    assert_clean_error(in_use, f"port {port} is in use")
    foreign = mm("run", "--no-ui", "--source", trace, "--display", "192.0.2.7:8765")
    assert_clean_error(foreign, "192.0.2.7 is not an address of this machine")
    assert_clean_error(mm("demo", "--display", "http"), "--display http", "port")
    assert mm("clients", "add", "D2").returncode == 0
    profile = clients.client_dir("D2") / "profile.toml"
    text = profile.read_text()
    assert 'scheme = "dark"' in text  # every profile says how its display looks
    profile.write_text(text.replace('scheme = "dark"', 'scheme = "dark"\nfigure = "sky blue"'))
    bad_colour = mm("run", "--no-ui", "--client", "D2", "--source", trace, "--display", "8765")
    assert_clean_error(bad_colour, "profile.toml", "display.figure", "not a colour")


def test_the_look_is_set_from_the_command_line_and_a_bad_value_is_refused(isolated_home):
    assert mm("clients", "add", "D3").returncode == 0
    done = mm("clients", "set", "D3", "--look", "scheme=light", "--look", "figure=#FF8800",
              "--look", "reduced_motion=yes")  # fmt: skip
    assert done.returncode == 0, done.stderr
    look = clients.load("D3").display
    assert (look.scheme, look.figure, look.reduced_motion) == ("light", "#ff8800", True)
    saved = (clients.client_dir("D3") / "profile.toml").read_bytes()
    for bad, words in (
        ("figure=sky", ("display.figure", "'sky' is not a colour")),
        ("colour=red", ("display.colour", "unknown")),
        ("large_text=maybe", ("display.large_text", "not yes or no")),
        ("scheme=pink", ("display.scheme", "allowed")),
    ):
        assert_clean_error(mm("clients", "set", "D3", "--look", bad), "D3", *words)
    assert (clients.client_dir("D3") / "profile.toml").read_bytes() == saved  # untouched


def test_nothing_flashes_faster_than_three_times_a_second(browser):
    """A client hovering at a target's edge (in and out 7 times a second, each entry a reach)
    lights and darkens the zone, and starts a ring, at most 3 times a second."""
    from motionmusic.core import view
    from motionmusic.core.client import Seen
    from motionmusic.core.targets import TargetState
    from tests.skeleton import arm_direction, pose_of, skeleton

    pose = pose_of(skeleton(left_arm=arm_direction(abduction=100)))
    flicker = {"inside": 0, "reached": 0}

    def message(_: object) -> dict[str, Any]:
        inside, reached = bool(flicker["inside"]), flicker["reached"]
        state = TargetState("left_shoulder_abduction", 90.0, inside, False, reached, 0.0, reached)
        frame = view.frame(pose, Seen.CLIENT, (state,), None, False)
        return {"settings": view.settings(Look()), "frame": frame}

    display = WebDisplay(Address("127.0.0.1", 0), message).start()
    try:
        display.offer(None)
        showing(browser, display)
        looks, rings = [], []
        started = time.monotonic()
        while time.monotonic() - started < 3.0:
            flicker["inside"] = 1 - flicker["inside"]
            flicker["reached"] += flicker["inside"]
            display.offer(None)
            for _ in range(2):
                time.sleep(0.025)
                looks.append(browser.execute_script("return zoneLook.left_shoulder_abduction.lit"))
                rings.append(browser.execute_script("return bursts.left_shoulder_abduction"))
        changes = sum(a != b for a, b in itertools.pairwise(looks))
        starts = len(set(rings) - {None})
        assert flicker["reached"] >= 15  # more than 5 reaches a second were sent
        assert 3 <= changes <= 3 * 3 + 1  # it does change, at most 3 times a second
        assert 2 <= starts <= 3 * 2.5 + 1  # a ring at most every 0.4 s
    finally:
        display.close()
