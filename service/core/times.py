"""Time in one place: UTC for storage, Asia/Shanghai for the calendar people live by."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_D = TypeVar("_D", date, datetime)


def utcnow() -> datetime:
    return datetime.now(UTC)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(moment: _D, months: int) -> _D:
    """The same day ``months`` later (or the month's last day), for dates and datetimes."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError("unreachable")


def shanghai_today() -> date:
    """Today's date where the service works (Asia/Shanghai), for validity checks."""
    return datetime.now(SHANGHAI).date()
