"""Gunicorn processes and a bounded closed-loop load generator on loopback.

The load generator is a few threads in this process, each writing a prepared HTTP/1.1 request
on a plain socket and reading the status line and the ``Content-Length`` body (less CPU per
request than ``http.client``, so it takes little of the two cores from the server; its
CPU is measured and reported). Each request completes a distinct work item; a run stops when
the items or the time run out, whichever comes first, and never sends more requests than
items.
"""
from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .report import ROOT

# the running interpreter's virtualenv first (a worktree may have no .venv of its own)
GUNICORN = next((p for p in (Path(sys.executable).parent / "gunicorn",
                             ROOT / ".venv" / "bin" / "gunicorn") if p.exists()),
                Path("gunicorn"))
READY_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time consumed so far by the processes (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass
class Server:
    port: int
    pid: int  # the gunicorn master; its children are the workers

    @property
    def workers(self) -> list[int]:
        return children(self.pid)


def _start(workers: int, env: dict[str, str], log_dir: Path) -> tuple[subprocess.Popen, int, Path]:
    """The Procfile's web process (``service:create_app()``): only the web tier. (``make run``'s
    ``service.wsgi:app`` also runs a job worker and the clock in every process.)"""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"gunicorn-{port}.log"
    binary = str(GUNICORN)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [binary, "--workers", str(workers), "--threads", "1", "--bind", f"127.0.0.1:{port}",
             "--timeout", "120", "--log-level", "warning", "service:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, port, log_path


@contextmanager
def servers(workers: list[int], env: dict[str, str], log_dir: Path) -> Iterator[list[Server]]:
    """One gunicorn master per entry of ``workers`` (its worker count, one thread each), all
    started at once; stopped on exit."""
    started: list[tuple[subprocess.Popen, int, Path]] = []
    try:
        for n in workers:
            started.append(_start(n, env, log_dir))
        for (proc, port, log_path), n in zip(started, workers, strict=True):
            _wait_ready(port, proc, log_path, n)
        yield [Server(port, proc.pid) for proc, port, _ in started]
    finally:
        for proc, _, _ in started:
            _stop(proc)


def _wait_ready(port: int, proc: subprocess.Popen, log_path: Path, workers: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                # the other workers import the app at the same time; give them as long
                time.sleep(1.0 + 1.5 * (workers - 1))
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} not ready: {log_path.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    completed: list[int] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0


def complete_items(ports: list[int], token: str, items: list[int], clients: int,
                   seconds: float) -> LoadResult:
    """POST ``/complete`` for each item (approve) from ``clients`` threads, spread over ports."""
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for item in items:
        work.put(item)
    result = LoadResult()
    lock = threading.Lock()
    body = json.dumps({"data": {"decision": "approve"}}).encode()
    started = time.perf_counter()
    deadline = started + seconds

    def client(port: int) -> None:
        while time.perf_counter() < deadline:
            try:
                item = work.get_nowait()
            except queue.Empty:
                return
            request = (f"POST /api/v1/work-items/{item}/complete HTTP/1.1\r\n"
                       f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                       "Content-Type: application/json\r\nConnection: close\r\n"
                       f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            sent = time.perf_counter()
            try:
                status = post(port, request)
            except (OSError, ValueError) as exc:
                status = 0
                with lock:
                    result.errors.append(f"{item}: {exc!r}")
            took = time.perf_counter() - sent
            with lock:
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status == 200:
                    result.latencies.append(took)
                    result.completed.append(item)
                elif len(result.errors) < 20:
                    result.errors.append(f"{item}: HTTP {status}")

    threads = [threading.Thread(target=client, args=(ports[n % len(ports)],), daemon=True)
               for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    result.elapsed = time.perf_counter() - started
    return result


def post(port: int, request: bytes) -> int:
    """Send one prepared request on a new connection; the response's status once its body
    (``Content-Length`` bytes) has arrived."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise ValueError("connection closed before the response headers")
            data += chunk
        head, _, received = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = next((int(line.split(b":", 1)[1]) for line in lines[1:]
                       if line[:15].lower() == b"content-length:"), 0)
        remaining = length - len(received)
        while remaining > 0:
            chunk = sock.recv(65536)
            if not chunk:
                raise ValueError("connection closed before the end of the response body")
            remaining -= len(chunk)
    return status
