"""Nurse sign-up on the pages (护士个人版 用户注册): checked against the nurse exam records,
phone and e-mail codes from the outbox, a user name and a password, each refusal in Chinese;
and a nurse recovering her password by a phone code on the shared recovery pages."""
from __future__ import annotations

import html

import pytest
from conftest import Database, csrf, login
from flask.testing import FlaskClient
from nurse_flow import FRESH, NEW, nurse_of, nurse_signup
from physician_accounts_flow import PASSWORD, account_of, counts, outbox_code

from service.nurses.signup import ACCOUNT_EXISTS, NAME_MISMATCH, NOT_FOUND

PHONE, EMAIL = "13900002222", "nurse@example.cn"


def _checked(client: FlaskClient, name: str = FRESH.name,
             id_number: str = FRESH.id_number) -> FlaskClient:
    token = csrf(client, "/nurse/signup")
    response = client.post("/nurse/signup", data={"name": name, "id_number": id_number,
                                                  "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/nurse/signup/account"
    return client


def _with_codes(client: FlaskClient, database: Database) -> dict:
    """The account form after both codes were sent on the page, with the codes filled in."""
    token = csrf(client, "/nurse/signup/account")
    sent = client.post("/nurse/signup/account", data={
        "phone": PHONE, "action": "send_sms", "csrf_token": token}).get_data(as_text=True)
    assert "验证码已发送至您的手机" in sent
    sent = client.post("/nurse/signup/account", data={
        "phone": PHONE, "email": EMAIL, "action": "send_email",
        "csrf_token": token}).get_data(as_text=True)
    assert "验证码已发送至您的电子邮箱" in sent
    return {"phone": PHONE, "phone_code": outbox_code(database, PHONE), "email": EMAIL,
            "email_code": outbox_code(database, EMAIL), "username": "sunyutong",
            "password": PASSWORD, "confirm": PASSWORD, "action": "submit", "csrf_token": token}


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_login_page_links_the_nurse_sign_up_beside_the_physicians_and_recovery(
        client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/nurse/signup">护士注册账号</a>' in page
    assert 'href="/physician/signup">医师注册新账号</a>' in page
    assert 'href="/password/recover">忘记密码？</a>' in page


def test_a_nurse_signs_up_on_the_pages_and_sees_her_masked_account(
        client: FlaskClient, database: Database) -> None:
    first = client.get("/nurse/signup").get_data(as_text=True)
    assert "护士个人版 · 用户注册" in first and "护士执业资格考试合格证明编号" in first
    _checked(client)
    page = client.get("/nurse/signup/account").get_data(as_text=True)
    assert "您已通过护士执业资格考试成绩校验" in page and FRESH.id_number not in page
    response = client.post("/nurse/signup/account", data=_with_codes(client, database))
    assert response.status_code == 303 and response.headers["Location"] == "/nurse/signup/done"
    done = client.get("/nurse/signup/done").get_data(as_text=True)
    for shown in ("护士个人版 · 您的账户信息", "su...ong", "139...22", "nu...@example.cn",
                  "护士执业资格考试合格证明编号"):
        assert shown in done
    assert PASSWORD not in done and "sunyutong" not in done

    account = account_of(database, "sunyutong")
    assert account.kind == "nurse" and account.roles == ["nurse"] and account.activated_at is None
    assert account.phone_verified_at is not None and account.email_verified_at is not None
    nurse = nurse_of(database, "sunyutong")
    assert nurse["status"] == "unregistered" and nurse["registrations"] == []
    assert login(client, "sunyutong", PASSWORD).status_code == 302


@pytest.mark.parametrize(("name", "id_number", "shown"), [
    ("王五", "110105199001011013", ("未查询到护士执业资格考试成绩！", NOT_FOUND,
                                       "考试所在地卫生健康行政部门")),
    ("张三", FRESH.id_number, (NAME_MISMATCH,)),
    # a physician's qualification is no nurse exam record
    ("张俊豪", "110105199406166734", ("未查询到护士执业资格考试成绩！",)),
    (NEW.name, NEW.id_number, (ACCOUNT_EXISTS, "该身份证号已注册护士账户。")),
])
def test_the_exam_record_check_refuses_on_the_page_and_writes_nothing(
        client: FlaskClient, database: Database, name: str, id_number: str,
        shown: tuple[str, ...]) -> None:
    before = counts(database)
    token = csrf(client, "/nurse/signup")
    response = client.post("/nurse/signup", data={"name": name, "id_number": id_number,
                                                  "csrf_token": token})
    page = _page(response)
    assert response.status_code == 422, page  # the page answers 422 for every refusal
    for text in shown:
        assert text in page
    assert counts(database) == before
    assert client.get("/nurse/signup/account").status_code == 302  # no step 2 without a check


@pytest.mark.parametrize(("changes", "status", "message"), [
    ({"phone_code": "000000"}, 422, "验证码不正确，还可尝试 4 次"),
    ({"password": "abcdefgh", "confirm": "abcdefgh"}, 422, "须同时包含字母和数字"),
    ({"password": "abc123", "confirm": "abc123"}, 422, "至少 8 位"),
    ({"username": "Designer"}, 422, "该用户名已被使用"),
])
def test_step_two_refuses_on_the_page_with_a_chinese_message_and_writes_nothing(
        client: FlaskClient, database: Database, changes: dict, status: int,
        message: str) -> None:
    _checked(client)
    form = _with_codes(client, database)
    if changes.get("phone_code") == form["phone_code"]:
        changes = {"phone_code": "000001"}
    before = counts(database)
    response = client.post("/nurse/signup/account", data={**form, **changes})
    assert response.status_code == status
    assert message in _page(response)
    assert counts(database) == before


def test_a_nurse_recovers_her_password_by_a_phone_code(
        client: FlaskClient, new_client, database: Database) -> None:
    nurse_signup(client, database, FRESH, "sunyutong", PHONE, EMAIL)
    index = client.get("/password/recover").get_data(as_text=True)
    assert "护士执业资格考试合格证明编号" in index
    token = csrf(client, "/password/recover/sms")
    client.post("/password/recover/sms", data={"address": PHONE, "action": "send",
                                               "csrf_token": token})
    verified = client.post("/password/recover/sms", data={
        "address": PHONE, "code": outbox_code(database, PHONE), "action": "verify",
        "csrf_token": token})
    assert verified.status_code == 303 and verified.headers["Location"] == "/password/recover/reset"
    assert "su...ong" in client.get("/password/recover/reset").get_data(as_text=True)
    token = csrf(client, "/password/recover/reset")
    done = client.post("/password/recover/reset", data={
        "password": "Huifu2024hs", "confirm": "Huifu2024hs", "csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert login(new_client(), "sunyutong", PASSWORD).status_code == 401
    assert login(new_client(), "sunyutong", "Huifu2024hs").status_code == 302
