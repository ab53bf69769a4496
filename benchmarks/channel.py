"""Which channel carries controls from the loop's process to the synth process fastest?

Both run side by side on a private JACK dummy server (48 kHz, 256-frame periods): the parent writes a
counter into a shared-memory array and sends the same number as an OSC float over UDP; the synth
process records, in its per-buffer callback, when each channel first shows it. Printed: write → apply
p50/p95/p99 for shared memory, for `OscReceive` with its default interpolation, and without it.

Run: python benchmarks/channel.py
"""

from __future__ import annotations

import multiprocessing
import socket
import struct
import tempfile
import time
from multiprocessing import shared_memory
from pathlib import Path
from typing import Any

import numpy as np
from latency import start_jack

COUNT, PORT, READY = 400, 9310, 0
SIZE = 2 + 3 * COUNT  # ready flag, shm value, then applied times per channel


def osc_float(address: str, value: float) -> bytes:
    """A minimal OSC message carrying one float32 (address and type tag padded to 4 bytes)."""

    def pad(raw: bytes) -> bytes:
        return raw + b"\0" * (4 - len(raw) % 4)

    return pad(address.encode()) + pad(b",f") + struct.pack(">f", value)


def synth(name: str, stop: Any) -> None:
    import os

    os.environ["PYO_GUI_WX"] = "0"
    import pyo

    memory = shared_memory.SharedMemory(name=name)
    data = np.ndarray((SIZE,), dtype=np.float64, buffer=memory.buf)
    server = pyo.Server(
        sr=48000, nchnls=2, buffersize=256, duplex=0, audio="jack", verbosity=1
    ).boot()
    smooth = pyo.OscReceive(port=PORT, address=["/smooth"])
    raw = pyo.OscReceive(port=PORT + 1, address=["/raw"])
    raw.setInterpolation(False)
    seen = {"shm": 0.0, "smooth": 0.0, "raw": 0.0}
    column = {"shm": 2, "smooth": 2 + COUNT, "raw": 2 + 2 * COUNT}

    def on_buffer() -> None:
        now = time.monotonic_ns()
        values = {
            "shm": float(data[1]),
            "smooth": float(smooth.get("/smooth")),
            "raw": float(raw.get("/raw")),
        }
        for key, value in values.items():
            # a value counts as arrived once within 0.01 of it (the interpolating receiver glides)
            while seen[key] < COUNT and value >= seen[key] + 1 - 0.01:
                seen[key] += 1
                data[column[key] + int(seen[key]) - 1] = now

    server.setCallback(on_buffer)
    server.start()
    data[READY] = 1
    stop.wait()
    server.stop()


def main() -> None:
    jack = start_jack(Path(tempfile.mkdtemp()) / "jackd.log", 256)
    memory = shared_memory.SharedMemory(create=True, size=SIZE * 8)
    data = np.ndarray((SIZE,), dtype=np.float64, buffer=memory.buf)
    data[:] = 0
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    child = context.Process(target=synth, args=(memory.name, stop), daemon=True)
    child.start()
    while data[READY] == 0:
        time.sleep(0.05)
    time.sleep(1.0)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = np.zeros(COUNT)
    rng = np.random.default_rng(1)
    for i in range(1, COUNT + 1):
        sent[i - 1] = time.monotonic_ns()
        data[1] = i
        udp.sendto(osc_float("/smooth", float(i)), ("127.0.0.1", PORT))
        udp.sendto(osc_float("/raw", float(i)), ("127.0.0.1", PORT + 1))
        time.sleep(0.02 + rng.uniform(0, 0.013))  # about a camera frame, not phase-locked to audio
    time.sleep(0.5)
    print("write → applied in the synth's audio callback, JACK dummy 48 kHz / 256 (ms):")
    for label, start in (
        ("shared memory + callback", 2),
        ("OscReceive (interpolating)", 2 + COUNT),
        ("OscReceive, no interpolation", 2 + 2 * COUNT),
    ):
        applied = data[start : start + COUNT]
        ok = applied > 0
        ms = (applied[ok] - sent[ok]) / 1e6
        p50, p95, p99 = np.percentile(ms, [50, 95, 99]) if ok.any() else (np.nan,) * 3
        print(
            f"  {label:30} p50 {p50:6.2f}  p95 {p95:6.2f}  p99 {p99:6.2f}  ({ok.sum()}/{COUNT} seen)"
        )
    stop.set()
    child.join(timeout=5)
    del data
    memory.close()
    memory.unlink()
    jack.terminate()


if __name__ == "__main__":
    main()
