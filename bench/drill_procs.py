"""The processes a fault drill runs and supervises, and the faults it injects.

Each web process (the Procfile's ``gunicorn ... 'service:create_app()'``) and each dramatiq
worker (``dramatiq service.worker``) runs in a process group of its own; a supervisor thread
restarts any that dies, as systemd or a container runtime would. Faults are loopback-local:
``kill -9`` of a process group, a restart of the local PostgreSQL cluster, and Redis paused
with SIGSTOP (always resumed with SIGCONT, whatever happens).
"""
from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .report import ROOT

BIN = Path(sys.executable).parent
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _binary(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


class Supervised:
    """One restartable process group; ``ready`` tells when a (re)start can serve."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path,
                 port: int | None = None) -> None:
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self.started_at = 0.0

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a") as log:
            self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.started_at = time.monotonic()

    def dead(self) -> bool:
        return self.proc is None or self.proc.poll() is not None

    def kill9(self) -> int:
        """SIGKILL the whole group (master and its children); returns the master's pid."""
        assert self.proc is not None
        pid = self.proc.pid
        os.killpg(pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        return pid

    def stop(self) -> None:
        if self.dead():
            return
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def healthy(self) -> bool:
        """Web: ``/healthz`` answers 200. Worker: alive for a few seconds (it has loaded)."""
        if self.dead():
            return False
        if self.port is None:
            return time.monotonic() - self.started_at > 4.0
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False


def web(slot: int, port: int, env: dict[str, str], log_dir: Path) -> Supervised:
    """The Procfile's web command with one worker per process, bound to loopback."""
    return Supervised(f"web{slot}", [
        _binary("gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
        "--log-level", "warning", "service:create_app()"], env, log_dir, port)


def worker(slot: int, env: dict[str, str], log_dir: Path) -> Supervised:
    """The Procfile's worker command, one process of four threads."""
    return Supervised(f"worker{slot}", [
        _binary("dramatiq"), "service.worker", "--processes", "1", "--threads", "4"],
        env, log_dir)


class Supervisor:
    """Restarts any supervised process that died, every 0.2 s, until stopped."""

    def __init__(self, procs: list[Supervised]) -> None:
        self.procs = procs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="supervisor", daemon=True)

    def __enter__(self) -> Supervisor:
        for proc in self.procs:
            proc.start()
        self.wait_healthy(120)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for proc in self.procs:
            proc.stop()

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            for proc in self.procs:
                if proc.dead():
                    proc.restarts += 1
                    proc.start()

    def wait_healthy(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if all(p.healthy() for p in self.procs):
                return
            time.sleep(0.2)
        sick = [p for p in self.procs if not p.healthy()]
        raise RuntimeError(f"not healthy: {[(p.name, p.log_path.read_text()[-1500:]) for p in sick]}")


def postgres_cluster() -> str:
    versions = sorted(os.listdir("/etc/postgresql"))
    if not versions:
        raise RuntimeError("no local PostgreSQL cluster in /etc/postgresql")
    return versions[-1]


def postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], timeout=10).returncode == 0


def restart_postgres() -> None:
    """Restart the local cluster; whatever happens, it is started again and accepting."""
    version = postgres_cluster()
    try:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                       check=True, timeout=120, capture_output=True)
    finally:
        deadline = time.monotonic() + 60
        while not postgres_ready():
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not come back")
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                            "start"], timeout=120, capture_output=True)
            time.sleep(1)


def redis_pid(port: int) -> int:
    out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "INFO", "server"],
                         check=True, capture_output=True, text=True, timeout=10).stdout
    for line in out.splitlines():
        if line.startswith("process_id:"):
            return int(line.split(":", 1)[1])
    raise RuntimeError("redis-cli INFO did not name the server's pid")


def pause_redis(port: int, seconds: float) -> None:
    """Freeze the Redis server for ``seconds`` (SIGSTOP), then always resume it (SIGCONT)."""
    pid = redis_pid(port)
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        os.kill(pid, signal.SIGCONT)
