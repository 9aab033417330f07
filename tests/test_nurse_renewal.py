"""N3 nurse renewal (护士延续注册, Nurses Regulation art. 10) through the REST API: applied from
90 days before expiry, on time until 30 days before it (later: a reason is asked); the
institution confirms, the administration decides within 20 working days; a new registration of
5 years from the day after the old one ends. After expiry the province's rule decides
(``seed/nurses/registration_rules.csv``: by default she registers anew)."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from conftest import logged_in
from nurse_flow import NEW, inbox, nurse_of, registration_ends, upload
from physician_flow import PhysicianCase, item_of, today_beijing

from service.core.times import add_years


@pytest.fixture
def n3(api) -> PhysicianCase:
    return PhysicianCase(api("nurse.demo"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "nurse_renewal")


def renewal_form(caller, **changes) -> dict:
    return {"title": "主管护师", "pledge": True,
            "health_certificate": [upload(caller, "体检证明.pdf")], **changes}


def test_a_renewal_on_time_extends_her_registration_by_five_years(n3, database, demo):
    from service.engine.workdays import add_workdays

    ends = today_beijing() + timedelta(days=45)
    registration_ends(database, "nurse.demo", ends)
    n3.start(demo.institution["inst.chaoyang1"])
    n3.apply(**renewal_form(n3.applicant))
    n3.confirm()
    assert n3.approval_item()["deadline"] == add_workdays(today_beijing(), 20).isoformat()
    assert n3.decide("approve")["outcome"] == "approved"
    nurse = nurse_of(database, "nurse.demo")
    (_, old_status, number, _, old_end), (_, status, same, start, end) = nurse["registrations"]
    assert (old_status, old_end, status) == ("renewed", ends, "active")
    assert start == ends + timedelta(days=1) and end == add_years(start, 5) - timedelta(days=1)
    assert number == same and nurse["valid_until"] == end
    assert any("有效期至" in b for b in inbox(database, "inst.chaoyang1", "护士延续注册已批准"))
    body = n3.applicant.get(f"/api/v1/nurses/{nurse['id']}").get_json()
    assert [r["status"] for r in body["registrations"]] == ["renewed", "active"]
    assert n3.replay()["ok"] is True


def test_a_renewal_opens_ninety_days_before_expiry(n3, database, demo):
    registration_ends(database, "nurse.demo", today_beijing() + timedelta(days=91))
    body = n3.start(demo.institution["inst.chaoyang1"], status=422)
    assert "起可以申请延续注册" in body["error"]["fields"]["_form"][0]
    registration_ends(database, "nurse.demo", today_beijing() + timedelta(days=90))
    n3.start(demo.institution["inst.chaoyang1"])


def test_a_late_renewal_asks_for_the_reason(n3, database, demo):
    registration_ends(database, "nurse.demo", today_beijing() + timedelta(days=29))
    n3.start(demo.institution["inst.chaoyang1"])
    refused = n3.apply(status=422, **renewal_form(n3.applicant))
    assert "逾期原因" in refused["error"]["fields"]["late_reason"][0]
    n3.apply(**renewal_form(n3.applicant, late_reason="外出进修，未及时申请"))
    assert item_of(n3.institution, n3.case_id)["task"] == "confirm"


def test_after_expiry_she_registers_anew_by_default(n3, database, demo):
    registration_ends(database, "nurse.demo", today_beijing() - timedelta(days=1))
    body = n3.start(demo.institution["inst.chaoyang1"], status=422)
    assert "请重新申请护士执业注册" in body["error"]["fields"]["_form"][0]


def test_a_province_may_accept_renewals_after_expiry(n3, database, demo, monkeypatch):
    from service.nurses import rules

    national = rules.rules_for(None)
    monkeypatch.setattr(rules, "rules_for", lambda code: dataclasses.replace(
        national, late_renewal="accept"))
    from service.nurses import actions

    monkeypatch.setattr(actions, "rules_for", rules.rules_for)
    registration_ends(database, "nurse.demo", today_beijing() - timedelta(days=10))
    n3.start(demo.institution["inst.chaoyang1"])
    n3.apply(**renewal_form(n3.applicant, late_reason="产假"))
    n3.confirm()
    assert n3.decide("approve")["outcome"] == "approved"
    start = nurse_of(database, "nurse.demo")["registrations"][-1][3]
    assert start == today_beijing()  # an expired registration renews from today


def test_a_refused_renewal_leaves_the_registration(n3, database, demo):
    ends = today_beijing() + timedelta(days=40)
    registration_ends(database, "nurse.demo", ends)
    n3.start(demo.institution["inst.chaoyang1"])
    n3.apply(**renewal_form(n3.applicant))
    n3.confirm()
    n3.decide("return", "体检证明已超过 6 个月")
    n3.apply(health_certificate=[upload(n3.applicant, "新体检证明.pdf")])
    n3.confirm()
    assert n3.decide("reject", "健康状况不符合执业标准")["outcome"] == "refused"
    nurse = nurse_of(database, "nurse.demo")
    assert [r[1] for r in nurse["registrations"]] == ["active"] and nurse["valid_until"] == ends


def test_renewal_is_at_her_own_institution(api, demo):
    flow = PhysicianCase(api("nurse.demo"), api("inst.chaoyang2"), api("bj.chaoyang.wjw"),
                         "nurse_renewal")
    body = flow.start(demo.institution["inst.chaoyang2"], status=422)
    assert "没有可延续的护士执业注册" in body["error"]["fields"]["_form"][0]


def test_the_expired_nurse_is_flagged_on_her_institution_list(database, new_client):
    """The README's walk-through: an expired registration shows on 已过期, flagged."""
    registration_ends(database, "nurse.demo", today_beijing() - timedelta(days=1))
    page = logged_in(new_client(), "inst.chaoyang1").get("/institution/nurses?list=expired")
    text = page.get_data(as_text=True)
    assert "李薇" in text and "注册已过期" in text
    assert NEW.name not in text
