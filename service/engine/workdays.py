"""Working days in China: weekends, public holidays and adjusted working weekends (调休).

The maintained ``chinese-calendar`` package knows the State Council's schedule for the years it
covers. ``seed/holidays.csv`` adds or corrects days (for a year announced after the package's
release); beyond both, only weekends count as rest days and a warning is logged once a year.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from service.registry.seeding import SEED_DIR, rows

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _overrides() -> dict[date, bool]:
    path = SEED_DIR / "holidays.csv"
    if not path.exists():
        return {}
    return {date.fromisoformat(r["date"]): r["kind"] == "workday" for r in rows(path)}


@lru_cache(maxsize=16)
def _warn_uncovered(year: int) -> None:
    log.warning("no holiday schedule for %s: counting weekends only (add seed/holidays.csv)", year)


def is_workday(day: date) -> bool:
    override = _overrides().get(day)
    if override is not None:
        return override
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_uncovered(day.year)
        return day.weekday() < 5


def add_workdays(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (start itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def workdays_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when end is past."""
    if end < start:
        return -workdays_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + timedelta(days=n)))
