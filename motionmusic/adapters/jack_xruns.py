"""Dropouts as the JACK server counts them: its xrun callback, into the control channel.

The synth process used to count an audio callback that came over 1.5 buffers after the previous
one as "late"; on a real-time server that counted timer jitter too (1-2 a minute with no dropout
at all). JACK itself knows when a cycle was lost: every xrun, whoever caused it, is reported to
each client's xrun callback. A small client of its own (no ports, so no work in the audio cycle)
listens for them in the synth process and adds each to the channel's LATE slot, which the
screen shows. The same client hears the server shut down, and says so in the channel's STATUS
slot: a synth whose audio stopped is then known to have lost its server, not to have failed.
"""

from __future__ import annotations

from typing import Any

from motionmusic.core import channel as ch
from motionmusic.core.channel import FloatArray

CLIENT_NAME = "motionmusic-xruns"


class XrunCounter:
    """Counts the JACK server's xruns while it is open."""

    def __init__(self, array: FloatArray, client: Any) -> None:
        self._array, self._client = array, client
        client.set_xrun_callback(self._xrun)
        client.set_shutdown_callback(self._shutdown)
        client.activate()

    def _xrun(self, delay_us: float) -> None:
        self._array[ch.LATE] += 1.0

    def _shutdown(self, status: Any, reason: str) -> None:
        self._array[ch.STATUS] = ch.SERVER_GONE

    def close(self) -> None:
        self._client.deactivate()
        self._client.close()


def count_xruns(array: FloatArray) -> XrunCounter | None:
    """A counter on the running JACK server, or None where JACK-Client or libjack is missing
    (the synth then counts its own late callbacks)."""
    try:
        import jack

        client = jack.Client(CLIENT_NAME, no_start_server=True)
    except Exception:  # no libjack (OSError), no server (JackOpenError): fall back, never fail
        return None
    return XrunCounter(array, client)
