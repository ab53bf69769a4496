"""The client display: what it costs the loop, and pictures of each state to look at.

1. Cost. The bundled dance trace, looped, in real time (30 fps) through the engine (silent synth,
   a target on the left arm), the time each frame takes in the loop (`Engine._step`), in rounds
   that alternate: no display, and the display with 5 pages open in headless chromium (Debian's
   chromium and chromium-driver). Target: <= 1 ms added per frame (p50 and p95).
2. Snapshots (`--snapshots DIR`): one PNG per state the client can see (in view, a target lit,
   a burst, partly in view, not in view, muted, and each look: light, high contrast with large
   text, reduced motion), drawn by the real page from real poses of the trace.

Usage: display.py [--seconds 10] [--rounds 3] [--snapshots docs/display] [--write-readme]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import rewrite_readme  # noqa: E402

from motionmusic.adapters.display_web import Address, WebDisplay  # noqa: E402
from motionmusic.adapters.synth_silent import SilentSynth  # noqa: E402
from motionmusic.core import view  # noqa: E402
from motionmusic.core.client import Seen  # noqa: E402
from motionmusic.core.controls import Controls, VoiceControls  # noqa: E402
from motionmusic.core.landmarks import Landmark as L  # noqa: E402
from motionmusic.core.pose import Frame  # noqa: E402
from motionmusic.core.profile import AngleSettings, Look, Profile, Range  # noqa: E402
from motionmusic.core.replay import TracePoses, TraceSource  # noqa: E402
from motionmusic.core.targets import TargetState  # noqa: E402
from motionmusic.core.trace import read_trace  # noqa: E402
from motionmusic.runtime.client_display import encode, show  # noqa: E402
from motionmusic.runtime.engine import Engine  # noqa: E402
from motionmusic.runtime.instrument import Instrument  # noqa: E402
from motionmusic.runtime.sources import bundled_trace  # noqa: E402
from motionmusic.runtime.tracker import Tracker  # noqa: E402
from motionmusic.store.preset_library import find_preset  # noqa: E402
from tests.browser import chromium  # noqa: E402
from tests.test_realtime import looped_trace  # noqa: E402

PAGES = 5


class TimedEngine(Engine):
    """The engine, with the time each frame takes in its loop kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step_ms: list[float] = []

    def _step(self, frame: Frame, started: float) -> None:
        begin = time.perf_counter()
        super()._step(frame, started)
        self.step_ms.append((time.perf_counter() - begin) * 1000)


def engine_on(trace_path: Path) -> TimedEngine:
    trace = read_trace(trace_path)
    preset = find_preset("arm-raise-pentatonic")
    reach = AngleSettings(range=Range(rest=30.0, reach=160.0), target=120.0)
    profile = Profile(
        client="B1", created=datetime.now(timezone.utc), angles={"left_shoulder_elevation": reach}
    )
    source = TraceSource(trace, realtime=True)
    tracker = Tracker.for_preset(source, TracePoses(trace), preset)
    return TimedEngine(tracker, Instrument(preset, SilentSynth(), profile))


def one_round(trace: Path, seconds: float, browser: Any | None) -> tuple[np.ndarray, list[float]]:
    """Frame times (ms) after the first second, with the display and pages if `browser`; and the
    first page's lags (ms from the engine offering a frame to the page drawing it)."""
    engine = engine_on(trace)
    display = None
    if browser is not None:
        display = WebDisplay(Address("127.0.0.1", 0), encode).start()
        show(display, engine)
    engine.start()
    try:
        if browser is not None and display is not None:
            url = f"http://127.0.0.1:{display.address.port}/"
            browser.get(url)
            for _ in range(PAGES - 1):
                browser.switch_to.new_window("tab")
                browser.get(url)
            while display.pages < PAGES:
                time.sleep(0.05)
        skip = len(engine.step_ms) + 30
        time.sleep(seconds)
        lags: list[float] = []
        if browser is not None:  # the tab in front: hidden tabs do not draw
            lags = [float(x) for x in browser.execute_script("return lags")]
        return np.array(engine.step_ms[skip:]), lags
    finally:
        engine.stop()
        if display is not None:
            display.close()
        if browser is not None:
            for handle in browser.window_handles[1:]:
                browser.switch_to.window(handle)
                browser.close()
            browser.switch_to.window(browser.window_handles[0])
            browser.get("about:blank")


def cost(seconds: float, rounds: int) -> list[str]:
    home = Path(tempfile.mkdtemp(prefix="display-"))
    trace = looped_trace(home / "t.mmtrace", int(seconds / 4) + 3)
    browser = chromium()
    without, with_pages, lags = [], [], []
    try:
        for _ in range(rounds):
            without.append(one_round(trace, seconds, None)[0])
            steps, drawn = one_round(trace, seconds, browser)
            with_pages.append(steps)
            lags += drawn
    finally:
        browser.quit()
    a, b = np.concatenate(without), np.concatenate(with_pages)
    p50 = np.percentile(b, 50) - np.percentile(a, 50)
    p95 = np.percentile(b, 95) - np.percentile(a, 95)
    return [
        f"| loop time per frame ({rounds} x {seconds:.0f} s each, alternating, 30 fps trace) "
        "| p50 | p95 | frames |",
        "|---|---|---|---|",
        f"| no display | {np.percentile(a, 50):.3f} ms | {np.percentile(a, 95):.3f} ms | {len(a)} |",
        f"| display, {PAGES} pages open in chromium | {np.percentile(b, 50):.3f} ms "
        f"| {np.percentile(b, 95):.3f} ms | {len(b)} |",
        f"| added (target <= 1 ms) | {p50:+.3f} ms | {p95:+.3f} ms | "
        f"{'met' if max(p50, p95) <= 1.0 else 'NOT met'} |",
        f"| a frame offered → drawn on the page (the burst's lag behind its frame) "
        f"| {np.percentile(lags, 50):.1f} ms | {np.percentile(lags, 95):.1f} ms | {len(lags)} |",
    ]


# -- snapshots ------------------------------------------------------------------------------


def states() -> dict[str, dict[str, Any]]:
    """Each state as the page receives it, from real poses of the bundled trace."""
    trace = read_trace(bundled_trace())
    down, up = trace.pose(10, 0), trace.pose(50, 0)
    assert down is not None and up is not None
    voice = VoiceControls(523.25, 0.6, 0.5, 0.5, True, midi=72.0)
    sounding = Controls(0, (voice,))

    def zone(inside: bool, reached: int = 0) -> tuple[TargetState, ...]:
        return (
            TargetState("left_shoulder_elevation", 120.0, inside, False, reached, 0.0, reached),
        )

    hidden = up.visibility.copy()
    hidden[[L.RIGHT_WRIST, L.RIGHT_ELBOW]] = 0.0
    partly = dataclasses.replace(up, visibility=hidden)
    dark, frames = (
        Look(),
        {
            "in_view": view.frame(down, Seen.CLIENT, zone(False), sounding, False),
            "target_lit": view.frame(up, Seen.CLIENT, zone(True), sounding, False),
            "partly_in_view": view.frame(partly, Seen.CLIENT, zone(False), sounding, False),
            "unsteady": view.frame(down, Seen.CLIENT, zone(False), sounding, False, True),
            "not_in_view": view.frame(None, Seen.ABSENT, zone(False), None, False),
            "someone_else": view.frame(None, Seen.OTHER, zone(False), None, False),
            "muted": view.frame(up, Seen.CLIENT, zone(True), sounding, True),
        },
    )
    out = {name: {"settings": view.settings(dark), "frame": f} for name, f in frames.items()}
    looks = {
        "light": Look(scheme="light"),
        "high_contrast_large_text": Look(scheme="high-contrast", large_text=True),
        "reduced_motion_reached": Look(reduced_motion=True),
    }
    for name, look in looks.items():
        out[name] = {"settings": view.settings(look), "frame": frames["target_lit"]}
    out["burst"] = out["target_lit"]
    return out


def snapshots(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shown: dict[str, Any] = {}
    display = WebDisplay(Address("127.0.0.1", 0), lambda _: shown["now"]).start()
    browser = chromium()
    try:
        for name, message in states().items():
            before = dict(message)
            if name in ("burst", "reduced_motion_reached"):  # the reach before: then the burst
                shown["now"] = _with_reached(message, 0)
                _show(browser, display, shown)
                before = _with_reached(message, 1)
            shown["now"] = before
            _show(browser, display, shown, fresh=name not in ("burst", "reduced_motion_reached"))
            time.sleep(0.15 if name in ("burst", "reduced_motion_reached") else 0.6)
            browser.save_screenshot(str(folder / f"{name}.png"))
            print(f"{folder / name}.png")
    finally:
        browser.quit()
        display.close()


def _with_reached(message: dict[str, Any], reached: int) -> dict[str, Any]:
    frame = dict(message["frame"])
    frame["zones"] = [{**zone, "reached": reached} for zone in frame["zones"]]
    return {**message, "frame": frame}


def _show(browser: Any, display: WebDisplay, shown: dict[str, Any], fresh: bool = True) -> None:
    """Until the page draws exactly `shown["now"]` (a page just opened may first get the last)."""
    if fresh:
        browser.get(f"http://127.0.0.1:{display.address.port}/")
    expected = [shown["now"]["frame"], shown["now"]["settings"]]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        display.offer(None)
        if browser.execute_script("return [frame, settings]") == expected:
            return
        time.sleep(0.05)
    raise SystemExit("the page did not show the state sent")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--snapshots", type=Path)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    if args.snapshots:
        snapshots(args.snapshots)
        return
    text = "\n".join(cost(args.seconds, args.rounds))
    print(text)
    if args.write_readme:
        rewrite_readme("display", text)


if __name__ == "__main__":
    main()
