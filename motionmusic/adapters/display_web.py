"""The client display's web server: one local page, fed the newest frame over a WebSocket.

aiohttp runs on a thread of its own with its own event loop, so the engine's loop only hands over
a reference (`offer`, a few microseconds): the frame is encoded here (JSON, stamped with the
time it was offered, so the page can tell how late it draws it) once for every page, as often
as it is offered (the engine: at most 30 a second), and each page is sent only the newest (a
slow tablet skips frames, it never queues them). Nothing but numbers leaves: the skeleton and
the state, never a picture.

Bound to 127.0.0.1 unless asked otherwise. Any other address serves a LAN (a tablet), so the page
and its WebSocket then need an unguessable token in the URL; the page's script and style are the
same for everyone and hold no data. The page loads nothing from elsewhere (a strict CSP).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aiohttp import WSCloseCode, web

from motionmusic.core.errors import MotionMusicError

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
ASSETS = {"/display.js": "application/javascript", "/display.css": "text/css"}
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Address:
    """Where the display listens; `lan` when other machines may reach it (a token is needed)."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Address:
        """`PORT` (this machine only) or `HOST:PORT`."""
        host, _, port = text.rpartition(":")
        host = host.strip("[]") or LOOPBACK
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise MotionMusicError(f"--display {text}: give a port (1-65535), or HOST:PORT")
        return cls(host, int(port))

    @property
    def lan(self) -> bool:
        if self.host == "localhost":
            return False
        try:
            return not ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return True  # a name: whatever it resolves to, treat it as reachable


class WebDisplay:
    """Serve the page; `offer` it frames from any thread; `close` when done."""

    def __init__(self, address: Address, encode: Callable[[Any], dict[str, Any]]) -> None:
        self.address, self._encode = address, encode
        self.token = secrets.token_urlsafe(18) if address.lan else None
        self._latest: Any = None
        self._offered_ms = 0.0  # wall-clock time of the newest offer: the page measures its lag
        self._pending = False
        self._payload = ""
        self._feeds: set[asyncio.Event] = set()
        self._sockets: set[web.WebSocketResponse] = set()
        self._pump_task: asyncio.Task[None] | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="display", daemon=True)
        self._runner: web.AppRunner | None = None
        self._wake: asyncio.Event | None = None
        self.sent = 0  # frames encoded and sent (to every page)

    @property
    def url(self) -> str:
        host = self.address.host
        if host in ("0.0.0.0", "::"):
            host = socket.gethostname()
        if ":" in host:
            host = f"[{host}]"
        query = f"?token={self.token}" if self.token else ""
        return f"http://{host}:{self.address.port}/{query}"

    @property
    def pages(self) -> int:
        """Pages connected now."""
        return len(self._feeds)

    def start(self) -> WebDisplay:
        """Listen, or raise one clear line: port in use, not an address of this machine."""
        try:
            _try_bind(self.address)  # the plain socket's errno: asyncio may wrap it in words
        except OSError as exc:
            raise MotionMusicError(_bind_error(self.address, exc)) from exc
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        try:
            future.result(timeout=10)
        except OSError as exc:
            self.close()
            raise MotionMusicError(_bind_error(self.address, exc)) from exc
        return self

    def offer(self, item: Any) -> None:
        """The newest state (called in the engine's loop: it only keeps a reference)."""
        self._latest, self._offered_ms = item, time.time() * 1000
        if not self._pending and self._wake is not None:
            self._pending = True
            self._loop.call_soon_threadsafe(self._wake.set)

    def close(self) -> None:
        """Say goodbye to every page (they retry every second), stop listening, end the thread."""
        self._wake = None  # frames offered from now on are dropped
        if self._thread.is_alive():
            done = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
            with contextlib.suppress(Exception):  # closing: pages are dropped either way
                done.result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    # -- in the server's thread --------------------------------------------------------------
    async def _shutdown(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"motionmusic stopped")
        if self._pump_task is not None:
            self._pump_task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _serve(self) -> None:
        app = web.Application(middlewares=[self._guard])
        app.router.add_get("/", self._page)
        app.router.add_get("/ws", self._socket)
        for path in ASSETS:
            app.router.add_get(path, self._asset)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        # SO_REUSEADDR: a restarted app gets its port back at once (the last run's connections
        # linger in TIME_WAIT); on Linux it never lets two servers listen on one port
        site = web.TCPSite(self._runner, self.address.host, self.address.port, reuse_address=True)
        await site.start()
        if self.address.port == 0:  # the system chose one (tests)
            self.address = Address(self.address.host, int(self._runner.addresses[0][1]))
        self._wake = asyncio.Event()
        self._pump_task = asyncio.get_running_loop().create_task(self._pump())

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.token is not None and request.path in ("/", "/ws"):
            given = request.query.get("token", "")
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                raise web.HTTPForbidden(text="motionmusic display: wrong or missing token\n")
        response: web.StreamResponse = await handler(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    async def _page(self, request: web.Request) -> web.Response:
        return web.Response(text=_asset_text("display.html"), content_type="text/html")

    async def _asset(self, request: web.Request) -> web.Response:
        name = request.path.lstrip("/")
        return web.Response(text=_asset_text(name), content_type=ASSETS[request.path])

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=5.0)
        await ws.prepare(request)
        feed = asyncio.Event()
        self._feeds.add(feed)
        if self._wake is not None and self._offered_ms > 0:
            self._wake.set()  # the newest state, encoded now: not a stale one, nor a wait
        self._sockets.add(ws)
        sender = asyncio.get_running_loop().create_task(self._send(ws, feed))
        try:
            async for _message in ws:  # the page says nothing; this waits for it to go
                pass
        finally:
            self._feeds.discard(feed)
            self._sockets.discard(ws)
            sender.cancel()
        return ws

    async def _send(self, ws: web.WebSocketResponse, feed: asyncio.Event) -> None:
        while not ws.closed:
            await feed.wait()
            feed.clear()
            try:
                await ws.send_str(self._payload)
            except (ConnectionError, RuntimeError):
                return

    async def _pump(self) -> None:
        """Encode the newest state once for all pages (the engine offers at most 30 a second)."""
        wake = self._wake
        assert wake is not None
        while True:
            await wake.wait()
            wake.clear()
            self._pending = False
            if self._feeds:
                message = {**self._encode(self._latest), "t": round(self._offered_ms, 1)}
                self._payload = json.dumps(message, separators=(",", ":"), allow_nan=False)
                self.sent += 1
                for feed in self._feeds:
                    feed.set()


def _asset_text(name: str) -> str:
    return resources.files("motionmusic.adapters").joinpath("web", name).read_text("utf-8")


def _try_bind(address: Address) -> None:
    """Bind a plain socket where the server will listen, and let it go: a port in use or an
    address not of this machine raises here, with its errno, on every Python version."""
    family, kind, _, _, where = socket.getaddrinfo(
        address.host, address.port, type=socket.SOCK_STREAM
    )[0]
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        probe.bind(where)


def _bind_error(address: Address, exc: OSError) -> str:
    where = f"--display {address.host}:{address.port}"
    if isinstance(exc, socket.gaierror):
        return f"{where}: unknown host {address.host!r}"
    if exc.errno == errno.EADDRINUSE:
        return f"{where}: port {address.port} is in use (choose another port)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{where}: {address.host} is not an address of this machine"
    if exc.errno == errno.EACCES:
        return f"{where}: not allowed to listen on port {address.port} (use one above 1023)"
    return f"{where}: cannot listen ({exc.strerror or exc})"
