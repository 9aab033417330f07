"""Password recovery (seed 003 ch.4) by phone code, e-mail code or personal data, and the
security settings where a physician verifies her phone and e-mail and sees her last login."""
from __future__ import annotations

from conftest import Database, csrf, error_of, logged_in, login
from flask.testing import FlaskClient
from physician_accounts_flow import (
    DEMO,
    PASSWORD,
    UNREGISTERED,
    account_of,
    api_signup,
    outbox_code,
)
from sqlalchemy import func, select

from service.notify.models import Notification

PHONE, EMAIL, NEW_PASSWORD = "13900001111", "zhangjunhao@example.cn", "Huifu2024qz"


def _signed_up(client: FlaskClient, database: Database) -> None:
    api_signup(client, database, UNREGISTERED, "zhangjh2024", PHONE, EMAIL)


def test_she_recovers_her_password_by_phone_and_her_other_sessions_end(
        client: FlaskClient, new_client, database: Database) -> None:
    _signed_up(client, database)
    elsewhere = new_client()
    assert login(elsewhere, "zhangjh2024", PASSWORD).status_code == 302

    token = csrf(client, "/password/recover/sms")
    sent = client.post("/password/recover/sms", data={"address": PHONE, "action": "send",
                                                      "csrf_token": token})
    assert "验证码已发送" in sent.get_data(as_text=True)
    wrong = client.post("/password/recover/sms", data={
        "address": PHONE, "code": "999999" if outbox_code(database, PHONE) != "999999" else "999998",
        "action": "verify", "csrf_token": token})
    assert wrong.status_code == 422 and "还可尝试 4 次" in wrong.get_data(as_text=True)
    verified = client.post("/password/recover/sms", data={
        "address": PHONE, "code": outbox_code(database, PHONE), "action": "verify",
        "csrf_token": token})
    assert verified.status_code == 303 and verified.headers["Location"] == "/password/recover/reset"
    page = client.get("/password/recover/reset").get_data(as_text=True)
    assert "zh...024" in page and "zhangjh2024" not in page

    token = csrf(client, "/password/recover/reset")
    weak = client.post("/password/recover/reset", data={"password": "short1", "confirm": "short1",
                                                       "csrf_token": token})
    assert weak.status_code == 422 and "至少 8 位" in weak.get_data(as_text=True)
    done = client.post("/password/recover/reset", data={
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    # the grant is spent, the other browser is logged out, the new password works
    assert client.get("/password/recover/reset").status_code == 302
    assert elsewhere.get("/physician/activate").status_code == 302
    assert login(new_client(), "zhangjh2024", PASSWORD).status_code == 401
    assert login(new_client(), "zhangjh2024", NEW_PASSWORD).status_code == 302


def test_an_unknown_phone_gets_the_same_answer_and_no_message(
        client: FlaskClient, database: Database) -> None:
    token = csrf(client, "/password/recover/sms")
    response = client.post("/password/recover/sms", data={
        "address": "13700000000", "action": "send", "csrf_token": token})
    assert response.status_code == 200
    assert "如该手机已在本系统通过验证，验证码已发送" in response.get_data(as_text=True)
    assert database.scalar(select(func.count()).select_from(Notification).where(
        Notification.address == "13700000000")) == 0
    verify = client.post("/password/recover/sms", data={
        "address": "13700000000", "code": "123456", "action": "verify", "csrf_token": token})
    assert verify.status_code == 422 and "验证码不正确" in verify.get_data(as_text=True)


def test_an_unverified_phone_does_not_recover_an_account(client: FlaskClient,
                                                          database: Database) -> None:
    # doctor.demo's phone came with the demo data and was never verified
    phone = account_of(database, "doctor.demo").phone
    response = client.post("/api/v1/password/recovery-codes",
                           json={"channel": "sms", "address": phone})
    assert response.status_code == 202
    assert database.scalar(select(func.count()).select_from(Notification).where(
        Notification.address == phone)) == 0


def test_she_recovers_by_email_over_rest(client: FlaskClient, database: Database) -> None:
    _signed_up(client, database)
    assert client.post("/api/v1/password/recovery-codes", json={
        "channel": "email", "address": EMAIL.upper()}).status_code == 202
    response = client.post("/api/v1/password/recovery", json={
        "channel": "email", "address": EMAIL, "code": outbox_code(database, EMAIL),
        "new_password": NEW_PASSWORD})
    assert response.status_code == 200 and response.get_json() == {"username": "zh...024"}
    again = client.post("/api/v1/password/recovery", json={
        "channel": "email", "address": EMAIL, "code": outbox_code(database, EMAIL),
        "new_password": "Another123"})
    assert error_of(again)["fields"]["code"] == ["验证码已失效，请重新获取"]
    assert login(client, "zhangjh2024", NEW_PASSWORD).status_code == 302


def test_she_recovers_by_personal_data(client: FlaskClient) -> None:
    token = csrf(client, "/password/recover/personal")
    response = client.post("/password/recover/personal", data={
        "name": DEMO.name, "id_number": DEMO.id_number,
        "certificate_number": DEMO.certificate_number, "csrf_token": token})
    assert response.status_code == 303
    assert "do...emo" in client.get("/password/recover/reset").get_data(as_text=True)
    token = csrf(client, "/password/recover/reset")
    client.post("/password/recover/reset", data={"password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD, "csrf_token": token})
    assert login(client, "doctor.demo", NEW_PASSWORD).status_code == 302


def test_wrong_personal_data_gets_one_message_and_five_lock_it(client: FlaskClient) -> None:
    answers = [client.post("/api/v1/password/recovery", json={
        "name": DEMO.name, "id_number": DEMO.id_number, "certificate_number": f"20000000{n}",
        "new_password": NEW_PASSWORD}) for n in range(5)]
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 429]
    assert "与已注册账户的信息不一致" in error_of(answers[0])["message"]
    # a person without an account is told exactly the same
    nobody = client.post("/api/v1/password/recovery", json={
        "name": UNREGISTERED.name, "id_number": UNREGISTERED.id_number,
        "certificate_number": UNREGISTERED.certificate_number, "new_password": NEW_PASSWORD})
    assert error_of(nobody)["message"] == error_of(answers[0])["message"]
    locked = client.post("/api/v1/password/recovery", json={
        "name": DEMO.name, "id_number": DEMO.id_number,
        "certificate_number": DEMO.certificate_number, "new_password": NEW_PASSWORD})
    assert locked.status_code == 429 and "分钟后再试" in error_of(locked)["message"]


def test_she_verifies_her_phone_in_security_settings_and_can_then_recover_by_it(
        client: FlaskClient, new_client, database: Database) -> None:
    logged_in(client, "doctor.demo")
    page = client.get("/physician/security").get_data(as_text=True)
    assert "（未校验）" in page and "上次登录" in page and "修改密码" in page
    token = csrf(client, "/physician/security/contact/sms")
    client.post("/physician/security/contact/sms", data={"address": "13811112222",
                                                         "action": "send", "csrf_token": token})
    done = client.post("/physician/security/contact/sms", data={
        "address": "13811112222", "code": outbox_code(database, "13811112222"),
        "action": "confirm", "csrf_token": token})
    assert done.status_code == 303
    page = client.get("/physician/security").get_data(as_text=True)
    assert "已校验手机" in page and "138****2222" in page
    account = account_of(database, "doctor.demo")
    assert account.phone == "13811112222" and account.phone_verified_at is not None

    stranger = new_client()
    assert stranger.post("/api/v1/password/recovery-codes", json={
        "channel": "sms", "address": "13811112222"}).status_code == 202
    assert outbox_code(database, "13811112222")  # this time it was really sent


def test_a_phone_verified_by_another_account_is_refused(client: FlaskClient,
                                                         database: Database) -> None:
    _signed_up(client, database)
    logged_in(client, "doctor.demo")
    token = csrf(client, "/physician/security/contact/sms")
    response = client.post("/physician/security/contact/sms", data={
        "address": PHONE, "action": "send", "csrf_token": token})
    assert response.status_code == 409
    assert "已被其他账户验证使用" in response.get_data(as_text=True)
