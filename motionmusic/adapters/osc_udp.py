"""OSC over UDP through python-osc: messages to one HOST:PORT.

UDP says nothing when nobody listens, so the target is checked once at the start: the host must
resolve and be routable from here (a UDP `connect` asks the kernel for a route, sending nothing).
"""

from __future__ import annotations

import socket

from motionmusic.core.errors import MotionMusicError
from motionmusic.core.osc import Message


def parse_target(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise MotionMusicError(f"OSC target {text!r}: write it as HOST:PORT, e.g. 127.0.0.1:9000")
    return host, int(port)


class OscSender:
    def __init__(self, text: str) -> None:
        from pythonosc.udp_client import SimpleUDPClient

        host, port = parse_target(text)
        try:
            address = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
            with socket.socket(address[0], socket.SOCK_DGRAM) as probe:
                probe.connect(address[4])
        except OSError as exc:
            reason = "unknown host" if isinstance(exc, socket.gaierror) else exc.strerror or exc
            raise MotionMusicError(f"OSC target {text}: unreachable ({reason})") from None
        self.target = text
        self._client = SimpleUDPClient(host, port)

    def send(self, messages: list[Message]) -> None:
        for address, arguments in messages:
            try:
                self._client.send_message(address, list(arguments))
            except OSError:
                return  # a receiver gone (ICMP refused): UDP carries on with the next frame

    def close(self) -> None:
        self._client._sock.close()
