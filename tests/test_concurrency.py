"""Writes to different records at the same time on real threads: each waits its turn.

On SQLite a deferred ``BEGIN`` that later writes cannot upgrade its lock once another writer
committed, and fails at once; writing transactions therefore begin ``IMMEDIATE`` and wait for
the lock (``service/core/database.py``). Only a real version conflict answers 409.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import DEMO_PASSWORD, ApiClient, get_token
from flask import Flask
from sqlalchemy import select
from verification_flow import Verification, open_item

from service.access.models import Account
from service.core.extensions import db
from service.physicians.models import Physician

THREADS = 20


def _clients(app: Flask, username: str, count: int) -> list[ApiClient]:
    token = get_token(app.test_client(), username, DEMO_PASSWORD)
    return [ApiClient(app.test_client(), token, username) for _ in range(count)]


def _in_parallel(calls: list[Callable[[], object]]) -> list:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result() for f in [pool.submit(call) for call in calls]]


def _institution_id(app: Flask, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Account.institution_id).where(Account.username == username))


def verifying_institutions(app: Flask, count: int) -> list[tuple[ApiClient, int]]:
    """``count`` new institutions like inst.chaoyang1's, each with an account of its own and a
    registered nurse for its roster (an institution has one open verification at a time), as
    (client, institution id)."""
    from datetime import date
    from random import randrange
    from uuid import uuid4

    from service.access.passwords import hash_password
    from service.institutions.models import Institution
    from service.nurses.models import Nurse

    names = []
    with app.app_context():
        template = db.session.scalar(select(Account).where(Account.username == "inst.chaoyang1"))
        inst = template.institution
        unique = {"id", "uscc", "registration_number", "version"}
        password = hash_password(DEMO_PASSWORD)
        for _ in range(count):
            copy = Institution(**{c.key: getattr(inst, c.key) for c in Institution.__table__.columns
                                  if c.key not in unique})
            db.session.add(copy)
            db.session.flush()
            username = f"inst.live.{uuid4().hex[:10]}"
            db.session.add(Account(username=username, display_name="并发测试机构", kind="institution",
                                   roles=list(template.roles), institution_id=copy.id,
                                   password_hash=password))
            db.session.add(Nurse(name="并发测试护士", id_number=f"{randrange(10**17, 10**18)}",
                                 gender="F", birth_date=date(1995, 1, 1), institution_id=copy.id,
                                 status="active", valid_until=date(2099, 1, 1)))
            names.append((username, copy.id))
        db.session.commit()
    return [(_clients(app, name, 1)[0], inst_id) for name, inst_id in names]


def test_twenty_completions_of_twenty_cases_at_once_all_succeed(live_app: Flask) -> None:
    bureau = _clients(live_app, "bj.chaoyang.wjw", 1)[0]
    submissions, clients = [], []
    for inst, institution_id in verifying_institutions(live_app, THREADS):
        flow = Verification(inst, bureau)
        flow.start(institution_id)
        submissions.append(flow.application())
        clients.append(ApiClient(live_app.test_client(), inst.token, inst.username))

    def complete(client: ApiClient, item_id: int, data: dict) -> int:
        return client.post(f"/api/v1/work-items/{item_id}/complete", json={"data": data}).status_code

    statuses = _in_parallel([lambda c=c, s=s: complete(c, *s)
                             for c, s in zip(clients, submissions, strict=True)])
    assert Counter(statuses) == {200: THREADS}
    for case_id in _cases(live_app, submissions):  # each case moved on to the bureau's review
        assert open_item(bureau, case_id)["case_id"] == case_id


def _cases(app: Flask, submissions: list[tuple[int, dict]]) -> list[int]:
    from service.engine.models import WorkItem

    with app.app_context():
        return [db.session.scalar(select(WorkItem.case_id).where(WorkItem.id == item_id))
                for item_id, _ in submissions]


def test_a_real_conflict_on_one_item_is_still_409(live_app: Flask) -> None:
    (inst, institution_id), = verifying_institutions(live_app, 1)
    flow = Verification(inst, _clients(live_app, "bj.chaoyang.wjw", 1)[0])
    flow.start(institution_id)
    item_id, data = flow.application()
    clients = [ApiClient(live_app.test_client(), inst.token, inst.username) for _ in range(6)]
    statuses = _in_parallel([
        lambda c=c: c.post(f"/api/v1/work-items/{item_id}/complete", json={"data": data}).status_code
        for c in clients])
    assert statuses.count(200) == 1
    assert set(statuses) <= {200, 409}, statuses


@pytest.mark.parametrize("what", ["password_resets", "activation_codes", "departments"])
def test_account_and_registry_writes_in_parallel_never_500(live_app: Flask, what: str) -> None:
    institution_id = _institution_id(live_app, "inst.chaoyang1")
    if what == "password_resets":
        clients = _clients(live_app, "bj.chaoyang.wjw", THREADS)
        with live_app.app_context():
            target = db.session.scalar(select(Account.id).where(Account.username == "inst.chaoyang2"))
        calls = [lambda c=c: c.post(f"/api/v1/accounts/{target}/reset-password") for c in clients]
    elif what == "activation_codes":
        clients = _clients(live_app, "inst.chaoyang1", THREADS)
        with live_app.app_context():
            physician = db.session.scalar(select(Physician.id).where(Physician.name == "邹磊"))
        path = f"/api/v1/institutions/{institution_id}/activation-codes"
        calls = [lambda c=c: c.post(path, json={"physician_id": physician}) for c in clients]
    else:
        clients = _clients(live_app, "inst.chaoyang1", THREADS)
        path = f"/api/v1/institutions/{institution_id}/departments"
        calls = [lambda c=c, n=n: c.post(path, json={
            "code": f"BF{n:02d}", "name": f"并发科室{n}", "subjects": ["03"]})
            for n, c in enumerate(clients)]
    responses = _in_parallel(calls)
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 201}, [r.get_json() for r in responses if r.status_code >= 300]
