"""A fault-injecting TCP proxy for HTTP/1.1 on loopback: drops connections at a set rate.

The sandbox is a Django view, so it can answer 429/500/503 or answer slowly, but it cannot make
a connection vanish. This proxy sits between MotionHub's connection base URL and the server and,
per connection (one request each: the proxy asks the server to close after answering), either

- forwards the request and the answer untouched,
- **drops before**: reads the request head, then resets the connection without forwarding —
  the server never sees the request, but the client cannot know that; or
- **drops after**: forwards the whole request, reads the server's whole answer, then resets the
  connection without returning it — "request sent, no answer", the case where a create call may
  have made a task upstream and must never be resent.

It also tallies what the server answered (status codes per kind of request, slow answers), so a
test can print the faults that were really injected. Everything stays on 127.0.0.1; the proxy is
a daemon thread, handles a bounded number of connections at once, gives every connection a
deadline, and stops by itself after `lifetime` seconds if nobody stops it.
"""

from __future__ import annotations

import contextlib
import random
import re
import selectors
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
MAX_HEAD = 64 * 1024
KEEP = 2048  # bytes of each answer kept for the tally (status line, headers, start of body)
_STATUS = re.compile(rb"^HTTP/1\.[01] (\d{3})")
_REQUEST = re.compile(rb"^([A-Z]+) (\S+) HTTP/1\.[01]\r\n")


def kind_of(method: str, path: str) -> str:
    """A short name for what a useapi request does (the figures are tallied per kind)."""
    path = path.split("?", 1)[0]
    if method == "POST" and "/assets" in path:
        return "asset upload"
    if method == "POST" and path.rstrip("/").endswith(("/motion-upload", "/motion-create")):
        return "create call"
    if method == "GET" and "/tasks/" in path:
        return "task read"
    return "other"


@dataclass
class Tally:
    """What went through the proxy; read it after the run (counters are updated under a lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    connections: int = 0
    dropped_before: Counter = field(default_factory=Counter)  # kind -> count
    dropped_after: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)  # (kind, status) -> count
    slow: Counter = field(default_factory=Counter)  # kind -> answers slower than `slow_after`
    injected_429: Counter = field(default_factory=Counter)  # kind -> 429s that were injected
    errors: Counter = field(default_factory=Counter)  # proxy-side trouble, by exception name

    def add(self, counter: str, key) -> None:
        with self.lock:
            getattr(self, counter)[key] += 1


class FaultProxy:
    """`FaultProxy(("127.0.0.1", 8000), drop_before=0.03, drop_after=0.03).start()`; `.url`."""

    def __init__(
        self,
        target: tuple[str, int],
        *,
        drop_before: float = 0.0,
        drop_after: float = 0.0,
        slow_after: float = 0.9,
        max_connections: int = 64,
        connection_deadline: float = 60.0,
        lifetime: float = 600.0,
        seed: int | None = None,
    ) -> None:
        if target[0] != LOOPBACK:
            raise ValueError("the fault proxy only forwards to 127.0.0.1")
        self.target = target
        self.drop_before = drop_before
        self.drop_after = drop_after
        self.slow_after = slow_after
        self.connection_deadline = connection_deadline
        self.lifetime = lifetime
        self.tally = Tally()
        self._random = random.Random(seed)
        self._random_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._stopping = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(128)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)
        self._handlers: set[threading.Thread] = set()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def set_rates(self, *, drop_before: float, drop_after: float) -> None:
        self.drop_before, self.drop_after = drop_before, drop_after

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._thread.join(timeout)
        deadline = time.monotonic() + timeout
        for handler in list(self._handlers):
            handler.join(max(deadline - time.monotonic(), 0.0))

    # -- the accept loop ---------------------------------------------------------------------

    def _serve(self) -> None:
        ends_at = time.monotonic() + self.lifetime
        try:
            while not self._stopping.is_set() and time.monotonic() < ends_at:
                try:
                    client, _ = self._listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not self._slots.acquire(timeout=self.connection_deadline):
                    _reset(client)  # never reached with sane limits; bounded anyway
                    continue
                handler = threading.Thread(
                    target=self._handle, args=(client,), name="fault-proxy-conn", daemon=True
                )
                self._handlers.add(handler)
                handler.start()
        finally:
            self._stopping.set()
            self._listener.close()

    def _fate(self) -> str:
        with self._random_lock:
            roll = self._random.random()
        if roll < self.drop_before:
            return "before"
        if roll < self.drop_before + self.drop_after:
            return "after"
        return "forward"

    # -- one connection ----------------------------------------------------------------------

    def _handle(self, client: socket.socket) -> None:
        upstream = None
        try:
            with self.tally.lock:
                self.tally.connections += 1
            deadline = time.monotonic() + self.connection_deadline
            client.settimeout(5.0)
            head, rest = _read_head(client, deadline)
            if head is None:
                return  # the client went away (or sent nonsense): nothing to forward
            match = _REQUEST.match(head)
            kind = kind_of(match[1].decode(), match[2].decode()) if match else "other"
            fate = self._fate()
            if fate == "before":
                self.tally.add("dropped_before", kind)
                return  # reset below, the request never forwarded
            upstream = socket.create_connection(self.target, timeout=5.0)
            upstream.sendall(_close_after_answer(head) + rest)
            started = time.monotonic()
            answer, first_byte_at = _pump(client, upstream, deadline, forward=fate == "forward")
            status_line = _STATUS.match(answer)
            status = int(status_line[1]) if status_line else 0
            self.tally.add("answers", (kind, status))
            if status == 429 and b"every configured account is at capacity" in answer:
                self.tally.add("injected_429", kind)  # the sandbox's injected fault text
            if first_byte_at is not None and first_byte_at - started >= self.slow_after:
                self.tally.add("slow", kind)
            if fate == "after":
                self.tally.add("dropped_after", kind)
                return  # reset below: the server answered, the client never hears it
            client.shutdown(socket.SHUT_WR)
            client.close()
            client = None
        except (OSError, ValueError) as exc:
            self.tally.add("errors", type(exc).__name__)
        finally:
            if upstream is not None:
                upstream.close()
            if client is not None:
                _reset(client)
            self._slots.release()
            self._handlers.discard(threading.current_thread())


def _pump(
    client: socket.socket, upstream: socket.socket, deadline: float, *, forward: bool
) -> tuple[bytes, float | None]:
    """Shuttle bytes until the server closes: (the start of its answer, when it began).

    With `forward` False the answer is read and kept from the client.
    """
    first_byte_at = None
    kept = b""
    with selectors.DefaultSelector() as selector:
        selector.register(client, selectors.EVENT_READ, "client")
        selector.register(upstream, selectors.EVENT_READ, "upstream")
        while time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.5):
                if key.data == "client":
                    data = client.recv(65536)
                    if not data:
                        selector.unregister(client)  # the client half-closed or left
                        continue
                    upstream.sendall(data)
                    continue
                data = upstream.recv(65536)
                if not data:
                    return kept, first_byte_at
                if first_byte_at is None:
                    first_byte_at = time.monotonic()
                if len(kept) < KEEP:
                    kept += data[: KEEP - len(kept)]
                if forward:
                    client.sendall(data)
    raise TimeoutError("the connection outlived its deadline")


def _read_head(sock: socket.socket, deadline: float) -> tuple[bytes | None, bytes]:
    """(the request head through its blank line, the body bytes read with it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEAD or time.monotonic() > deadline:
            return None, b""
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", rest


def _close_after_answer(head: bytes) -> bytes:
    """The same request head, asking the server to close the connection after its answer."""
    lines = head.split(b"\r\n")
    kept = [line for line in lines if not line.lower().startswith(b"connection:")]
    # lines ends with two empty strings (the blank line); insert before them.
    return b"\r\n".join([*kept[:-2], b"Connection: close", b"", b""])


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0): the peer sees 'connection reset', not a clean end."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
