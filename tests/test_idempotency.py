"""``Idempotency-Key``: a request that died leaves nothing stuck, one key runs once.

The key is stored in the request's own transaction with its work and its answer
(``service/api/v1/idempotency.py``); it used to be committed as "pending" before the view
ran, so a worker killed mid-request left the key answering 409 ``request_in_progress`` forever.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from conftest import ROOT
from flask import Flask
from sqlalchemy import func, select
from test_concurrency import THREADS, _clients, _in_parallel, _institution_id
from verification_flow import Verification

from service.core.extensions import db
from service.engine.models import CaseEvent, IdempotencyRecord
from service.institutions.departments import Department


def test_ten_requests_with_one_key_at_once_run_once_and_answer_alike(live_app: Flask) -> None:
    institution_id = _institution_id(live_app, "inst.chaoyang1")
    clients = _clients(live_app, "inst.chaoyang1", 10)
    path = f"/api/v1/institutions/{institution_id}/departments"
    body = {"code": "IDEM01", "name": "幂等科", "subjects": ["03"]}
    responses = _in_parallel([
        lambda c=c: c.post(path, json=body, headers={"Idempotency-Key": "dept-idem-01"})
        for c in clients])
    assert Counter(r.status_code for r in responses) == {201: 10}, [r.get_json() for r in responses]
    assert len({r.get_json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 9
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Department).where(
            Department.institution_id == institution_id, Department.code == "IDEM01")) == 1
    other = clients[0].post(path, json={**body, "name": "别的科"},
                            headers={"Idempotency-Key": "dept-idem-01"})
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert THREADS >= 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(live_app: Flask, tmp_path: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    url = live_app.config["SQLALCHEMY_DATABASE_URI"]
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "slow_server.py"), url, str(port), str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    for _ in range(1200):  # a loaded machine imports slowly
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server, port
        except OSError:
            if server.poll() is not None:
                raise AssertionError(server.stdout.read()) from None
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def test_a_request_killed_midway_is_run_for_real_on_retry(live_app: Flask, tmp_path: Path) -> None:
    inst = _clients(live_app, "inst.chaoyang1", 1)[0]
    flow = Verification(inst, _clients(live_app, "bj.chaoyang.wjw", 1)[0])
    flow.start(_institution_id(live_app, "inst.chaoyang1"))
    item_id, data = flow.application()
    server, port = _serve(live_app, tmp_path)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/work-items/{item_id}/complete", method="POST",
        data=json.dumps({"data": data}).encode(),
        headers={"Authorization": f"Bearer {inst.token}", "Content-Type": "application/json",
                 "Idempotency-Key": "killed-midway"})
    try:
        threading.Thread(target=_send_ignoring_errors, args=(request,), daemon=True).start()
        _wait_for_line(server, "step committed")
    finally:
        os.kill(server.pid, signal.SIGKILL)  # the worker dies in the middle of the request
        server.wait(timeout=10)

    retry = inst.post(f"/api/v1/work-items/{item_id}/complete", json={"data": data},
                      headers={"Idempotency-Key": "killed-midway"})
    assert retry.status_code == 200, retry.get_json()
    assert retry.headers.get("Idempotent-Replayed") is None
    again = inst.post(f"/api/v1/work-items/{item_id}/complete", json={"data": data},
                      headers={"Idempotency-Key": "killed-midway"})
    assert again.status_code == 200 and again.get_json() == retry.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    with live_app.app_context():
        submitted = db.session.scalar(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id == flow.case_id, CaseEvent.type == "task_completed"))
        keys = db.session.scalar(select(func.count()).select_from(IdempotencyRecord).where(
            IdempotencyRecord.key == "killed-midway"))
    assert submitted == 1 and keys == 1


def _send_ignoring_errors(request: urllib.request.Request) -> None:
    with contextlib.suppress(OSError):  # the server is killed before it answers
        urllib.request.urlopen(request, timeout=90)


def _wait_for_line(server: subprocess.Popen, text: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if text in line:
            return
        if not line and server.poll() is not None:
            break
    raise AssertionError(f"the server never printed {text!r}")

