"""Overdue verification (issue 16 item 4): an institution that has not applied by its due date
gets a 20-day order from the daily job (a task in its inbox and a notice); when the period
ends without an application the I6 cancellation case opens at the issuing authority, as for a
failed deferral; an application within the period closes the order."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from conftest import error_of, fire_timers, resident_id
from reminder_helpers import inbox, make_institution, with_account
from sqlalchemy import select
from verification_flow import Verification, complete, open_item

CHAOYANG = "bj.chaoyang.wjw"
ROSTER = [{"kind": "physician", "name": "限期测试医师", "id_number": resident_id("11010519800101123")}]


def _today() -> date:
    from service.core.times import shanghai_today

    return shanghai_today()


def _order(app, day: date) -> int:
    from service.institutions.reminders import verification_orders

    with app.app_context():
        return verification_orders(day)


def _cases(database, inst_id: int, process: str):
    from service.engine.models import Case

    return database.scalars(select(Case).where(Case.subject_institution_id == inst_id,
                                               Case.process_id == process).order_by(Case.id))


def _overdue(database, **fields) -> tuple[int, str]:
    inst_id = make_institution(database, verification_due=_today() - timedelta(days=5), **fields)
    return inst_id, with_account(database, inst_id)


def _order_ends() -> datetime:
    return datetime.now(UTC) + timedelta(days=21, hours=1)


def test_an_overdue_institution_gets_a_twenty_day_order_once(app, api, database):
    from service.jobs.periodic import daily_jobs

    assert "verification_overdue" in daily_jobs()
    inst_id, username = _overdue(database)
    _order(app, _today())
    _order(app, _today() + timedelta(days=1))  # the next day orders nothing new
    orders = _cases(database, inst_id, "verification_order")
    assert len(orders) == 1 and orders[0].status == "open"
    item = open_item(api(username), orders[0].id)
    assert item["task"] == "apply_in_time" and item["deadline"] == (_today() + timedelta(days=20)).isoformat()
    notice = inbox(database, institution_id=inst_id, subject="限期校验通知")
    assert len(notice) == 1 and (_today() + timedelta(days=20)).isoformat() in notice[0]
    # confirming without having applied is refused with the reason
    response = api(username).post(f"/api/v1/work-items/{item['id']}/complete", json={"data": {"applied": True}})
    assert response.status_code == 422 and "尚未提交校验申请" in str(error_of(response))


def test_the_order_running_out_opens_the_cancellation(app, api, database):
    inst_id, _ = _overdue(database)
    _order(app, _today())
    order = _cases(database, inst_id, "verification_order")[0]
    assert _cases(database, inst_id, "institution_cancellation") == []
    fire_timers(app, _order_ends())
    ended = api(CHAOYANG).get(f"/api/v1/cases/{order.id}").get_json()
    assert ended["status"] == "completed" and ended["outcome"] == "licence_to_be_cancelled"
    cancellation = _cases(database, inst_id, "institution_cancellation")
    assert len(cancellation) == 1 and cancellation[0].status == "open"
    item = open_item(api("bj.chaoyang.clerk"), cancellation[0].id)
    form = api("bj.chaoyang.clerk").get(f"/api/v1/work-items/{item['id']}").get_json()["data"]
    assert form["ground"] == "failed_verification" and str(order.id) in form["reason"]
    assert api(CHAOYANG).post(f"/api/v1/cases/{order.id}/replay").get_json()["ok"]


def test_an_application_within_the_period_closes_the_order(app, api, database):
    inst_id, username = _overdue(database)
    _order(app, _today())
    order = _cases(database, inst_id, "verification_order")[0]
    flow = Verification(api(username), api(CHAOYANG))
    flow.start(inst_id)
    flow.submit(roster=ROSTER, physicians_count=1)
    item = open_item(api(username), order.id)
    case = complete(api(username), item["id"], {"applied": True})
    assert case["status"] == "completed" and case["outcome"] == "applied"
    fire_timers(app, _order_ends())
    assert _cases(database, inst_id, "institution_cancellation") == []


def test_an_application_without_confirming_still_counts_when_the_period_ends(app, api, database):
    inst_id, username = _overdue(database)
    _order(app, _today())
    flow = Verification(api(username), api(CHAOYANG))
    flow.start(inst_id)
    flow.submit(roster=ROSTER, physicians_count=1)
    fire_timers(app, _order_ends())
    order = _cases(database, inst_id, "verification_order")[0]
    assert (order.status, order.outcome) == ("completed", "applied")
    assert _cases(database, inst_id, "institution_cancellation") == []


def test_who_gets_no_order(app, api, database):
    clinic, _ = _overdue(database, is_filed_clinic=True)
    suspended, _ = _overdue(database, status="suspended")
    applying, username = _overdue(database)
    Verification(api(username), api(CHAOYANG)).start(applying)
    not_due = make_institution(database, verification_due=_today())
    _order(app, _today())
    for inst_id in (clinic, suspended, applying, not_due):
        assert _cases(database, inst_id, "verification_order") == [], inst_id
    # nor by hand at the counter while the verification is not overdue
    response = api(CHAOYANG).post("/api/v1/cases", json={
        "process": "verification_order", "subject": {"institution_id": not_due}})
    assert response.status_code == 422 and "尚未届满" in str(error_of(response))


def test_an_order_runs_from_today_or_later(api, database):
    inst_id, _ = _overdue(database)
    for ordered_on in ("2020-01-01", "not a date", 5):
        response = api(CHAOYANG).post("/api/v1/cases", json={
            "process": "verification_order", "subject": {"institution_id": inst_id},
            "data": {"ordered_on": ordered_on}})
        assert response.status_code == 422 and "限期起算日" in error_of(response)["message"], ordered_on
    started = api(CHAOYANG).post("/api/v1/cases", json={
        "process": "verification_order", "subject": {"institution_id": inst_id}})
    assert started.status_code == 201, started.get_json()
    assert inbox(database, institution_id=inst_id, subject="限期校验通知")
