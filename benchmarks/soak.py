"""Soak: a client's session played for an hour through the whole chain, with the UI up.

`motionmusic run --client SOAK` (the terminal UI, in tmux) plays a recorded movement looped to the
length asked for, in real time, into the synth process on a real-time JACK dummy server started
here. Every 10 s: the resident memory of the app and of the synth process, the frame rate and the
"late" count the UI shows, JACK's own xrun lines. At the end: RSS growth, fps p5 and median, xruns
per ten minutes (no growth), and the session log's size against the 2.4 MiB a minute expected.

Then 1,000 preset switches and 1,000 mute toggles on one engine and synth: memory before and after,
and silence when the movement stops (no stuck note).

Usage: soak.py [--minutes 60] [--switches 1000] [--write-readme]  (--minutes 0: the switches only)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import rewrite_readme  # noqa: E402

from motionmusic.core.trace import read_trace  # noqa: E402
from tests.test_realtime import looped_trace  # noqa: E402

SERVER = "motionmusic-soak"
EVERY_S = 10.0
EXPECTED_MIB_PER_MIN = 2.4


def looped(path: Path, minutes: float) -> Path:
    """The bundled dance trace (4 s), end to end, for `minutes`."""
    return looped_trace(path, int(np.ceil(minutes * 60 / 4.0)))


def start_jack(log: Path) -> subprocess.Popen[bytes]:
    os.environ["JACK_DEFAULT_SERVER"] = SERVER
    jackd = shutil.which("jackd") or "jackd"
    command = [jackd, "-n", SERVER, "-d", "dummy", "-r", "48000", "-p", "256"]
    server = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    time.sleep(1.5)
    return server


def screen() -> str:
    done = subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", "soak"], capture_output=True, text=True
    )
    return done.stdout


def rss_mb(pid: int) -> dict[str, float]:
    """Resident memory of the app and its synth process(es), MB."""
    app = psutil.Process(pid)
    out = {"app": app.memory_info().rss / 2**20}
    synths = [p for p in app.children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]
    out["synth"] = sum(p.memory_info().rss for p in synths) / 2**20
    return out


def app_pid() -> int:
    for p in psutil.process_iter(["cmdline"]):
        line = " ".join(p.info["cmdline"] or [])
        if "motionmusic" in line and "--client SOAK" in line and "tmux" not in line:
            return int(p.pid)
    raise SystemExit("the app did not start")


def soak(minutes: float, home: Path, jack_log: Path) -> list[str]:
    trace = looped(home / "soak.mmtrace", minutes + 0.5)
    env = f"env MOTIONMUSIC_HOME={home} JACK_DEFAULT_SERVER={SERVER}"
    mm = f"{sys.executable} -m motionmusic"
    subprocess.run(f"{env} {mm} clients add SOAK --preset theremin", shell=True, check=True)
    run = f"{env} {mm} run --client SOAK --source {trace} --audio jack"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", "soak", "-x", "120", "-y", "32", run], check=True
    )
    time.sleep(8)
    pid, samples = app_pid(), []
    started = time.monotonic()
    while time.monotonic() - started < minutes * 60:
        text = screen()
        fps = re.search(r"([\d.]+) fps", text)
        late = re.search(r"late (\d+)", text)
        samples.append(
            {
                "t": time.monotonic() - started,
                **rss_mb(pid),
                "fps": float(fps.group(1)) if fps else np.nan,
                "late": int(late.group(1)) if late else -1,
                "xruns": jack_log.read_text().count("XRun"),
            }
        )
        time.sleep(EVERY_S)
    subprocess.run(["tmux", "send-keys", "-t", "soak", "q"], check=True)
    psutil.Process(pid).wait(timeout=30)
    subprocess.run(["tmux", "kill-session", "-t", "soak"], check=False)
    return report(samples, home, minutes)


def report(samples: list[dict[str, float]], home: Path, minutes: float) -> list[str]:
    first, last = samples[1], samples[-1]  # the first sample is taken as the model settles
    fps = np.array([s["fps"] for s in samples[1:]])
    windows = {}
    for s in samples:
        windows.setdefault(int(s["t"] // 600), []).append(s["xruns"])
    per_ten = [max(v) - min(v) for _, v in sorted(windows.items())]
    logs = sorted((home / "data" / "clients" / "SOAK" / "sessions").glob("*.mmtrace"))
    size_mib = sum(p.stat().st_size for p in logs) / 2**20
    # per minute of the session itself: it began before the first sample and ended after the last
    logged_min = sum(float(read_trace(p).records["t_ns"][-1]) for p in logs) / 60e9
    rows = [
        f"| {minutes:.0f} min, UI up, theremin, JACK dummy 48 kHz / 256 (real-time) | |",
        "|---|---|",
        f"| RSS app start → end | {first['app']:.0f} → {last['app']:.0f} MB "
        f"({100 * (last['app'] / first['app'] - 1):+.1f}%) |",
        f"| RSS synth process start → end | {first['synth']:.0f} → {last['synth']:.0f} MB "
        f"({100 * (last['synth'] / first['synth'] - 1):+.1f}%) |",
        f"| fps p5 / median (the UI's figure, every 10 s) | {np.nanpercentile(fps, 5):.1f} / "
        f"{np.nanmedian(fps):.1f} |",
        f"| JACK xruns per 10 minutes | {', '.join(str(x) for x in per_ten)} |",
        f"| 'late' shown at the end | {last['late']} |",
        f"| session log | {size_mib:.1f} MiB in {logged_min:.1f} min, "
        f"{size_mib / logged_min:.2f} MiB/min "
        f"(expected {EXPECTED_MIB_PER_MIN}) |",
    ]
    return rows


def synth_rss(synth: Any) -> float:
    return float(psutil.Process(synth.process.pid).memory_info().rss / 2**20)


def switches(count: int, home: Path) -> list[str]:
    """`count` preset switches and mute toggles on one engine and synth process."""
    os.environ["MOTIONMUSIC_HOME"] = str(home)
    from motionmusic.adapters.synth_process import SynthProcess
    from motionmusic.core.replay import TracePoses, TraceSource
    from motionmusic.runtime.commands import PlayPreset
    from motionmusic.runtime.engine import Engine
    from motionmusic.runtime.instrument import Instrument
    from motionmusic.runtime.tracker import Tracker
    from motionmusic.store.preset_library import find_preset

    presets = [find_preset("theremin"), find_preset("one-sided-right")]  # same instrument
    synth = SynthProcess(presets[0], "jack").start()
    trace = read_trace(looped(home / "switch.mmtrace", count * 0.05 / 60 + 1))
    source = TraceSource(trace, realtime=True)
    engine = Engine(
        Tracker.for_preset(source, TracePoses(trace), presets[0]), Instrument(presets[0], synth)
    ).start()
    time.sleep(2)
    me = psutil.Process()
    before = (me.memory_info().rss / 2**20, synth_rss(synth))
    for i in range(count):
        engine.submit(PlayPreset(presets[(i + 1) % 2]))
        engine.mute(i % 2 == 0)
        time.sleep(0.05)
    engine.mute(False)
    time.sleep(2)
    after = (me.memory_info().rss / 2**20, synth_rss(synth))  # a restarted synth: the new one
    engine.stop()
    time.sleep(presets[0].synth.fade_ms / 1000 + 0.3)
    quiet = 0.0
    for _ in range(50):  # a quarter of a second, buffer by buffer
        quiet = max(quiet, synth.peak)
        time.sleep(0.005)
    synth.close()
    return [
        f"| {count} preset switches + {count} mute toggles (one every 50 ms) | |",
        "|---|---|",
        f"| RSS app before → after | {before[0]:.0f} → {after[0]:.0f} MB |",
        f"| RSS synth before → after | {before[1]:.0f} → {after[1]:.0f} MB |",
        f"| synth restarts meanwhile (a stalled audio callback) | {synth.restarts} |",
        f"| peak after the movement stopped (stuck note?) | {20 * np.log10(quiet + 1e-12):.0f} dBFS |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--switches", type=int, default=1000)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="soak-"))
    jack_log = home / "jackd.log"
    server = start_jack(jack_log)
    try:
        rows = soak(args.minutes, home, jack_log) if args.minutes > 0 else []
        print("\n".join(rows), flush=True)
        rows += ["", *switches(args.switches, home)] if rows else switches(args.switches, home)
    finally:
        server.terminate()
        server.wait(timeout=5)
    text = "\n".join(rows)
    print(text)
    if args.write_readme:
        rewrite_readme("soak", text)


if __name__ == "__main__":
    main()
