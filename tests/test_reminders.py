"""Business reminders (业务提醒) and the live info window (实时信息窗) of the administration's
home (issue 12 item 6): each kind's figure rises by exactly the rows the test creates, the rows
outside a kind's rule or the caller's jurisdiction stay out, each figure links to its list,
and the home page's script reads the same counts."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from conftest import ROOT, error_of, logged_in
from lifecycle_flow import Business
from reminder_helpers import make_institution
from sqlalchemy import select, update

CHAOYANG = "bj.chaoyang.wjw"


def _today() -> date:
    from service.core.times import shanghai_today

    return shanghai_today()


def _reminders(api, username: str = CHAOYANG, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = api(username).get(f"/api/v1/reminders?limit=200&{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _ids(api, kind: str, username: str = CHAOYANG) -> set[int]:
    return {i["institution_id"] for i in _reminders(api, username, kind=kind)["items"]}


def _defer(database, institution_id: int, until: datetime) -> None:
    from service.institutions.verification_records import VerificationRecord

    with database.session() as s:
        s.add(VerificationRecord(institution_id=institution_id, result="deferred",
                                 decided_at=until - timedelta(days=90), defer_months=3,
                                 deferred_until=until))
        s.commit()


def test_each_figure_counts_the_institutions_its_rule_names(api, database, demo):
    today = _today()
    before = _reminders(api)["counts"]
    far = {"verification_due": today + timedelta(days=800),
           "licence_valid_to": today + timedelta(days=900)}
    made = {
        "verification_due": make_institution(database, **{**far, "verification_due": today + timedelta(days=60)}),
        "verification_overdue": make_institution(database, **{**far, "verification_due": today - timedelta(days=10)}),
        "licence_expiring": make_institution(database, **{**far, "licence_valid_to": today + timedelta(days=20)}),
        "licence_overdue": make_institution(database, **{**far, "licence_valid_to": today - timedelta(days=5)}),
        "deferral_ending": make_institution(database, **far, status="deferred"),
    }
    _defer(database, made["deferral_ending"], datetime.now(UTC) + timedelta(days=10))
    # outside the rules: a filed clinic, a cancelled record, a deferral ending in two months,
    # a verification falling due in four months, and a Jiangbei institution
    make_institution(database, **{**far, "verification_due": today - timedelta(days=3),
                                  "is_filed_clinic": True})
    make_institution(database, **{**far, "licence_valid_to": today - timedelta(days=3),
                                  "status": "cancelled"})
    later = make_institution(database, **far, status="deferred")
    _defer(database, later, datetime.now(UTC) + timedelta(days=60))
    make_institution(database, **{**far, "verification_due": today + timedelta(days=125)})
    jiangbei = make_institution(database, **{**far, "verification_due": today - timedelta(days=10),
                                             "issuing_authority_id": demo.administration["cq.jiangbei.wjw"],
                                             "division_code": "500105", "city_code": "500100",
                                             "province_code": "500000"})

    body = _reminders(api)
    for kind, inst_id in made.items():
        assert body["counts"][kind] == before[kind] + 1, kind
        assert inst_id in _ids(api, kind)
        assert all(inst_id not in _ids(api, other) for other in made if other != kind), kind
    assert jiangbei not in _ids(api, "verification_overdue")
    assert jiangbei in _ids(api, "verification_overdue", "cq.jiangbei.wjw")
    item = next(i for i in _reminders(api, kind="licence_overdue")["items"]
                if i["institution_id"] == made["licence_overdue"])
    assert item["due"] == (today - timedelta(days=5)).isoformat() and "过期" in item["title"]


def test_a_suspension_counts_once_a_year_has_passed_since_its_approval(api, database):
    inst_id = make_institution(database)
    flow = Business("institution_suspension", api("bj.chaoyang.clerk"), api("bj.chaoyang.clerk"),
                    api(CHAOYANG))
    flow.through(inst_id, {"reason_kind": "other", "reason": "经营困难",
                           "period_from": "2026-12-10", "period_to": "2027-12-01"})
    assert inst_id not in _ids(api, "long_suspension")
    from service.engine.models import WorkItem

    with database.session() as s:  # the approval a year and a day ago
        s.execute(update(WorkItem).where(WorkItem.case_id == flow.case_id, WorkItem.task == "approval")
                  .values(completed_at=datetime.now(UTC) - timedelta(days=366)))
        s.commit()
    assert inst_id in _ids(api, "long_suspension")


def test_tasks_near_their_limit_count_on_the_moved_date(app, api, database, demo):
    from service.access.models import Account
    from service.core.extensions import db
    from service.engine.models import WorkItem
    from service.institutions import reminder_board

    inst_id = make_institution(database)
    flow = Business("institution_change", api("bj.chaoyang.clerk"), api("bj.chaoyang.clerk"),
                    api(CHAOYANG))
    flow.start(inst_id)
    from verification_flow import upload

    flow.submit({"phone": "010-65001111", "reason": "电话号码变更",
                 "materials": [upload(flow.applicant, flow.case_id, "change", 1)]})
    deadline = database.scalar(select(WorkItem.deadline).where(
        WorkItem.case_id == flow.case_id, WorkItem.status == "open"))
    assert deadline is not None
    with app.app_context():
        actor = db.session.get(Account, demo.account[CHAOYANG])
        early = reminder_board.listing(actor, "deadline_near", 200, today=deadline - timedelta(days=6))[0]
        late = reminder_board.listing(actor, "deadline_near", 200, today=deadline - timedelta(days=5))[0]
    assert flow.case_id not in {r.case_id for r in early}
    assert flow.case_id in {r.case_id for r in late}
    assert next(r for r in late if r.case_id == flow.case_id).due == deadline


def test_applications_since_the_previous_login_are_new(app, api, database, demo):
    from service.access.models import LoginSession

    now = datetime.now(UTC)
    with database.session() as s:  # the previous login a second ago, then this one
        for moment, key in ((now - timedelta(seconds=1), "a"), (now, "b")):
            s.add(LoginSession(account_id=demo.account[CHAOYANG], key_hash=LoginSession.digest(
                f"reminder-test-{key}-{now.timestamp()}"), created_at=moment,
                expires_at=now + timedelta(hours=1)))
        s.commit()
    before = _reminders(api)["counts"]["new_applications"]
    assert before == 0  # every demo case is older than the previous login
    flow = Business("institution_change", api("bj.chaoyang.clerk"), api("bj.chaoyang.clerk"),
                    api(CHAOYANG))
    flow.start(make_institution(database))
    body = _reminders(api, kind="new_applications")
    assert body["counts"]["new_applications"] == 1
    assert [i["case_id"] for i in body["items"]] == [flow.case_id]


def test_the_home_page_links_each_figure_and_its_script_refreshes_them(new_client, api, database):
    today = _today()
    inst_id = make_institution(database, name="首页提醒测试医院",
                               verification_due=today - timedelta(days=1))
    counts = _reminders(api)["counts"]
    client = logged_in(new_client(), CHAOYANG)
    page = client.get("/").get_data(as_text=True)
    assert "实时信息窗" in page and "业务提醒" in page
    for kind, n in counts.items():
        assert f'data-reminder-count="{kind}">{n}</span>' in page, kind
        assert f"/institutions/reminders?kind={kind}" in page
    assert "/static/reminders.js" in page and "<script>" not in page  # no inline script (CSP)
    refreshed = client.get("/institutions/reminders/counts.json")
    assert refreshed.status_code == 200 and refreshed.get_json()["counts"] == counts
    listing = client.get("/institutions/reminders?kind=verification_overdue").get_data(as_text=True)
    assert "首页提醒测试医院" in listing and f"/institutions/{inst_id}" in listing
    script = (ROOT / "service/static/reminders.js").read_text()
    assert "/counts.json" not in script and "data-reminder-counts" in script  # the URL comes from the page


def test_only_administrations_have_reminders(api, new_client):
    response = api("inst.chaoyang1").get("/api/v1/reminders")
    assert response.status_code == 403 and error_of(response)["message"]
    assert api(CHAOYANG).get("/api/v1/reminders?kind=nonsense").status_code == 400
    assert api(CHAOYANG).get("/api/v1/reminders?cursor=%%%").status_code == 400
    client = logged_in(new_client(), "inst.chaoyang1")
    assert client.get("/institutions/reminders").status_code == 404
    assert client.get("/institutions/reminders/counts.json").status_code == 404
    admin = logged_in(new_client(), CHAOYANG)
    assert admin.get("/institutions/reminders?kind=nonsense").status_code == 400


def test_reminders_page_by_cursor(api, database):
    today = _today()
    made = {make_institution(database, verification_due=today - timedelta(days=n)) for n in (40, 41, 42)}
    first = _reminders(api, kind="verification_overdue")
    seen, cursor, pages = [], None, 0
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        body = api(CHAOYANG).get(f"/api/v1/reminders?kind=verification_overdue&limit=2{suffix}").get_json()
        seen += [i["institution_id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [i["institution_id"] for i in first["items"]] and made <= set(seen)
    assert len(seen) == first["counts"]["verification_overdue"] and pages >= 2
