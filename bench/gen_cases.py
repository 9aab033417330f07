"""Rows of bulk verification cases, their events and work items, copied from one real case.

A real case is walked through the engine once (start, submit, approve, counter check,
conclusion) and snapshotted after every step. A bulk case at stage *k* copies snapshot *k*:
its ``state`` is that real serialized state (so the engine could load and continue it), its
work items carry the real task ids, its events the real data. Bulk events are not chained:
their hashes are ``BULK_HASH``, which ``verify_chain`` reports as edited, so nothing mistakes
them for real history. Task data inside a copied state still names the template case; the
engine never reads it (actions get the case row).
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from service.core.extensions import db
from service.engine.models import Case, CaseEvent, WorkItem

from . import cases
from .gen_registry import NOW, Registry

BULK_HASH = "bulk-unchained-" + "-" * 49
PLACEHOLDER = 918273645546372819
CASE_COLUMNS = (
    "id", "process_id", "definition_id", "title", "status", "outcome", "subject_institution_id",
    "subject_physician_id", "subject_nurse_id", "division_code", "city_code", "province_code",
    "started_by_id", "state", "fingerprint", "event_count", "last_hash", "next_timer_at",
    "lock_version", "created_at", "updated_at", "completed_at",
)
EVENT_COLUMNS = ("id", "case_id", "seq", "type", "task", "actor_id", "at", "data", "prev_hash",
                 "hash")
ITEM_COLUMNS = (
    "id", "case_id", "process_id", "task_id", "task", "title", "role", "form",
    "organisation_kind", "organisation_id", "assignee_id", "status", "deadline", "draft",
    "created_at", "completed_at", "completed_by_id",
)
# open stages: 0 application, 1 material review, 2 counter check, 3 conclusion
OPEN_STAGE_WEIGHTS = (25, 45, 15, 15)
FINISHED = 4


@dataclass
class Stage:
    """One snapshot of the template case."""

    state: str
    fingerprint: str
    status: str
    outcome: str | None
    lock_version: int
    next_timer_at: datetime | None
    events: list[tuple[str, str | None, str]]  # type, task, data JSON with PLACEHOLDER
    items: list[dict] = field(default_factory=list)


@dataclass
class Template:
    definition_id: int
    stages: list[Stage]


def _snapshot(case_id: int) -> Stage:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = []
    for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                .order_by(CaseEvent.seq)):
        data = dict(e.data, bulk=True)
        if "work_item" in data:
            data["work_item"] = PLACEHOLDER
        events.append((e.type, e.task, json.dumps(data, ensure_ascii=False)))
    items = [
        {"task_id": i.task_id, "task": i.task, "title": i.title, "role": i.role, "form": i.form,
         "status": i.status, "organisation_kind": i.organisation_kind}
        for i in db.session.scalars(select(WorkItem).where(WorkItem.case_id == case_id)
                                    .order_by(WorkItem.id))
    ]
    return Stage(case.state, case.fingerprint, case.status, case.outcome, case.lock_version,
                 case.next_timer_at, events, items)


APPROVE = {"decision": "approve"}
DEFER = {"decision": "defer", "defer_months": 1, "comment": "感染管理制度未落实，暂缓校验一个月"}


def make_template(conclusion: dict | None = None) -> Template:
    """Walk one real case of the demo institution through every stage (in the app context).

    The last stage follows ``conclusion``: approval (finished) or a deferral, after which the
    case waits on its deferral timer.
    """
    actors = cases.Actors.demo()
    case_id = cases.start(actors)
    stages = [_snapshot(case_id)]
    cases.submit(actors, case_id)
    stages.append(_snapshot(case_id))
    cases.review(actors, case_id)
    stages.append(_snapshot(case_id))
    item = cases.open_item_of(case_id)
    from service.engine import runtime

    runtime.complete(actors.bureau, item.id, dict(cases.COUNTER))
    stages.append(_snapshot(case_id))
    runtime.complete(actors.bureau, cases.open_item_of(case_id).id, dict(conclusion or APPROVE))
    stages.append(_snapshot(case_id))
    definition_id = db.session.get(Case, case_id).definition_id
    return Template(definition_id, stages)


@dataclass
class Ids:
    case: int
    event: int
    item: int


@dataclass(frozen=True)
class Owner:
    """The subject institution of a bulk case and who acts on it."""

    institution_id: int
    county: str
    name: str
    inst_account: int
    bureau_account: int
    issuer: int


@dataclass
class CaseRows:
    case: tuple
    events: list[tuple]
    items: list[tuple]


def case_rows(template: Template, stage_no: int, ids: Ids, owner: Owner, created: datetime,
              rnd: random.Random) -> CaseRows:
    """One bulk case at ``stage_no`` (0-3 open, 4 finished) with its events and work items."""
    stage = template.stages[stage_no]
    case_id = ids.case
    ids.case += 1
    times = [created]
    for _ in range(len(stage.events) - 1):
        times.append(times[-1] + timedelta(days=rnd.randint(1, 6), minutes=rnd.randint(5, 600)))
    item_rows: list[tuple] = []
    for n, item in enumerate(stage.items):
        item_id = ids.item
        ids.item += 1
        bureau = item["organisation_kind"] == "administration"
        opened = times[min(n, len(times) - 1)]
        done = item["status"] == "done"
        closed = times[min(n + 1, len(times) - 1)] if done else None
        item_rows.append((
            item_id, case_id, cases.PROCESS, item["task_id"], item["task"], item["title"],
            item["role"], item["form"], item["organisation_kind"],
            owner.issuer if bureau else owner.institution_id, None, item["status"],
            (opened + timedelta(days=30)).date() if bureau else None, None, opened, closed,
            (owner.bureau_account if bureau else owner.inst_account) if done else None,
        ))
    event_rows = []
    done_items = iter(r for r in item_rows if r[11] == "done")
    for seq, (type_, task, data) in enumerate(stage.events, start=1):
        actor = owner.inst_account if task in (None, "submit_application") else owner.bureau_account
        if str(PLACEHOLDER) in data:
            done_item = next(done_items, None)
            data = data.replace(str(PLACEHOLDER), str(done_item[0] if done_item else 0))
        event_rows.append((ids.event, case_id, seq, type_, task, actor, times[seq - 1], data,
                           BULK_HASH, BULK_HASH))
        ids.event += 1
    finished = stage.status != "open"
    case = (
        case_id, cases.PROCESS, template.definition_id, f"医疗机构校验：{owner.name}",
        stage.status, stage.outcome, owner.institution_id, None, None, owner.county,
        owner.county[:4] + "00", owner.county[:2] + "0000", owner.inst_account, stage.state,
        stage.fingerprint, len(stage.events), BULK_HASH, stage.next_timer_at,
        stage.lock_version, created, times[-1], times[-1] if finished else None,
    )
    return CaseRows(case, event_rows, item_rows)


def bulk_cases(template: Template, reg: Registry, admin_accounts: dict[int, int], ids: Ids,
               finished: int, open_: int, busy_share: float, rnd: random.Random
               ) -> Iterator[CaseRows]:
    """Finished cases over all institutions, then open ones concentrated on the busiest."""
    n = len(reg)
    for k in range(finished + open_):
        is_open = k >= finished
        if is_open and reg.busy and rnd.random() < busy_share:
            i = rnd.choice(reg.busy)
        else:
            i = rnd.randrange(n)
        stage = rnd.choices(range(4), OPEN_STAGE_WEIGHTS)[0] if is_open else FINISHED
        age = rnd.randint(1, 60) if is_open else rnd.randint(40, 1100)
        created = NOW - timedelta(days=age, minutes=rnd.randint(0, 1440))
        issuer = reg.issuer[i]
        owner = Owner(reg.base + i, reg.county[i], reg.name[i], reg.account_base + i,
                      admin_accounts[issuer], issuer)
        yield case_rows(template, stage, ids, owner, created, rnd)


def clones(template: Template, stage_no: int, count: int, ids: Ids, owner: Owner,
           rnd: random.Random) -> Iterator[CaseRows]:
    """``count`` copies of the template at one stage for one institution (HTTP load items)."""
    for _ in range(count):
        created = NOW - timedelta(minutes=rnd.randint(0, 600))
        yield case_rows(template, stage_no, ids, owner, created, rnd)
