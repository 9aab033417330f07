"""Cases: start, complete, claim, release, save drafts, withdraw, fire timers.

Every step is one transaction: load the case, run the engine under the event's clock, write
the state, the derived work items and the event, commit. ``Case.lock_version`` makes a
concurrent second step on the same case fail with a conflict and write nothing.
"""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from service.access.models import Account
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.times import SHANGHAI, utcnow
from service.engine import checks, clock, definitions, events, forms, plugins, serialization, store
from service.engine.compaction import compact
from service.engine.models import Case, ProcessDefinition, WorkItem
from service.engine.routing import may_act, target_for
from service.engine.scripting import StepRun, script_engine
from service.engine.workdays import add_workdays
from service.registry import business_numbers
from service.registry.versioning import change_context


def _workflow(case: Case, run: StepRun) -> BpmnWorkflow:
    p = case.deployed.parsed
    wf = serialization.load(case.state, p.spec, p.subprocess_specs)
    wf.script_engine = script_engine(run)
    return wf


def _ready(wf: BpmnWorkflow) -> dict[str, object]:
    """The READY manual tasks by id: exactly the case's open work items between steps."""
    return {str(t.id): t for t in wf.get_tasks(state=TaskState.READY, manual=True)}


def _save(case: Case, wf: BpmnWorkflow, run: StepRun, before: dict[str, object], *,
          completed: WorkItem | None = None, ended: str | None = None) -> store.StepWrite:
    """What the step writes: the state, and the work items derived from the READY manual tasks.

    ``before`` are the READY manual tasks the step started from (the open work items, since
    every step ends by deriving them): the ones no longer ready are closed, the new ones
    opened — no query for what is open. Registry changes made by the step's actions are
    flushed here, inside the step's change context (their versions name the actor and the
    case); the case row is written by ``_finish``, once.
    """
    db.session.flush()
    compact(wf)
    values = {"definition_id": case.definition_id, "state": serialization.dump(wf), "fingerprint": serialization.fingerprint(wf),
              "updated_at": run.at, "next_timer_at": _next_timer(wf), "status": case.status,
              "outcome": case.outcome, "completed_at": case.completed_at}
    if ended is not None:
        values.update(status=ended, outcome=ended, completed_at=run.at)
    elif wf.completed and case.status == "open":
        values.update(status="completed", completed_at=run.at,
                      outcome=wf.data.get("outcome") or _last_outcome(wf))
    step = store.StepWrite(case, values, at=run.at)
    _derive_work_items(step, before, _ready(wf), run, completed)
    return step


def _finish(step: store.StepWrite, type_: str, *, actor_id: int | None, data: dict,
            task: str | None = None, commit: bool = True) -> None:
    """Record the event and write the step (one round trip on PostgreSQL), then commit."""
    data["fingerprint"] = step.values["fingerprint"]
    step.event = events.record(step.case, type_, at=step.at, actor_id=actor_id, task=task,
                               data=data)
    step.values.update(event_count=step.event["seq"], last_hash=step.event["hash"],
                       chain_seal=events.seal(step.case, step.event["seq"], step.event["hash"]))
    ended = step.case.status == "open" and step.values["status"] != "open"
    with conflicts():
        ids = store.write(step)
    for listener in plugins.step_listeners():
        listener(step.case, type_, step.values, ended)
    # what the caller answers with, without reading it back (unknown when items stayed open)
    step.case.open_items = None if step.kept else [
        dict(item, id=item_id) for item, item_id in zip(step.new_items, ids, strict=True)]
    if commit:
        _commit()


def _last_outcome(wf: BpmnWorkflow) -> str | None:
    for task in reversed(wf.get_tasks(state=TaskState.COMPLETED)):
        if "outcome" in task.data:
            return task.data["outcome"]
    return None


TIMER_EVENTS = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


def _next_timer(wf: BpmnWorkflow) -> datetime | None:
    due = []
    for pending in wf.waiting_events():
        if pending.event_type in TIMER_EVENTS and pending.value:
            value = pending.value
            if isinstance(value, dict):  # cycle timers: the next occurrence
                value = value.get("next")
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            due.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return min(due) if due else None


def _derive_work_items(step: store.StepWrite, before: dict, after: dict, run: StepRun,
                       completed: WorkItem | None) -> None:
    case = step.case
    closed = before.keys() - after.keys()
    if completed is not None and completed.task_id in closed:
        step.done, step.done_by_id = completed, run.actor.id if run.actor else None
        closed.discard(completed.task_id)
    # tasks the step cancelled (a boundary timer, a withdrawal, a parallel branch)
    step.cancelled = sorted(closed)
    step.kept = bool(before.keys() & after.keys())
    p = case.deployed.parsed
    for task_id in sorted(after.keys() - before.keys()):
        info = p.user_tasks[after[task_id].task_spec.name]
        case.routing_data = after[task_id].data
        target = target_for(case, info)
        step.new_items.append({
            "case_id": case.id, "process_id": case.process_id, "task_id": task_id,
            "task": info.name, "title": info.title, "role": info.lane, "form": info.form,
            "organisation_kind": target.kind, "organisation_id": target.id,
            "assignee_id": None, "status": "open",
            "deadline": _deadline(run.at, info.properties, after[task_id].data),
            "draft": None, "created_at": run.at, "completed_at": None, "completed_by_id": None,
        })


def _deadline(at: datetime, properties: dict, data: dict) -> date | None:
    """A work item's due date, counted on the Beijing calendar from the day it opens, or from
    the task-data moment ``deadline_from`` names (the acceptance: the clock stops while an
    applicant completes missing documents)."""
    anchor = data.get(properties["deadline_from"]) if properties.get("deadline_from") else None
    start = datetime.fromisoformat(anchor) if isinstance(anchor, str) else at
    today = (start if start.tzinfo else start.replace(tzinfo=UTC)).astimezone(SHANGHAI).date()
    if properties.get("deadline_working_days"):
        return add_workdays(today, int(properties["deadline_working_days"]))
    if properties.get("deadline_days"):
        return today + timedelta(days=int(properties["deadline_days"]))
    return None


def _commit() -> None:
    """Commit the step. What it wrote stays loaded (the caller answers with the case and its
    work items) instead of being expired and read back: the step wrote every column itself."""
    session = db.session()
    session.expire_on_commit = False
    try:
        with conflicts():
            session.commit()
    finally:
        session.expire_on_commit = True


@contextlib.contextmanager
def conflicts() -> Iterator[None]:
    """A concurrent step on the same case: roll back and answer 409, whatever the database.

    Both databases report it as a version mismatch (the guarded UPDATE matched no row) or a
    duplicate event sequence. A busy database is not a conflict: SQLite writers wait for the
    write lock when they begin (``core/database.py``), and one that waited too long is a 503.
    """
    try:
        yield
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise ApiError(409, "该业务已被他人处理，请刷新后重试", code="concurrent_step") from None


def start(actor: Account, process_id: str, subject: dict, data: dict | None = None, *,
          commit: bool = True) -> Case:
    """Start a case of the newest version of ``process_id`` about ``subject``.

    ``commit=False`` leaves it in the caller's transaction: an action opening a follow-up case
    (a failed verification opening the cancellation) commits it with its own step.

    ``subject.institution_id`` is the institution the case is about or addressed to; the
    applicant of a person's process is found by the ``person`` subject loader a persons'
    domain registers (the caller, or the person an institution acts for).
    """
    definition = definitions.latest(process_id)
    if definition is None:
        raise ApiError(404, "未找到该业务流程")
    institution = _load_subject(plugins.subject_kind(process_id))(actor, subject, process_id)
    person = _load_subject("person")
    applicant = person(actor, subject, institution) if person is not None else None
    if definition.startable_by and not _may_start(actor, definition, institution):
        raise ApiError(403, "您无权发起该业务")
    checks.before_start(actor, definition, institution, applicant, data or {})
    at = utcnow()
    case = Case(
        process_id=process_id, definition=definition,
        title=f"{definition.name}：{applicant.title if applicant and applicant.title else institution.name}",
        subject_institution_id=institution.id,
        division_code=institution.division_code, city_code=institution.city_code,
        province_code=institution.province_code, started_by_id=actor.id, state="",
        fingerprint="", created_at=at, updated_at=at, **(applicant.columns if applicant else {}),
    )
    case.business_number = business_numbers.next_number(
        institution.issuing_authority_id, process_id, at)
    db.session.add(case)
    db.session.flush()
    # applicant_kind: a process the physician or her institution may start takes the starter's path
    # a subject may name more of itself for the case's data (seed 004's signed-up institution)
    initial = dict(data or {}, case_id=case.id, institution_id=institution.id,
                   **getattr(institution, "case_data", {}),
                   **(applicant.data if applicant else {}), applicant_kind=actor.kind)
    run = StepRun(case, actor, at)
    p = definitions.parsed(definition)
    with clock.frozen(at), change_context(actor.id, definition.name, case.id):
        wf = BpmnWorkflow(p.spec, p.subprocess_specs, script_engine=script_engine(run))
        wf.task_tree.data.update(initial)
        wf.do_engine_steps()
        step = _save(case, wf, run, {})
    _finish(step, "started", actor_id=actor.id,
            data={"initial": initial, "actions": run.actions}, commit=commit)
    return case


def _load_subject(kind: str):
    loader = plugins.get_subject_loader(kind)
    if loader is None and kind != "person":
        raise ApiError(404, "未找到该业务流程")  # no domain that could own the case is installed
    return loader


def _may_start(actor: Account, definition: ProcessDefinition, institution) -> bool:
    for name in definition.startable_by:
        lane = plugins.get_lane(name)
        if lane is not None and lane.may_start(actor, definition, institution):
            return True
    return False


@functools.cache
def _item_with_case():
    """A work item with its case and the case's institution (routing, checks and actions read
    it; its subjects only when asked): one query for everything a step reads before the engine
    runs. Built once, on first use (when every model is mapped)."""
    return select(WorkItem).where(WorkItem.id == bindparam("item_id")).options(
        joinedload(WorkItem.case).joinedload(Case.subject_institution).lazyload("*"))


def open_item(actor: Account, item_id: int) -> WorkItem:
    """A work item the actor is the target of (404 for anyone else: it is not theirs to see)."""
    item = db.session.scalars(_item_with_case(), {"item_id": item_id}).first()
    if item is None or not may_act(actor, item, read_only=True):
        raise ApiError(404)
    return item


def _require_actionable(actor: Account, item: WorkItem) -> None:
    if item.status != "open" or item.case.status != "open":
        raise ApiError(409, "该待办已办结", code="task_completed")
    if not may_act(actor, item):
        raise ApiError(403, "您的角色不能办理该事项")
    if checks.four_eyes_conflict(actor, item):
        raise ApiError(403, "同一人不得既审核又审批同一业务（双人复核）", code="four_eyes")
    if item.assignee_id and item.assignee_id != actor.id:
        raise ApiError(409, "该待办已由他人认领", code="claimed")


def complete(actor: Account, item_id: int, data: dict) -> Case:
    """Submit a task's form: validate, run the engine, record the event, commit."""
    item = open_item(actor, item_id)
    _require_actionable(actor, item)
    case = item.case
    schema = case.deployed.form(item.form)
    errors = forms.validate(schema, data)
    errors.update(checks.documents(actor, schema, data))
    if errors:
        raise ApiError(422, fields=errors)
    checks.before_submission(actor, item, data)
    at = utcnow()
    run = StepRun(case, actor, at)
    with conflicts(), clock.frozen(at), change_context(actor.id, item.title, case.id):
        wf = _workflow(case, run)
        before = _ready(wf)
        task = before.get(item.task_id)
        if task is None:
            raise ApiError(409, "该待办已办结", code="task_completed")
        applied = forms.task_data(schema, data)
        task.data.update(applied)
        task.run()
        wf.do_engine_steps()
        step = _save(case, wf, run, before, completed=item)
    _finish(step, "task_completed", actor_id=actor.id, task=item.task, data={
        "work_item": item.id, "form": data, "task_data": applied, "actions": run.actions})
    return case


def save_draft(actor: Account, item_id: int, data: dict) -> WorkItem:
    item = open_item(actor, item_id)
    _require_actionable(actor, item)
    item.draft = data
    db.session.commit()
    return item


def claim(actor: Account, item_id: int) -> WorkItem:
    item = open_item(actor, item_id)
    _require_actionable(actor, item)
    if item.assignee_id is None:
        item.assignee_id = actor.id
        at = utcnow()
        events.append(item.case, "claimed", at=at, actor_id=actor.id, task=item.task,
                      data={"work_item": item.id})
        item.case.updated_at = at
        _commit()
    return item


def release(actor: Account, item_id: int) -> WorkItem:
    item = open_item(actor, item_id)
    if item.status != "open":
        raise ApiError(409, "该待办已办结", code="task_completed")
    if item.assignee_id not in (None, actor.id):
        raise ApiError(409, "只能释放自己认领的待办", code="claimed")
    if item.assignee_id == actor.id:
        item.assignee_id = None
        at = utcnow()
        events.append(item.case, "released", at=at, actor_id=actor.id, task=item.task,
                      data={"work_item": item.id})
        item.case.updated_at = at
        _commit()
    return item


def withdraw(actor: Account, case: Case, reason: str) -> Case:
    """The applicant withdraws while every open task is marked ``withdrawable`` (nobody decided)."""
    if case.status != "open":
        raise ApiError(409, "业务已办结，不能撤回")
    if not checks.is_applicant(actor, case):
        raise ApiError(403, "只有申请人可以撤回")
    at = utcnow()
    run = StepRun(case, actor, at)
    with clock.frozen(at):
        wf = _workflow(case, run)
        before = _ready(wf)
        if not _withdrawable(case, before.values()):
            raise ApiError(409, "审核已作出决定，不能撤回", code="not_withdrawable")
        wf.cancel()
        step = _save(case, wf, run, before, ended="withdrawn")
    _finish(step, "withdrawn", actor_id=actor.id, data={"reason": reason})
    return case


def _withdrawable(case: Case, ready_tasks) -> bool:
    # The user-task property, as docs/engine.md describes it; no script sets it in task data.
    tasks = case.deployed.parsed.user_tasks
    ready = [tasks.get(t.task_spec.name) for t in ready_tasks]
    return bool(ready) and all(
        info is not None and info.properties.get("withdrawable") == "true" for info in ready)


def fire_timers(now: datetime | None = None, limit: int = 200) -> int:
    """Advance every case whose next timer is due; returns how many cases moved."""
    now = now or utcnow()
    due = list(db.session.scalars(
        select(Case.id).where(Case.status == "open", Case.next_timer_at <= now)
        .order_by(Case.next_timer_at).limit(limit)
    ))
    moved = 0
    for case_id in due:
        case = db.session.get(Case, case_id)
        run = StepRun(case, None, now)
        try:
            with conflicts(), clock.frozen(now), change_context(None, "定时事件", case.id):
                wf = _workflow(case, run)
                ready = _ready(wf)
                wf.refresh_timers()
                wf.do_engine_steps()
                step = _save(case, wf, run, ready)
                if step.values["fingerprint"] == case.fingerprint:
                    db.session.rollback()  # not due after all (e.g. a cycle's next occurrence)
                    continue
                _finish(step, "timer_fired", actor_id=None, data={"actions": run.actions})
                moved += 1
        except ApiError as exc:
            if exc.code != "concurrent_step":
                raise
            # another worker or a user step moved the case meanwhile (rolled back)
            current_app.logger.info("timer of case %s raced with another step; retried next run", case_id)
    return moved


def deliver_message(actor: Account, case: Case, name: str, payload: dict, *,
                    domain: bool = False) -> Case:
    """An inbound callback: a BPMN message the case is waiting for (else 409). A message a
    domain reserved is delivered only through that domain (``domain=True``)."""
    if plugins.is_domain_message(name) and not domain:
        raise ApiError(409, f"该业务当前不等待消息 {name}", code="not_waiting")
    if case.status != "open":
        raise ApiError(409, "业务已办结")
    at = utcnow()
    run = StepRun(case, actor, at)
    with clock.frozen(at), change_context(actor.id, f"外部消息 {name}", case.id):
        wf = _workflow(case, run)
        waiting = {e.name for e in wf.waiting_events() if e.event_type == "MessageEventDefinition"}
        if name not in waiting:
            raise ApiError(409, f"该业务当前不等待消息 {name}", code="not_waiting")
        before = _ready(wf)
        catch_message(wf, name, payload)
        step = _save(case, wf, run, before)
    _finish(step, "message_received", actor_id=actor.id,
            data={"name": name, "payload": payload, "actions": run.actions})
    return case


def waiting_for(case: Case, name: str) -> bool:
    """Whether an open case waits for the BPMN message ``name`` now."""
    if case.status != "open":
        return False
    wf = _workflow(case, StepRun(case, None, utcnow()))
    return any(e.event_type == "MessageEventDefinition" and e.name == name
               for e in wf.waiting_events())


def correlated_cases(name: str, correlation: dict, condition) -> list[Case]:
    """The open cases within ``condition`` (the caller's read scope) that the correlation
    names and that wait for ``name``: by ``case_id``, or by a key a domain registered."""
    stmt = select(Case).where(Case.status == "open", condition)
    if "case_id" in correlation:
        if not isinstance(correlation["case_id"], int):
            raise ApiError(422, fields={"correlation.case_id": ["须为整数"]})
        stmt = stmt.where(Case.id == correlation["case_id"])
    else:
        keys = [k for k in correlation if plugins.get_correlation(k)]
        if len(keys) != 1 or not isinstance(correlation[keys[0]], str):
            known = "、".join(sorted({"case_id", *plugins.known_correlations()}))
            raise ApiError(422, f"关联键须为以下之一：{known}",
                           fields={"correlation": [f"须为以下之一：{known}"]})
        stmt = stmt.where(plugins.get_correlation(keys[0])(correlation[keys[0]][:64]))
    return [c for c in db.session.scalars(stmt.order_by(Case.id).limit(20)) if waiting_for(c, name)]


def catch_message(wf: BpmnWorkflow, name: str, payload: dict) -> None:
    from SpiffWorkflow.bpmn.util.event import BpmnEvent

    # the spiff flavour the parser built the catching events with (its serializer needs it)
    from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition

    wf.catch(BpmnEvent(MessageEventDefinition(name), payload))
    wf.do_engine_steps()
