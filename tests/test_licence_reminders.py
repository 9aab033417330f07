"""Licence renewal is applied 30 days before expiry (issue 11 item 7): the daily job tells the
institution and its issuing authority once, 30 days before; once the licence expired without
renewal both are told again and the institution carries the overdue flag (detail page, API,
list API) until a renewal moves its validity."""
from __future__ import annotations

from datetime import date, timedelta

from conftest import logged_in
from reminder_helpers import inbox, make_institution, with_account

CHAOYANG = "bj.chaoyang.wjw"


def _run(app, day: date) -> int:
    from service.institutions.reminders import licence_reminders

    with app.app_context():
        return licence_reminders(day)


def test_the_clock_reminds_thirty_days_before_and_once_after_expiry(app, database, demo):
    from service.jobs.periodic import daily_jobs

    assert "licence_renewal" in daily_jobs()
    valid_to = date(2031, 3, 31)
    inst_id = make_institution(database, licence_valid_to=valid_to)
    with_account(database, inst_id)
    authority = demo.administration[CHAOYANG]

    def told(subject: str) -> tuple[list[str], list[str]]:
        return (inbox(database, institution_id=inst_id, subject=subject),
                [b for b in inbox(database, administration_id=authority, subject=subject)
                 if valid_to.isoformat() in b and "提醒测试医院" in b])

    _run(app, valid_to - timedelta(days=31))
    assert told("许可证延续提醒") == ([], [])
    _run(app, valid_to - timedelta(days=30))
    _run(app, valid_to - timedelta(days=29))  # the next day repeats nothing
    mine, theirs = told("许可证延续提醒")
    assert len(mine) == 1 and "2031-03-31" in mine[0] and "30 日前" in mine[0]
    assert theirs and all("尚未办理延续" in b for b in theirs)
    _run(app, valid_to)  # the last day of validity: not expired yet
    assert told("许可证已过期未延续") == ([], [])
    _run(app, valid_to + timedelta(days=1))
    _run(app, valid_to + timedelta(days=2))
    mine, theirs = told("许可证已过期未延续")
    assert len(mine) == 1 and "不得继续执业" in mine[0]
    assert theirs and all("办理注销" in b for b in theirs)


def test_a_cancelled_institution_is_not_reminded(app, database):
    valid_to = date(2031, 5, 31)
    inst_id = make_institution(database, licence_valid_to=valid_to, status="cancelled")
    with_account(database, inst_id)
    _run(app, valid_to - timedelta(days=30))
    _run(app, valid_to + timedelta(days=1))
    assert inbox(database, institution_id=inst_id, subject="许可证延续提醒") == []
    assert inbox(database, institution_id=inst_id, subject="许可证已过期未延续") == []


def test_an_expired_licence_is_flagged_on_the_record(api, database, new_client):
    from service.core.times import shanghai_today

    today = shanghai_today()
    expired = make_institution(database, name="过期未延续测试医院", licence_valid_to=today - timedelta(days=1))
    current = make_institution(database, name="有效期内测试医院", licence_valid_to=today)
    cancelled = make_institution(database, licence_valid_to=today - timedelta(days=1), status="cancelled")
    chaoyang = api(CHAOYANG)
    assert chaoyang.get(f"/api/v1/institutions/{expired}").get_json()["licence_overdue"] is True
    assert chaoyang.get(f"/api/v1/institutions/{current}").get_json()["licence_overdue"] is False
    assert chaoyang.get(f"/api/v1/institutions/{cancelled}").get_json()["licence_overdue"] is False
    listed = chaoyang.get("/api/v1/institutions?q=过期未延续测试医院").get_json()["items"]
    assert [(i["id"], i["licence_overdue"]) for i in listed] == [(expired, True)]
    client = logged_in(new_client(), CHAOYANG)
    assert "许可证已过期未延续" in client.get(f"/institutions/{expired}").get_data(as_text=True)
    assert "许可证已过期未延续" not in client.get(f"/institutions/{current}").get_data(as_text=True)
    overdue_list = client.get("/institutions/reminders?kind=licence_overdue").get_data(as_text=True)
    assert "过期未延续测试医院" in overdue_list and "有效期内测试医院" not in overdue_list
