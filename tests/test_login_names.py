"""Physicians and nurses log in with a verified phone or a certificate number as well as the
user name (seed 003), on the login page and at the token endpoint."""
from __future__ import annotations

import pytest
from conftest import DEMO_PASSWORD, Database, error_of, login
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from service.access.models import Account
from service.core.times import utcnow

TOKEN = "/api/v1/auth/token"
DOCTOR_PHONE = "18526757495"
QUALIFICATION_NO = "201111110110105198504178976"
PRACTICE_NO = "110110105229716"
NURSE_NO = "201211465800"


def _verify_phone(database: Database, username: str) -> None:
    with database.session() as s:
        s.execute(update(Account).where(Account.username == username)
                  .values(phone_verified_at=utcnow()))
        s.commit()


def _token_user(client: FlaskClient, name: str, password: str = DEMO_PASSWORD):
    response = client.post(TOKEN, json={"username": name, "password": password})
    if response.status_code != 200:
        return response.status_code, error_of(response)["code"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.get_json()['token']}"})
    return 200, me.get_json()["username"]


def test_a_physician_logs_in_on_the_page_with_her_verified_phone(client: FlaskClient,
                                                                  database: Database) -> None:
    _verify_phone(database, "doctor.demo")
    response = login(client, DOCTOR_PHONE)
    assert response.status_code == 302
    with client.session_transaction() as session:
        account = int(session["_user_id"].partition(":")[0])
    assert account == database.scalar(select(Account.id).where(Account.username == "doctor.demo"))


def test_an_unverified_phone_is_no_login_name(client: FlaskClient) -> None:
    response = login(client, DOCTOR_PHONE)
    assert response.status_code == 401 and "用户名或密码错误" in response.get_data(as_text=True)
    assert _token_user(client, DOCTOR_PHONE) == (401, "bad_credentials")


@pytest.mark.parametrize("number", [QUALIFICATION_NO, PRACTICE_NO])
def test_a_physician_gets_a_token_with_either_certificate_number(client: FlaskClient,
                                                                 number: str) -> None:
    assert _token_user(client, number) == (200, "doctor.demo")
    assert login(client, number).status_code == 302


def test_a_certificate_number_with_a_wrong_password_is_refused_like_any_name(
        client: FlaskClient) -> None:
    assert _token_user(client, PRACTICE_NO, "Wrong12345") == (401, "bad_credentials")


def test_a_nurse_logs_in_with_her_certificate_number_and_phone(
        client: FlaskClient, database: Database) -> None:
    assert _token_user(client, NURSE_NO) == (200, "nurse.demo")
    _verify_phone(database, "nurse.demo")
    assert _token_user(client, "133 0518 8425") == (200, "nurse.demo")
    assert login(client, NURSE_NO).status_code == 302


def test_an_administration_s_phone_is_not_a_login_name(client: FlaskClient,
                                                       database: Database) -> None:
    _verify_phone(database, "bj.wjw")
    assert _token_user(client, "15320626818") == (401, "bad_credentials")


def test_one_verified_phone_cannot_belong_to_two_accounts(database: Database) -> None:
    """The unique index behind phone logins: an ambiguous phone cannot exist."""
    _verify_phone(database, "doctor.demo")
    with database.session() as s:
        s.execute(update(Account).where(Account.username == "doctor.new")
                  .values(phone=DOCTOR_PHONE))
        with pytest.raises(IntegrityError):
            s.execute(update(Account).where(Account.username == "doctor.new")
                      .values(phone_verified_at=utcnow()))
            s.flush()
        s.rollback()


def test_a_certificate_number_of_two_live_accounts_logs_in_neither(
        client: FlaskClient, database: Database, demo) -> None:
    """Two enabled accounts of one physician: the number is ambiguous, the user name is not."""
    from service.access.passwords import hash_password

    with database.session() as s:
        s.add(Account(username="doctor.twin", display_name="陈思远", kind="physician",
                      roles=["physician"], physician_id=demo.physician["doctor.demo"],
                      password_hash=hash_password(DEMO_PASSWORD)))
        s.commit()
    assert _token_user(client, PRACTICE_NO) == (401, "bad_credentials")
    assert _token_user(client, "doctor.twin") == (200, "doctor.twin")


def test_a_revoked_account_beside_the_live_one_does_not_make_the_number_ambiguous(
        client: FlaskClient, database: Database, demo) -> None:
    from service.access.passwords import hash_password

    with database.session() as s:
        s.add(Account(username="doctor.old", display_name="陈思远", kind="physician",
                      roles=["physician"], physician_id=demo.physician["doctor.demo"],
                      password_hash=hash_password(DEMO_PASSWORD), is_enabled=False))
        s.commit()
    assert _token_user(client, QUALIFICATION_NO) == (200, "doctor.demo")


def test_failures_under_any_login_name_count_against_the_one_account(client: FlaskClient) -> None:
    for name in (PRACTICE_NO, QUALIFICATION_NO, "doctor.demo", PRACTICE_NO, QUALIFICATION_NO):
        _token_user(client, name, "Wrong12345")
    assert _token_user(client, "doctor.demo") == (401, "account_locked")


def test_the_login_page_names_the_other_login_names(client: FlaskClient) -> None:
    text = client.get("/login").get_data(as_text=True)
    assert "用户名/手机号码/证书编号" in text
