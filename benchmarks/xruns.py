"""Dropouts with the terminal UI up, on a real-time JACK server (dummy driver, 48 kHz, 256 frames).

Three windows on one server (started here, real-time, as `jackd -d dummy` is by default):
- idle: the server alone, for its own rate of late timer wake-ups on this machine;
- `motionmusic demo` in a tmux terminal (the UI up, the bundled trace, the synth process);
- `motionmusic run` on a 60 s video through the pose model, the UI up.

Counted from the server's log: cycles the driver itself started late ("Process XRun"), cycles a
motionmusic client did not finish ("client = motionmusic... was not finished"), and of those the
episodes motionmusic caused (no late driver cycle just before); the target is none caused
(issue 10). Usage: xruns.py [seconds per window, default 60].
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
from common import media_dir
from latency import start_jack

WINDOWS = ("idle", "demo", "run with the model")


def counts(log: Path) -> tuple[int, int, int]:
    """(driver-late cycles, cycles a motionmusic client left unfinished, episodes of those that
    motionmusic caused) so far. When the driver's timer wakes late every client of that cycle is
    reported unfinished; a run of reports with no late driver line before it is the client's own
    doing (as `tests/conftest.py` counts it)."""
    late = unfinished = caused = 0
    previous = ""
    for line in log.read_text().splitlines():
        if "Process error" in line:
            continue
        mine = "client = motionmusic" in line and "not finished" in line  # synth, xrun counter
        late += "Process XRun" in line
        unfinished += mine
        caused += mine and not previous
        previous = "xrun" if ("Process XRun" in line or mine) else ""
    return late, unfinished, caused


def long_clip(folder: Path, seconds: float) -> Path:
    """The tai chi clip repeated to `seconds` (a benchmark input, not a session's video)."""
    source = media_dir() / "tai_chi_arms_raise.mp4"
    capture = cv2.VideoCapture(str(source))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    fps = capture.get(cv2.CAP_PROP_FPS)
    height, width = frames[0].shape[:2]
    path = folder / "long.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for i in range(int(seconds * fps) + 1):
        writer.write(frames[i % len(frames)])
    writer.release()
    return path


def in_terminal(args: str, seconds: float) -> None:
    """`motionmusic ARGS` in a tmux terminal for `seconds`, then quit with q."""
    name = "mm-xruns"
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    keep = " ".join(
        f"{key}={os.environ[key]}"
        for key in ("JACK_DEFAULT_SERVER", "MOTIONMUSIC_MODEL")
        if key in os.environ
    )
    command = f"env {keep} {sys.executable} -m motionmusic {args}"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "100", "-y", "30", command],
        check=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    time.sleep(seconds)
    subprocess.run(["tmux", "send-keys", "-t", name, "q"], check=True)
    time.sleep(3)
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    folder = Path(tempfile.mkdtemp())
    log = folder / "jackd.log"
    clip = long_clip(folder, seconds + 15)
    server = start_jack(log, 256)
    found = {}
    try:
        for window in WINDOWS:
            before = counts(log)
            started = time.monotonic()
            if window == "idle":
                time.sleep(seconds)
            elif window == "demo":
                in_terminal("demo --audio jack", seconds)
            else:
                in_terminal(f"run --source {clip} --audio jack", seconds)
            after = counts(log)
            found[window] = (*(a - b for a, b in zip(after, before, strict=True)),)
            print(f"{window}: {time.monotonic() - started:.0f} s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=5)
    print(f"\nreal-time JACK dummy, 48 kHz / 256; {seconds:.0f} s of each (plus start and quit)")
    print(f"{'window':20} {'driver-late cycles':>19} {'motionmusic unfinished':>23} {'caused':>7}")
    for window, (late, unfinished, caused) in found.items():
        print(f"{window:20} {late:19d} {unfinished:23d} {caused:7d}")


if __name__ == "__main__":
    main()
