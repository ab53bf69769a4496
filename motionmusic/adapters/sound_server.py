"""A desktop sound server's own account of the synth's stream: how long its sound waits there.

Through PortAudio the synth's sound goes to ALSA's `default` device and on to the desktop's
sound server (PulseAudio, or PipeWire's PulseAudio service), which holds it in the stream's
buffer and then the sink's. PortAudio knows only its side (its device reports 8.7 ms however
the server is set); the server knows the rest, and says it for every stream in
`pactl list sink-inputs` ("Buffer Latency", "Sink Latency"), found by the process that plays it.
"""

from __future__ import annotations

import re
import shutil
import subprocess

LATENCY = re.compile(r"(Buffer|Sink) Latency: (\d+) usec")


def stream_latency_s(pid: int, timeout: float = 2.0) -> float | None:
    """The server's buffer plus sink latency for the stream process `pid` plays, in seconds;
    None where there is no `pactl`, no server, or no stream of that process."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    try:
        listed = subprocess.run(
            [pactl, "list", "sink-inputs"], capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return parse(listed.stdout, pid)


def parse(listing: str, pid: int) -> float | None:
    """The latency of `pid`'s stream in a `pactl list sink-inputs` listing."""
    for block in re.split(r"\n(?=Sink Input #)", listing):
        if f'application.process.id = "{pid}"' not in block:
            continue
        found = {kind: int(usec) for kind, usec in LATENCY.findall(block)}
        if "Buffer" in found:
            return (found["Buffer"] + found.get("Sink", 0)) / 1e6
    return None
