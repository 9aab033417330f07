"""N1 nurse registration (护士执业注册, Nurses Regulation art. 7) end to end through the REST
API: the nurse applies to an institution, it confirms, its issuing administration approves
within 20 working days; a registration valid 5 years and a certificate with its number."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from conftest import error_of
from nurse_flow import NEW, application, exam_on, nurse_of, upload
from physician_flow import PhysicianCase, item_of, today_beijing

from service.core.times import add_years


@pytest.fixture
def n1(api) -> PhysicianCase:
    return PhysicianCase(api("nurse.new"), api("inst.chaoyang1"), api("bj.chaoyang.wjw"),
                         "nurse_registration")


def test_a_new_nurse_registers_for_five_years_and_prints_her_certificate(n1, database, demo):
    from service.engine.workdays import add_workdays

    inst = demo.institution["inst.chaoyang1"]
    assert not nurse_of(database, "nurse.new")["activated"]
    case = n1.start(inst)  # before activation: her first registration activates her
    assert case["subject"]["nurse_id"] == nurse_of(database, "nurse.new")["id"]
    n1.apply(**application(n1.applicant))
    assert item_of(n1.institution, n1.case_id)["task"] == "confirm"
    n1.confirm()
    item = n1.approval_item()
    assert item["organisation_id"] == demo.administration["bj.chaoyang.wjw"]
    assert item["deadline"] == add_workdays(today_beijing(), 20).isoformat()
    assert n1.decide("approve")["outcome"] == "approved"

    nurse = nurse_of(database, "nurse.new")
    (inst_id, status, number, start, end), = nurse["registrations"]
    assert (inst_id, status) == (inst, "active") and nurse["activated"]
    assert re.fullmatch(rf"{start.year}11\d{{6}}", number), number  # year, province, serial
    assert end == add_years(start, 5) - timedelta(days=1)
    assert (nurse["status"], nurse["institution_id"], nurse["certificate_number"]) == (
        "active", inst, number)
    body = n1.applicant.get(f"/api/v1/nurses/{nurse['id']}").get_json()
    assert body["registrations"][0]["certificate_number"] == number
    assert body["registrations"][0]["valid_to"] == end.isoformat()
    pdf = n1.applicant.get(f"/api/v1/nurses/{nurse['id']}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert n1.authority.get(f"/api/v1/nurses/{nurse['id']}/certificate.pdf").status_code == 200
    other = n1.applicant  # the certificate is hers and the issuing administration's only
    assert other.get(f"/api/v1/nurses/{nurse['id'] + 1}/certificate.pdf").status_code == 404
    assert n1.replay()["ok"] is True


def test_certificate_numbers_never_repeat_and_follow_the_registry(n1, api, database, demo):
    """The counter starts above the numbers already issued for the prefix (demo data)."""
    n1.start(demo.institution["inst.chaoyang1"])
    n1.apply(**application(n1.applicant))
    n1.confirm()
    n1.decide("approve")
    number = nurse_of(database, "nurse.new")["certificate_number"]
    from sqlalchemy import select

    from service.nurses.models import Nurse

    numbers = database.scalars(select(Nurse.certificate_number).where(
        Nurse.certificate_number.like(number[:6] + "%")))
    assert len(numbers) == len(set(numbers)) and number == max(numbers)


def test_a_returned_application_is_corrected_and_approved(n1, demo):
    n1.start(demo.institution["inst.chaoyang1"])
    n1.apply(**application(n1.applicant, department="外科"))
    n1.confirm()
    n1.decide("return", "请填写实际拟执业科室")
    _, data = n1.form()
    assert data["department"] == "外科"  # comes back as sent
    n1.apply(department="急诊科")
    n1.confirm()
    assert n1.decide("approve")["outcome"] == "approved"


@pytest.mark.parametrize(("who", "decision"), [("institution", "disagree"),
                                                ("authority", "reject")])
def test_a_refused_application_registers_nothing(n1, database, demo, who, decision):
    n1.start(demo.institution["inst.chaoyang1"])
    n1.apply(**application(n1.applicant))
    if who == "institution":
        case = n1.confirm(decision, "本院暂无护士岗位")
    else:
        n1.confirm()
        case = n1.decide(decision, "健康体检证明不符合要求")
    assert case["status"] == "completed" and case["outcome"] == "refused"
    nurse = nurse_of(database, "nurse.new")
    assert nurse["registrations"] == [] and nurse["status"] == "unregistered"
    assert not nurse["activated"]


# --- the rules: each fails when removed ------------------------------------------------------

def test_after_three_years_the_training_proof_is_required(n1, database, demo):
    exam_on(database, NEW.id_number, date.today() - timedelta(days=3 * 366 + 10))
    n1.start(demo.institution["inst.chaoyang1"])
    refused = n1.apply(status=422, **application(n1.applicant))
    fields = refused["error"]["fields"]
    assert "3 个月以上临床护理培训" in fields["training_months"][0]
    assert "培训考核合格证明" in fields["training_proof"][0]
    short = n1.apply(status=422, **application(
        n1.applicant, training_months=2, training_proof=[upload(n1.applicant, "培训.pdf")]))
    assert "training_months" in short["error"]["fields"]
    n1.apply(**application(n1.applicant, training_months=3,
                           training_proof=[upload(n1.applicant, "培训.pdf")]))
    assert item_of(n1.institution, n1.case_id)["task"] == "confirm"


def test_within_three_years_no_training_is_asked(n1, database, demo):
    exam_on(database, NEW.id_number, date.today() - timedelta(days=3 * 365 - 10))
    n1.start(demo.institution["inst.chaoyang1"])
    n1.apply(**application(n1.applicant))
    assert item_of(n1.institution, n1.case_id)["task"] == "confirm"


def test_a_registered_nurse_cannot_register_again(api, demo):
    demo_nurse = PhysicianCase(api("nurse.demo"), api("inst.chaoyang2"), api("bj.chaoyang.wjw"),
                               "nurse_registration")
    body = demo_nurse.start(demo.institution["inst.chaoyang2"], status=422)
    assert "请办理变更或延续注册" in body["error"]["fields"]["_form"][0]


def test_one_open_application_at_a_time(n1, demo):
    n1.start(demo.institution["inst.chaoyang1"])
    again = n1.start(demo.institution["inst.chaoyang2"], status=422)
    assert "请勿重复申请" in again["error"]["fields"]["_form"][0]


def test_the_health_certificate_is_required(n1, demo):
    n1.start(demo.institution["inst.chaoyang1"])
    refused = n1.apply(status=422, department="内科", pledge=True)
    assert "health_certificate" in refused["error"]["fields"]


def test_only_nurses_start_their_registration(api, demo):
    doctor = api("doctor.new")
    response = doctor.post("/api/v1/cases", json={
        "process": "nurse_registration",
        "subject": {"institution_id": demo.institution["inst.chaoyang1"]}})
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
