"""Periodic work: firing due BPMN timers (every minute) and the daily jobs domains register.

A single clock (the ``clock`` process of the Procfile, or a thread of the embedded server)
enqueues these actors; the actors themselves are safe to run twice: timers use the case's
optimistic lock and each daily job keeps its own log of what it already did.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime

import dramatiq

from service.core.times import SHANGHAI
from service.engine import runtime
from service.jobs.notifications import sweep_outbox

log = logging.getLogger(__name__)
TIMER_INTERVAL = 60
DAILY_HOUR = 8

_DAILY: dict[str, Callable[[date], int]] = {}
_MINUTELY: list[dramatiq.Actor] = []


def daily(name: str) -> Callable:
    """Register a daily job: (today in Asia/Shanghai) -> how many things it did."""
    def register(fn: Callable[[date], int]) -> Callable[[date], int]:
        _DAILY[name] = fn
        return fn
    return register


def every_minute(actor: dramatiq.Actor) -> dramatiq.Actor:
    """Register an actor (without arguments) the clock enqueues every minute."""
    _MINUTELY.append(actor)
    return actor


def daily_jobs() -> dict[str, Callable[[date], int]]:
    return dict(_DAILY)


@dramatiq.actor(queue_name="timers", max_retries=0)
def fire_due_timers() -> None:
    moved = runtime.fire_timers()
    if moved:
        log.info("timers moved %d cases", moved)


@dramatiq.actor(queue_name="reminders", max_retries=3)
def send_reminders(today: str | None = None) -> None:
    """Run every daily job for ``today`` (default: today in Asia/Shanghai)."""
    day = date.fromisoformat(today) if today else datetime.now(SHANGHAI).date()
    for name, job in sorted(_DAILY.items()):
        log.info("daily job %s: %d", name, job(day))


def run_clock(stop: threading.Event) -> None:
    """Enqueue timers and the outbox sweep every minute and the daily jobs once a day after
    08:00 (Asia/Shanghai)."""
    last_daily: date | None = None
    while not stop.is_set():
        fire_due_timers.send()
        sweep_outbox.send()
        for actor in _MINUTELY:
            actor.send()
        now = datetime.now(SHANGHAI)
        if now.hour >= DAILY_HOUR and last_daily != now.date():
            send_reminders.send(now.date().isoformat())
            last_daily = now.date()
        stop.wait(TIMER_INTERVAL)


def start_clock_thread() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_clock, args=(stop,), name="yizheng-clock", daemon=True).start()
    return stop
