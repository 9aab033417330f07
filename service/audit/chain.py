"""Chain verification over a range of cases, as a background job with progress.

The run names its range (process, division, since, until) and is confined to what its
auditor may read. The worker walks the cases in id order in batches, reading each batch's
events in one query, and writes its progress after every batch, so ``GET`` shows how far it
is; every broken chain is listed with the case, the first event concerned and the reason.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import datetime

import dramatiq
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from service.access.models import Account
from service.access.policy import READ, scope
from service.audit.models import ChainRun
from service.core.extensions import db
from service.core.times import utcnow
from service.engine import events
from service.engine.models import Case, CaseEvent
from service.jobs import broker

log = logging.getLogger(__name__)
BATCH = 200
BROKEN_LISTED = 1000  # problems listed in full; the rest are counted
_SEQ = re.compile(r"第 (\d+) 条")


def start(actor: Account, *, process_id: str | None, division_code: str | None,
          since: datetime | None, until: datetime | None) -> ChainRun:
    """Queue a run; the caller commits (the job is enqueued after the commit)."""
    run = ChainRun(account_id=actor.id, process_id=process_id or None,
                   division_code=division_code or None, since=since, until=until,
                   status="queued", broken=[], created_at=utcnow())
    db.session.add(run)
    db.session.flush()
    db.session.info.setdefault("chain_runs_to_start", []).append(run.id)
    return run


def _range(run: ChainRun, actor: Account):
    stmt = select(Case.id).where(scope(actor, READ, Case))
    if run.process_id:
        stmt = stmt.where(Case.process_id == run.process_id)
    if run.division_code:
        code = run.division_code
        column = Case.province_code if code.endswith("0000") else (
            Case.city_code if code.endswith("00") else Case.division_code)
        stmt = stmt.where(column == code)
    if run.since:
        stmt = stmt.where(Case.created_at >= run.since)
    if run.until:
        stmt = stmt.where(Case.created_at < run.until)
    return stmt


def progress(run: ChainRun) -> float:
    if run.status == "succeeded":
        return 1.0
    return round(run.cases / run.total, 4) if run.total else 0.0


def execute(run_id: int) -> None:
    """Verify every chain of the run's range, writing progress after each batch."""
    run = db.session.get(ChainRun, run_id)
    if run is None or run.status not in ("queued", "running"):
        return
    actor = db.session.get(Account, run.account_id)
    stmt = _range(run, actor)
    run.status, run.cases, run.events, run.broken, run.broken_total = "running", 0, 0, [], 0
    run.total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    db.session.commit()
    after, broken = 0, []
    try:
        while True:
            ids = list(db.session.scalars(stmt.where(Case.id > after).order_by(Case.id).limit(BATCH)))
            if not ids:
                break
            cases = db.session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id))
            history = defaultdict(list)
            for event in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(ids))
                                            .order_by(CaseEvent.case_id, CaseEvent.seq)):
                history[event.case_id].append(event)
            counted, listed = 0, len(broken)
            for case in cases:
                for problem in events.verify_chain(case, history[case.id]):
                    run.broken_total += 1
                    if len(broken) < BROKEN_LISTED:
                        found = _SEQ.search(problem)
                        broken.append({"case_id": case.id, "reason": problem,
                                       "seq": int(found.group(1)) if found else None})
                counted += len(history[case.id])
            run.cases += len(ids)
            run.events += counted
            if len(broken) != listed:
                run.broken = list(broken)
            db.session.commit()
            db.session.expunge_all()
            run = db.session.get(ChainRun, run_id)
            after = ids[-1]
        run.status, run.finished_at = "succeeded", utcnow()
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(ChainRun, run_id)
        run.status, run.error, run.finished_at = "failed", f"{type(exc).__name__}: {exc}"[:200], utcnow()
        log.exception("chain run %s failed", run_id)
    db.session.commit()


@dramatiq.actor(broker=broker, queue_name="audit", max_retries=0, time_limit=6 * 3600 * 1000)
def verify_chains(run_id: int) -> None:
    execute(run_id)


def as_dict(run: ChainRun) -> dict:
    return {"id": run.id, "status": run.status, "progress": progress(run),
            "process": run.process_id, "division_code": run.division_code,
            "since": run.since.isoformat() if run.since else None,
            "until": run.until.isoformat() if run.until else None,
            "total": run.total, "cases": run.cases, "events": run.events,
            "broken": run.broken or [], "broken_total": run.broken_total, "error": run.error,
            "created_at": run.created_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None}


@event.listens_for(Session, "after_commit")
def _start_after_commit(session: Session) -> None:
    for run_id in session.info.pop("chain_runs_to_start", []):
        try:
            verify_chains.send(run_id)
        except Exception as exc:  # the run stays queued; starting it again re-enqueues it
            log.warning("chain run %s not enqueued (%s)", run_id, type(exc).__name__)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("chain_runs_to_start", None)
