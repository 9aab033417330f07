"""P0: a physician signs up herself (checked against the qualification records, phone and
e-mail proved by codes from the outbox) and activates the account with her institution's code
or, without a valid registration, her qualification certificate number (seed 003 ch.2 §1)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Database, Demo, chinese, csrf, error_of, logged_in
from flask.testing import FlaskClient
from physician_accounts_flow import (
    DEMO,
    NEW,
    PASSWORD,
    REGISTERED,
    UNREGISTERED,
    Person,
    account_of,
    api_signup,
    counts,
    outbox_code,
    send_codes,
    signup_body,
)
from sqlalchemy import select, update
from stdnum.cn import ric

from service.access.models import VerificationCode
from service.core.times import utcnow
from service.notify.models import Notification
from service.persons.models import ActivationCode
from service.physicians.models import Physician
from service.physicians.signup import NAME_MISMATCH, NOT_FOUND, USERNAME_RULE

PHONE, EMAIL = "13900001111", "zhangjunhao@example.cn"


# --- sign-up on the pages ----------------------------------------------------------------------

def test_an_unregistered_physician_signs_up_on_the_pages_and_sees_her_masked_account(
        client: FlaskClient, database: Database) -> None:
    token = csrf(client, "/physician/signup")
    response = client.post("/physician/signup", data={
        "name": UNREGISTERED.name, "id_number": UNREGISTERED.id_number.lower(), "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/physician/signup/account"

    token = csrf(client, "/physician/signup/account")
    page = client.post("/physician/signup/account", data={
        "phone": PHONE, "action": "send_sms", "csrf_token": token}).get_data(as_text=True)
    assert "验证码已发送至您的手机" in page
    client.post("/physician/signup/account", data={
        "phone": PHONE, "email": EMAIL, "action": "send_email", "csrf_token": token})
    sms, mail = outbox_code(database, PHONE), outbox_code(database, EMAIL)

    response = client.post("/physician/signup/account", data={
        "phone": PHONE, "phone_code": sms, "email": EMAIL, "email_code": mail,
        "username": "zhangjh2024", "password": PASSWORD, "confirm": PASSWORD,
        "action": "submit", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/physician/signup/done"
    done = client.get("/physician/signup/done").get_data(as_text=True)
    for shown in ("zh...024", "139...11", "zh...@example.cn", "资格证书编码"):
        assert shown in done
    assert PASSWORD not in done and "zhangjh2024" not in done

    account = account_of(database, "zhangjh2024")
    assert account.kind == "physician" and account.roles == ["physician"]
    assert account.activated_at is None and account.is_enabled
    assert account.phone == PHONE and account.phone_verified_at is not None
    assert account.email == EMAIL and account.email_verified_at is not None
    with database.session() as s:
        physician = s.get(Physician, account.physician_id)
        assert physician.id_number == UNREGISTERED.id_number
        assert physician.name == UNREGISTERED.name and physician.school == "北京大学医学部"
        assert physician.version == 1 and physician.registrations == []


def test_codes_go_through_the_outbox_and_only_their_hmac_is_stored(
        client: FlaskClient, database: Database) -> None:
    send_codes(client, UNREGISTERED, PHONE, EMAIL)
    messages = database.scalars(select(Notification).where(
        Notification.address.in_([PHONE, EMAIL])).order_by(Notification.id))
    assert [m.channel for m in messages] == ["sms", "email"]
    assert all("10 分钟内有效" in m.body and m.status == "pending" for m in messages)
    for address in (PHONE, EMAIL):
        code = outbox_code(database, address)
        row = database.scalar(select(VerificationCode).where(VerificationCode.address == address))
        assert row.purpose == "signup" and len(row.code_hash) == 64
        assert code not in row.code_hash and code != row.code_hash
        assert timedelta(minutes=9) < row.expires_at - row.created_at <= timedelta(minutes=10)


def test_a_code_is_not_sent_again_within_a_minute(client: FlaskClient) -> None:
    send_codes(client, UNREGISTERED, PHONE, EMAIL)
    response = client.post("/api/v1/signup/codes", json={
        "name": UNREGISTERED.name, "id_number": UNREGISTERED.id_number, "channel": "sms",
        "address": PHONE})
    assert response.status_code == 429
    assert "秒后再重新获取" in error_of(response)["fields"]["phone"][0]


def test_sign_up_over_rest_answers_the_masked_summary(client: FlaskClient,
                                                       database: Database) -> None:
    check = client.post("/api/v1/signup/check", json={"name": REGISTERED.name,
                                                      "id_number": REGISTERED.id_number})
    assert check.status_code == 200 and check.get_json()["activation"] == "institution_code"
    body = api_signup(client, database, REGISTERED, "zoulei01")
    assert body == {"username": "zo...i01", "phone": "139...11", "email": "si...@example.cn",
                    "activated": False, "activation": "institution_code",
                    "institution": "北京市朝阳区康泰医院"}
    account = account_of(database, "zoulei01")
    # an existing physician record is reused, not duplicated
    assert account.physician_id == database.scalar(
        select(Physician.id).where(Physician.id_number == REGISTERED.id_number))


# --- every refusal: a clear Chinese message, nothing written -----------------------------------

def _valid_unknown_id() -> str:
    """A resident ID with a right check digit that no qualification record holds."""
    value = "110105199001011013"
    assert ric.is_valid(value)
    return value


@pytest.mark.parametrize(("name", "id_number", "field", "code", "message"), [
    (UNREGISTERED.name, UNREGISTERED.id_number[:-1] + "5", "id_number", "validation_failed",
     "校验位不正确"),
    (UNREGISTERED.name, "1101051994", "id_number", "validation_failed", "18 位"),
    ("Zhang3", UNREGISTERED.id_number, "name", "validation_failed", "请不要输入字母及数字"),
    (UNREGISTERED.name, _valid_unknown_id(), "id_number", "qualification_not_found", NOT_FOUND),
    ("张三", UNREGISTERED.id_number, "name", "name_mismatch", NAME_MISMATCH),
    ("陈思远", "110105198504178996", "id_number", "account_exists", "已注册医师账户"),
])
def test_the_identity_check_refuses_with_a_clear_message(
        client: FlaskClient, database: Database, name: str, id_number: str, field: str,
        code: str, message: str) -> None:
    before = counts(database)
    response = client.post("/api/v1/signup/check", json={"name": name, "id_number": id_number})
    error = error_of(response)
    assert response.status_code == (409 if code == "account_exists" else 422)
    assert error["code"] == code and message in error["fields"][field][0]
    assert chinese(error["message"])
    assert UNREGISTERED.name not in str(error) or name == UNREGISTERED.name  # never reveals it
    assert counts(database) == before


def test_the_identity_page_shows_the_seeds_guidance_when_nothing_matches(
        client: FlaskClient) -> None:
    token = csrf(client, "/physician/signup")
    response = client.post("/physician/signup", data={
        "name": "王五", "id_number": _valid_unknown_id(), "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "未查询到医师资格信息" in page and NOT_FOUND in page and "资格证书发证机关" in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"username": "1abc"}, "username", USERNAME_RULE),
    ({"username": "abc"}, "username", USERNAME_RULE),
    ({"username": "abcdefghijklm"}, "username", USERNAME_RULE),
    ({"username": "doctor_1"}, "username", USERNAME_RULE),
    ({"password": "abcdefgh"}, "password", "须同时包含字母和数字"),
    ({"password": "abc123"}, "password", "至少 8 位"),
    ({"phone": "1234"}, "phone", "手机号码格式不正确"),
    ({"phone_code": "000000"}, "phone_code", "验证码不正确，还可尝试 4 次"),
    ({"email_code": ""}, "email_code", "请填写验证码"),
])
def test_step_two_refuses_with_a_clear_message_and_writes_nothing(
        client: FlaskClient, database: Database, changes: dict, field: str,
        message: str) -> None:
    send_codes(client, UNREGISTERED, PHONE, EMAIL)
    body = signup_body(database, UNREGISTERED, "zhangjh2024", PHONE, EMAIL, changes)
    if changes.get("phone_code") == "000000" and outbox_code(database, PHONE) == "000000":
        body["phone_code"] = "000001"
    before = counts(database)
    response = client.post("/api/v1/signup", json=body)
    assert response.status_code == 422
    assert message in error_of(response)["fields"][field][0]
    assert counts(database) == before


def test_a_user_name_in_use_is_refused(client: FlaskClient, database: Database) -> None:
    send_codes(client, UNREGISTERED, PHONE, EMAIL)
    # user names compare without case: "Designer" is the demo account "designer"
    body = signup_body(database, UNREGISTERED, "Designer", PHONE, EMAIL)
    response = client.post("/api/v1/signup", json=body)
    assert error_of(response)["fields"]["username"] == ["该用户名已被使用，请换一个"]


def test_an_expired_code_is_refused(client: FlaskClient, database: Database) -> None:
    send_codes(client, UNREGISTERED, PHONE, EMAIL)
    body = signup_body(database, UNREGISTERED, "zhangjh2024", PHONE, EMAIL)
    with database.session() as s:
        s.execute(update(VerificationCode).where(VerificationCode.address == PHONE)
                  .values(expires_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    before = counts(database)
    response = client.post("/api/v1/signup", json=body)
    assert error_of(response)["fields"]["phone_code"] == ["验证码已失效，请重新获取"]
    assert counts(database) == before


def test_five_wrong_codes_spend_the_code(client: FlaskClient, database: Database) -> None:
    send_codes(client, UNREGISTERED, PHONE, EMAIL)
    body = signup_body(database, UNREGISTERED, "zhangjh2024", PHONE, EMAIL)
    wrong = "111111" if body["phone_code"] != "111111" else "222222"
    messages = [error_of(client.post("/api/v1/signup", json=dict(body, phone_code=wrong)))
                ["fields"]["phone_code"][0] for _ in range(5)]
    assert messages[0] == "验证码不正确，还可尝试 4 次"
    assert messages[-1] == "验证码输入错误次数过多，请重新获取"
    # the right code no longer helps: a new one must be requested
    response = client.post("/api/v1/signup", json=body)
    assert error_of(response)["fields"]["phone_code"] == ["验证码输入错误次数过多，请重新获取"]
    assert database.scalar(select(VerificationCode.attempts).where(
        VerificationCode.address == PHONE)) == 5


def test_a_code_works_once(client: FlaskClient, database: Database) -> None:
    api_signup(client, database, UNREGISTERED, "zhangjh2024", PHONE, EMAIL)
    response = client.post("/api/v1/signup/check", json={"name": UNREGISTERED.name,
                                                         "id_number": UNREGISTERED.id_number})
    assert error_of(response)["code"] == "account_exists"


# --- activation ----------------------------------------------------------------------------------

def _issue_code(database: Database, demo: Demo, person: Person, code: str = "K7M2Q9PX") -> None:
    """A code as the institution's generator (P11) leaves it: sent, for her physician id."""
    with database.session() as s:
        physician_id = s.scalar(select(Physician.id).where(Physician.id_number == person.id_number))
        s.add(ActivationCode(institution_id=demo.institution["inst.chaoyang1"],
                             physician_id=physician_id, code=code, status="sent",
                             sent_at=utcnow()))
        s.commit()


def test_a_registered_physician_activates_with_her_institutions_code(
        client: FlaskClient, database: Database, demo: Demo) -> None:
    api_signup(client, database, REGISTERED, "zoulei01")
    _issue_code(database, demo, REGISTERED)
    logged_in(client, "zoulei01", PASSWORD)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/physician/activate")
    page = client.get("/physician/", follow_redirects=True).get_data(as_text=True)
    assert "医师账户激活" in page and "北京市朝阳区康泰医院" in page and "激活我的账户" in page
    assert "信息维护" not in page  # the menu offers only what she may use before activation

    token = csrf(client, "/physician/activate")
    wrong = client.post("/physician/activate", data={"method": "code", "a-code": "ABCDEFGH",
                                                     "a-csrf_token": token})
    assert wrong.status_code == 422 and "还可尝试 4 次" in wrong.get_data(as_text=True)
    done = client.post("/physician/activate", data={"method": "code", "a-code": "k7m2 q9px",
                                                    "a-csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"] == "/physician/"
    assert "信息维护" in client.get("/physician/").get_data(as_text=True)

    account = account_of(database, "zoulei01")
    assert account.activated_at is not None
    code = database.scalar(select(ActivationCode).where(ActivationCode.code == "K7M2Q9PX"))
    assert code.status == "used" and code.used_by_id == account.id and code.used_at is not None


def test_five_wrong_activation_codes_lock_activation(client: FlaskClient, database: Database,
                                                      demo: Demo, api) -> None:
    api_signup(client, database, REGISTERED, "zoulei01")
    _issue_code(database, demo, REGISTERED)
    caller = api("zoulei01", PASSWORD)
    answers = [caller.post("/api/v1/me/activation", json={"code": f"WRONG00{n}"})
               for n in range(5)]
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 429]
    assert "还可尝试 1 次" in error_of(answers[3])["message"]
    assert "分钟后再试" in error_of(answers[4])["message"]
    locked = caller.post("/api/v1/me/activation", json={"code": "K7M2Q9PX"})
    assert locked.status_code == 429 and error_of(locked)["code"] == "activation_locked"
    assert account_of(database, "zoulei01").activated_at is None
    assert caller.get("/api/v1/me/activation").get_json()["locked_minutes"] >= 14


def test_another_physicians_or_a_voided_code_does_not_activate(
        client: FlaskClient, database: Database, demo: Demo, api) -> None:
    api_signup(client, database, REGISTERED, "zoulei01")
    _issue_code(database, demo, DEMO, code="DEMO2345")
    caller = api("zoulei01", PASSWORD)
    assert caller.post("/api/v1/me/activation", json={"code": "DEMO2345"}).status_code == 422
    _issue_code(database, demo, REGISTERED, code="OLD23456")
    with database.session() as s:
        s.execute(update(ActivationCode).where(ActivationCode.code == "OLD23456")
                  .values(status="revoked"))
        s.commit()
    response = caller.post("/api/v1/me/activation", json={"code": "OLD23456"})
    assert "已作废" in error_of(response)["message"]


def test_an_unregistered_physician_activates_with_her_qualification_certificate(
        client: FlaskClient, database: Database) -> None:
    logged_in(client, "doctor.new")
    page = client.get("/physician/activate").get_data(as_text=True)
    assert "输入资格证书编码激活账户" in page
    token = csrf(client, "/physician/activate")
    wrong = client.post("/physician/activate", data={
        "method": "certificate", "c-certificate_number": "200000000000", "c-csrf_token": token})
    assert wrong.status_code == 422 and "医师资格证书编码不正确" in wrong.get_data(as_text=True)
    done = client.post("/physician/activate", data={
        "method": "certificate", "c-certificate_number": NEW.certificate_number,
        "c-csrf_token": token})
    assert done.status_code == 303
    assert account_of(database, "doctor.new").activated_at is not None


def test_activation_by_certificate_is_refused_with_a_valid_registration(
        client: FlaskClient, database: Database, api) -> None:
    api_signup(client, database, REGISTERED, "zoulei01")
    caller = api("zoulei01", PASSWORD)
    response = caller.post("/api/v1/me/activation",
                           json={"certificate_number": REGISTERED.certificate_number})
    error = error_of(response)
    assert response.status_code == 409 and error["code"] == "registered"
    assert "北京市朝阳区康泰医院" in error["message"] and "激活码" in error["message"]
    assert account_of(database, "zoulei01").activated_at is None


def test_an_activated_account_is_not_activated_twice(api) -> None:
    response = api("doctor.demo").post("/api/v1/me/activation", json={"code": "ANYCODE2"})
    assert response.status_code == 409 and error_of(response)["code"] == "already_activated"


def test_the_openapi_document_describes_sign_up_activation_and_recovery(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/signup/check", "/api/v1/signup/codes", "/api/v1/signup",
                 "/api/v1/me/activation", "/api/v1/password/recovery-codes",
                 "/api/v1/password/recovery"):
        assert path in paths, path
    assert "get" in paths["/api/v1/me/activation"] and "post" in paths["/api/v1/me/activation"]
