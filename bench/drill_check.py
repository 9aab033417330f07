"""What one fault drill did, counted against the case events and the outbox."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from sqlalchemy import text

from service.core.extensions import db

from .clone import Clones
from .drill_load import Outcome
from .report import Result


def _ids(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


@dataclass
class Phase:
    fault: str
    review: Clones
    held: list[int]  # due timer cases not yet released to the workers
    due_at: datetime
    mark_event: int
    mark_notification: int
    timer_cases: list[int] = field(default_factory=list)
    fault_at: float = 0.0
    over_at: float = 0.0
    fault_wall: datetime | None = None
    over_wall: datetime | None = None
    info: dict = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    restarts: dict = field(default_factory=dict)
    settled: float = 0.0  # seconds after the load until timers and outbox were done

    @classmethod
    def begin(cls, app: Flask, fault: str, review: Clones, timers: Clones) -> Phase:
        """Hold the timer cases back (no ``next_timer_at``) and mark where the events stand."""
        if timers.next_timer_at is None:
            raise RuntimeError("the deferred template has no timer")
        with app.app_context():
            db.session.execute(text(
                f'UPDATE "case" SET next_timer_at = NULL WHERE id IN ({_ids(timers.case_ids)})'))
            db.session.commit()
            marks = [db.session.execute(text(f"SELECT coalesce(max(id), 0) FROM {t}")).scalar()
                     for t in ("case_event", "notification")]
            db.session.remove()
        return cls(fault, review, list(timers.case_ids), timers.next_timer_at, *marks)

    def release(self, app: Flask, count: int) -> None:
        """Make ``count`` held timer cases due (their timers were due all along)."""
        batch = self.held[:count]
        if not batch:
            return
        with app.app_context():
            db.session.execute(text(f'UPDATE "case" SET next_timer_at = :due WHERE id IN '
                                    f"({_ids(batch)})"), {"due": self.due_at})
            db.session.commit()
            db.session.remove()
        del self.held[:count]
        self.timer_cases += batch


def _events(app: Flask, mark: int, case_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    with app.app_context():
        for case_id, type_, n in db.session.execute(text(
                f"SELECT case_id, type, count(*) FROM case_event WHERE id > :mark AND case_id IN "
                f"({_ids(case_ids)}) GROUP BY case_id, type"), {"mark": mark}):
            out.setdefault(case_id, {})[type_] = n
        db.session.remove()
    return out


def _outbox(app: Flask, mark: int) -> dict[str, int]:
    with app.app_context():
        rows = dict(db.session.execute(text(
            "SELECT status, count(*) FROM notification WHERE id > :mark GROUP BY status"),
            {"mark": mark}).all())
        db.session.remove()
    return {k: int(v) for k, v in rows.items()}


def settle(app: Flask, phase: Phase, seconds: float) -> float:
    """Wait (at most ``seconds``) until every released timer fired and the outbox is empty;
    returns how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            fired = _events(app, phase.mark_event, phase.timer_cases)
            outbox = _outbox(app, phase.mark_notification)
        except Exception:  # the database is still coming back
            time.sleep(1)
            continue
        if all(fired.get(c, {}).get("timer_fired") for c in phase.timer_cases) and \
                not outbox.get("pending"):
            break
        time.sleep(1)
    return time.monotonic() - started


def _completions(phase: Phase, written: dict[int, dict[str, int]]) -> dict[str, int]:
    """Lost: answered 200 without its event. Doubled: more than one event. Error but done:
    the final answer was an error though the step was taken. Stuck: the key still answers
    ``request_in_progress`` (``stuck_done``: and the step was taken)."""
    case_of = dict(zip(phase.review.open_items, phase.review.case_ids, strict=True))
    counts = dict.fromkeys(("answered_200", "lost", "doubled", "error_but_done", "stuck_keys",
                            "stuck_done", "retried"), 0)
    for outcome in phase.outcomes:
        n = written.get(case_of[outcome.item], {}).get("task_completed", 0)
        final = outcome.final
        counts["retried"] += len(outcome.attempts) > 1
        counts["doubled"] += n > 1
        if final.status == 200:
            counts["answered_200"] += 1
            counts["lost"] += n == 0
        elif final.code == "request_in_progress":
            counts["stuck_keys"] += 1
            counts["stuck_done"] += n > 0
        else:
            counts["error_but_done"] += n > 0
    return counts


def _recover(phase: Phase, every: bool = True) -> float | None:
    """Seconds from the end of the fault (the kill, the restart's return, Redis resumed) until
    every (or any) web process answered a completion sent after it."""
    ports = {a.port for o in phase.outcomes for a in o.attempts}
    firsts: list[float] = []
    for port in ports:
        done = [a.answered for o in phase.outcomes for a in o.attempts
                if a.port == port and a.status == 200 and a.sent >= phase.over_at]
        if done:
            firsts.append(min(done))
        elif every:
            return None
    if not firsts:
        return None
    return round((max(firsts) if every else min(firsts)) - phase.over_at, 2)


def _timers_resumed(app: Flask, phase: Phase) -> float | None:
    with app.app_context():
        first = db.session.execute(text(
            f"SELECT min(at) FROM case_event WHERE id > :mark AND type = 'timer_fired' AND "
            f"at >= :over AND case_id IN ({_ids(phase.timer_cases)})"),
            {"mark": phase.mark_event, "over": phase.over_wall}).scalar()
        db.session.remove()
    if first is None or phase.over_wall is None:
        return None
    if first.tzinfo is None:
        first = first.replace(tzinfo=phase.over_wall.tzinfo)
    return round((first - phase.over_wall).total_seconds(), 2)


def check(app: Flask, phase: Phase) -> Result:
    written = _events(app, phase.mark_event, phase.review.case_ids + phase.timer_cases)
    counts = _completions(phase, written)
    fired = [written.get(c, {}).get("timer_fired", 0) for c in phase.timer_cases]
    outbox = _outbox(app, phase.mark_notification)
    statuses: dict[str, int] = {}
    for outcome in phase.outcomes:
        for a in outcome.attempts:
            key = f"{a.status} {a.code}".strip()
            statuses[key] = statuses.get(key, 0) + 1
    details = {
        "fault": phase.fault, **counts, "timers_released": len(phase.timer_cases),
        "timers_fired": sum(1 for n in fired if n), "timers_lost": fired.count(0),
        "timers_doubled": sum(1 for n in fired if n > 1),
        "notifications": sum(outbox.values()), "notifications_sent": outbox.get("sent", 0),
        "notifications_pending": outbox.get("pending", 0),
        "recover_seconds": _recover(phase), "first_success_seconds": _recover(phase, False),
        "timers_resume_seconds": _timers_resumed(app, phase),
        "settle_seconds": round(phase.settled, 2), "attempt_statuses": statuses, "restarts": phase.restarts, **phase.info}
    bad = (counts["lost"] + counts["doubled"] + counts["error_but_done"]
           + details["timers_lost"] + details["timers_doubled"])
    met = bad == 0 and not details["notifications_pending"] and (
        details["recover_seconds"] is not None)
    return Result("drill", f"{phase.fault}: steps lost + doubled", float(bad), "steps",
                  target="0 lost, 0 doubled, resumed without a hand", met=met,
                  samples=counts["answered_200"] + details["timers_fired"], details=details)
