"""The load a fault drill runs under: keyed completions over HTTP, due timers, a clock.

Completions: ``clients`` threads post ``/complete`` (approve) for distinct review items, each
with an ``Idempotency-Key`` of its item; a refused, reset, 5xx or ``request_in_progress``
answer is retried with the same key on the other web process, as a careful client would,
until the retry window closes. Every attempt is kept (time sent, time answered, status).
Timers: a feeder adds a few long-due deferral cases every second, and a clock enqueues
``fire_due_timers`` and ``sweep_outbox`` on the broker every second (the Procfile's clock does
it every minute).
"""
from __future__ import annotations

import json
import queue
import socket
import threading
import time
from dataclasses import dataclass, field

import dramatiq
from dramatiq.brokers.redis import RedisBroker

RETRY_PAUSE = 0.5
PACE = 0.05  # seconds each client waits between items: a steady load, not a saturating one


@dataclass
class Attempt:
    sent: float
    answered: float
    status: int  # 0: refused or reset before an answer
    port: int
    code: str = ""


@dataclass
class Outcome:
    item: int
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def final(self) -> Attempt:
        return self.attempts[-1]


def retryable(attempt: Attempt) -> bool:
    return attempt.status == 0 or attempt.status >= 500 or attempt.code == "request_in_progress"


def post(port: int, item: int, token: str) -> tuple[int, str]:
    """One keyed completion on a new connection: the status and the error code, if any."""
    body = json.dumps({"data": {"decision": "approve"}}).encode()
    request = (f"POST /api/v1/work-items/{item}/complete HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
               f"Idempotency-Key: drill-{item}\r\nContent-Type: application/json\r\n"
               f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=90) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    if not head:
        raise ValueError("connection closed before the response")
    status = int(head.split(b"\r\n", 1)[0].split(b" ", 2)[1])
    code = ""
    if status >= 400:
        try:
            code = json.loads(payload or b"{}").get("error", {}).get("code", "")
        except ValueError:
            code = "not-json"
    return status, code


class Completions:
    """Closed-loop keyed completions until ``stop()``; retries until ``retry_until``."""

    def __init__(self, ports: list[int], token: str, items: list[int], clients: int) -> None:
        self.ports, self.token, self.clients = ports, token, clients
        self.work: queue.SimpleQueue[int] = queue.SimpleQueue()
        for item in items:
            self.work.put(item)
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.retry_until = float("inf")
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True)
                         for n in range(clients)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, retry_seconds: float) -> None:
        """No new items; open retries go on for ``retry_seconds``."""
        self.retry_until = time.monotonic() + retry_seconds
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=retry_seconds + 120)

    def _client(self, n: int) -> None:
        while not self._stop.is_set():
            try:
                item = self.work.get_nowait()
            except queue.Empty:
                return
            outcome = Outcome(item)
            with self._lock:
                self.outcomes.append(outcome)
            self._complete(outcome, n)
            time.sleep(PACE)

    def _complete(self, outcome: Outcome, n: int) -> None:
        tries = 0
        while True:
            port = self.ports[(n + tries) % len(self.ports)]
            sent = time.monotonic()
            try:
                status, code = post(port, outcome.item, self.token)
            except (OSError, ValueError):
                status, code = 0, "refused"
            attempt = Attempt(sent, time.monotonic(), status, port, code)
            outcome.attempts.append(attempt)
            tries += 1
            if not retryable(attempt) or time.monotonic() > self.retry_until:
                return
            time.sleep(RETRY_PAUSE)


class Ticker:
    """Call ``fn`` every ``interval`` seconds in a thread, ignoring its failures (a database
    or broker that is down), until stopped."""

    def __init__(self, fn, interval: float = 1.0) -> None:
        self.fn, self.interval = fn, interval
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.fn()
            except Exception:  # the fault under test; the next tick tries again
                self.failures += 1


def clock(redis_url: str):
    """A function enqueuing what ``flask jobs clock`` enqueues each minute: the timers and the
    outbox sweep."""
    broker = RedisBroker(url=redis_url)

    def tick() -> None:
        for queue_name, actor_name in (("timers", "fire_due_timers"),
                                       ("notifications", "sweep_outbox")):
            broker.enqueue(dramatiq.Message(queue_name=queue_name, actor_name=actor_name,
                                            args=(), kwargs={}, options={}))
    return tick
