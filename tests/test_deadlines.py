"""Statutory deadlines count working days from the day a work item opens in Beijing."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from physician_flow import PhysicianCase


def _at(monkeypatch, moment: datetime) -> None:
    """Run every engine step as if it were ``moment``."""
    monkeypatch.setattr("service.engine.runtime.utcnow", lambda: moment)


def _approval_deadline(api, demo) -> str:
    case = PhysicianCase(api("doctor.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "physician_registration")
    case.start(demo.institution["inst.chaoyang1"])
    case.apply(category="1", scope="101", pledge=True, department="内科")
    case.confirm()
    return case.approval_item()["deadline"]


@pytest.mark.parametrize(("moment", "due"), [
    # Monday 2 March 2026, 07:30 in Beijing (still Sunday in UTC): 20 working days end on
    # Monday 30 March; counted from the UTC Sunday they would end on Friday 27 March.
    (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "2026-03-30"),
    # Friday 26 September 2025, 07:30 in Beijing, before the National Day holiday (1–8
    # October) with its adjusted working Sunday 28 September and Saturday 11 October.
    (datetime(2025, 9, 25, 23, 30, tzinfo=UTC), "2025-10-30"),
])
def test_the_deadline_counts_from_the_beijing_date(api, demo, monkeypatch, moment, due):
    _at(monkeypatch, moment)
    assert _approval_deadline(api, demo) == due


def test_working_days_follow_the_adjusted_weekends():
    from datetime import date

    from service.engine.workdays import add_workdays, is_workday

    assert is_workday(date(2025, 9, 28)) and is_workday(date(2025, 10, 11))  # 调休 weekends
    assert not is_workday(date(2025, 10, 6))  # a Monday inside the holiday
    assert add_workdays(date(2025, 9, 26), 4) == date(2025, 10, 9)
