"""Periodic work: firing due BPMN timers (every minute) and the daily reminders.

A single clock (the ``clock`` process of the Procfile, or a thread of the embedded server)
enqueues these actors; the actors themselves are safe to run twice: timers use the case's
optimistic lock and reminders are logged once per institution and due date.
"""
from __future__ import annotations

import logging
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import dramatiq
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..engine import runtime
from ..engine.models import ReminderLog
from ..extensions import db
from ..registry.institutions import Institution
from ..registry.verification import add_months

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
TIMER_INTERVAL = 60
REMINDER_HOUR = 8
REMIND_MONTHS_BEFORE = 3


@dramatiq.actor(queue_name="timers", max_retries=0)
def fire_due_timers() -> None:
    moved = runtime.fire_timers()
    if moved:
        log.info("timers moved %d cases", moved)


@dramatiq.actor(queue_name="reminders", max_retries=3)
def send_reminders(today: str | None = None) -> None:
    sent = verification_reminders(date.fromisoformat(today) if today else datetime.now(SHANGHAI).date())
    log.info("verification reminders sent: %d", sent)


def verification_reminders(today: date) -> int:
    """Tell each institution once, three months before its verification falls due."""
    from ..actions import Target
    from ..actions.common import notify

    horizon = add_months(today, REMIND_MONTHS_BEFORE)
    due = db.session.scalars(select(Institution).where(
        Institution.verification_due.between(today, horizon),
        Institution.is_filed_clinic.is_(False),
        Institution.status.in_(("active", "deferred")),
        ~Institution.id.in_(select(ReminderLog.institution_id).where(
            ReminderLog.kind == "verification_due", ReminderLog.due == Institution.verification_due)),
    ).order_by(Institution.id))
    sent = 0
    for inst in due:
        try:
            with db.session.begin_nested():
                db.session.add(ReminderLog(kind="verification_due", institution_id=inst.id,
                                           due=inst.verification_due))
        except IntegrityError:
            continue  # another run got there first
        notify(
            Target("institution", inst.id), "校验提醒",
            f"贵机构校验期将于 {inst.verification_due.isoformat()} 届满，请在届满前通过本平台提交校验申请。",
        )
        sent += 1
    db.session.commit()
    return sent


def run_clock(stop: threading.Event) -> None:
    """Enqueue timers every minute and reminders once a day after 08:00 (Asia/Shanghai)."""
    last_reminder: date | None = None
    while not stop.is_set():
        fire_due_timers.send()
        now = datetime.now(SHANGHAI)
        if now.hour >= REMINDER_HOUR and last_reminder != now.date():
            send_reminders.send(now.date().isoformat())
            last_reminder = now.date()
        stop.wait(TIMER_INTERVAL)


def start_clock_thread() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_clock, args=(stop,), name="yizheng-clock", daemon=True).start()
    return stop
