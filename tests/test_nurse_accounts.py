"""Nurse accounts (issue 13 item 1): sign-up checked against the nurse exam records with phone
and e-mail codes, as physicians sign up (seed 003 ch.2 §1.2), in nurse wording."""
from __future__ import annotations

import pytest
from conftest import chinese, error_of
from nurse_flow import DEMO, FRESH, NEW, nurse_of, nurse_signup
from physician_accounts_flow import counts

from service.nurses.signup import ACCOUNT_EXISTS, NAME_MISMATCH, NOT_FOUND


def test_a_nurse_who_passed_the_exam_signs_up_and_her_account_waits_for_activation(
        client, database) -> None:
    check = client.post("/api/v1/nurses/signup/check",
                        json={"name": FRESH.name, "id_number": FRESH.id_number})
    assert check.status_code == 200 and check.get_json() == {
        "ok": True, "activation": "registration"}
    body = nurse_signup(client, database, FRESH, "sunyutong")
    assert body == {"username": "su...ong", "phone": "139...22", "email": "nu...@example.cn",
                    "activated": False, "activation": "registration", "institution": None}
    nurse = nurse_of(database, "sunyutong")
    assert nurse["status"] == "unregistered" and nurse["registrations"] == []
    assert not nurse["activated"]


@pytest.mark.parametrize(("name", "id_number", "field", "code", "status", "message"), [
    ("张三", FRESH.id_number, "name", "name_mismatch", 422, NAME_MISMATCH),
    ("王五", "110105199001011013", "id_number", "qualification_not_found", 422, NOT_FOUND),
    (NEW.name, NEW.id_number, "id_number", "account_exists", 409, ACCOUNT_EXISTS),
    (DEMO.name, DEMO.id_number, "id_number", "account_exists", 409, ACCOUNT_EXISTS),
    ("Zhang3", FRESH.id_number, "name", "validation_failed", 422, "请不要输入字母及数字"),
])
def test_the_exam_record_check_refuses_with_nurse_wording_and_writes_nothing(
        client, database, name, id_number, field, code, status, message) -> None:
    before = counts(database)
    response = client.post("/api/v1/nurses/signup/check",
                           json={"name": name, "id_number": id_number})
    error = error_of(response)
    assert response.status_code == status and error["code"] == code
    assert message in error["fields"][field][0] and chinese(error["message"])
    assert FRESH.name not in str(error) or name == FRESH.name  # never reveals the record's name
    assert counts(database) == before


def test_a_physician_qualification_is_no_nurse_exam_record(client) -> None:
    response = client.post("/api/v1/nurses/signup/check",
                           json={"name": "张俊豪", "id_number": "110105199406166734"})
    assert error_of(response)["code"] == "qualification_not_found"


def test_a_wrong_code_refuses_the_account_and_keeps_nothing(client, database) -> None:
    response = nurse_signup(client, database, FRESH, "sunyutong", status=422,
                            phone_code="000000")
    assert "phone_code" in response["error"]["fields"]
    from service.access.models import Account

    assert database.count(Account.__table__.select().where(
        Account.username == "sunyutong")) == 0
