"""Logging in: tokens, lockout, rate limits, page sessions, CSRF, password changes."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import (
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    Database,
    chinese,
    csrf,
    error_of,
    logged_in,
    login,
)
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service.access.models import Account
from service.access.passwords import verify_password

TOKEN = "/api/v1/auth/token"
LOCKED_PAGE_MESSAGE = "连续登录失败次数过多，请 15 分钟后再试"


def _token(client: FlaskClient, username: str, password: str):
    return client.post(TOKEN, json={"username": username, "password": password})


def _lock(client: FlaskClient, username: str) -> None:
    for _ in range(5):
        assert _token(client, username, "Wrong12345").status_code == 401


def _signed_in(client: FlaskClient) -> bool:
    """Whether the client's session is logged in (a login-only page answers instead of redirecting)."""
    response = client.get("/password")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


# --- tokens ----------------------------------------------------------------------------------

@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_demo_account_gets_a_token_that_names_it(client: FlaskClient, username: str) -> None:
    response = _token(client, username, DEMO_PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.tzinfo is not None and expires > datetime.now(UTC)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == username


def test_a_wrong_password_is_401_in_the_error_shape(client: FlaskClient) -> None:
    response = _token(client, "bj.chaoyang.wjw", "Wrong12345")
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "bad_credentials" and chinese(error["message"])
    assert "token" not in response.get_json()


def test_an_unknown_user_is_401_in_the_error_shape(client: FlaskClient) -> None:
    response = _token(client, "nobody.here", DEMO_PASSWORD)
    assert response.status_code == 401 and error_of(response)["code"] == "bad_credentials"


def test_the_api_refuses_a_missing_or_made_up_token(client: FlaskClient) -> None:
    assert error_of(client.get("/api/v1/me"))["code"] == "unauthorized"
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-real-token"})
    assert response.status_code == 401 and error_of(response)["code"] == "unauthorized"


def test_a_token_request_without_fields_is_422_with_field_errors(client: FlaskClient) -> None:
    response = client.post(TOKEN, json={"username": "bj.wjw"})
    assert response.status_code == 422
    assert error_of(response)["fields"]["password"] == ["必填项"]


# --- lockout ---------------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client: FlaskClient) -> None:
    for attempt in range(1, 6):
        response = _token(client, "inst.chaoyang2", "Wrong12345")
        assert response.status_code == 401
        expected = "account_locked" if attempt == 5 else "bad_credentials"
        assert error_of(response)["code"] == expected
    response = _token(client, "inst.chaoyang2", DEMO_PASSWORD)
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "account_locked" and "分钟后再试" in error["message"]


def test_a_locked_account_sees_the_chinese_lockout_message_on_the_login_page(
        client: FlaskClient) -> None:
    _lock(client, "inst.chaoyang2")
    response = login(client, "inst.chaoyang2")
    assert response.status_code == 401
    assert LOCKED_PAGE_MESSAGE in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_lockout_of_one_account_leaves_the_others_alone(client: FlaskClient) -> None:
    _lock(client, "inst.chaoyang2")
    assert _token(client, "inst.chaoyang1", DEMO_PASSWORD).status_code == 200


def test_a_successful_login_clears_earlier_failures(client: FlaskClient) -> None:
    for _ in range(4):
        _token(client, "inst.jiangbei1", "Wrong12345")
    assert _token(client, "inst.jiangbei1", DEMO_PASSWORD).status_code == 200
    for _ in range(4):
        assert error_of(_token(client, "inst.jiangbei1", "Wrong12345"))["code"] == "bad_credentials"
    assert _token(client, "inst.jiangbei1", DEMO_PASSWORD).status_code == 200


# --- rate limit ------------------------------------------------------------------------------

def test_too_many_token_requests_answer_429_in_the_error_shape(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3/minute")
    for _ in range(3):
        assert _token(client, "bj.wjw", "Wrong12345").status_code == 401
    response = _token(client, "bj.wjw", DEMO_PASSWORD)
    assert response.status_code == 429
    assert error_of(response)["code"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) > 0


def test_too_many_login_page_posts_answer_429(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2/minute")
    for _ in range(2):
        assert login(client, "bj.wjw", "Wrong12345").status_code == 401
    response = login(client, "bj.wjw")
    assert response.status_code == 429
    assert "请求过于频繁" in response.get_data(as_text=True)
    assert not _signed_in(client)


# --- page sessions ---------------------------------------------------------------------------

def test_a_page_login_opens_a_session_and_logout_ends_it(client: FlaskClient) -> None:
    response = login(client, "bj.chaoyang.wjw")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)
    token = csrf(client, "/password")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not _signed_in(client)


def test_a_wrong_password_on_the_login_page_is_401_with_a_chinese_message(
        client: FlaskClient) -> None:
    response = login(client, "bj.chaoyang.wjw", "Wrong12345")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_logout_needs_a_post_with_the_csrf_token(client: FlaskClient) -> None:
    logged_in(client, "bj.chaoyang.wjw")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert _signed_in(client)


def test_a_login_post_without_csrf_token_is_400_and_opens_no_session(
        client: FlaskClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "bj.wjw", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert not _signed_in(client)


def test_form_messages_on_the_login_page_are_chinese(client: FlaskClient) -> None:
    token = csrf(client, "/login")
    response = client.post("/login", data={"username": "u" * 41, "password": "",
                                           "csrf_token": token})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "字段长度不能超过 40 个字符" in text and "请输入密码" in text


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x",
                                    "/\\evil.example/x"])
def test_the_login_page_follows_next_only_within_the_site(client: FlaskClient, target) -> None:
    token = csrf(client, "/login")
    response = client.post(f"/login?next={target}", data={
        "username": "bj.wjw", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_login_page_follows_next_within_the_site(client: FlaskClient) -> None:
    token = csrf(client, "/login")
    response = client.post("/login?next=/inbox/", data={
        "username": "bj.wjw", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox/"


def test_the_session_cookie_is_httponly_and_samesite_lax(app: Flask, client: FlaskClient) -> None:
    response = login(client, "bj.wjw")
    cookies = [c for c in response.headers.getlist("Set-Cookie")
               if c.startswith(app.config["SESSION_COOKIE_NAME"] + "=")]
    assert len(cookies) == 1
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookies[0].split(";")}
    assert "httponly" in attributes
    assert attributes["samesite"] == "SameSite=Lax"
    assert ("secure" in attributes) == app.config["SESSION_COOKIE_SECURE"]


# --- password changes ------------------------------------------------------------------------

def _must_change(database: Database, username: str) -> None:
    with database.session() as s:
        s.execute(update(Account).where(Account.username == username)
                  .values(must_change_password=True))
        s.commit()


def _change_password(client: FlaskClient, current: str, new: str, confirm: str | None = None):
    token = csrf(client, "/password")
    return client.post("/password", data={"current": current, "new": new,
                                          "confirm": new if confirm is None else confirm,
                                          "csrf_token": token})


def test_an_account_that_must_change_its_password_is_sent_to_the_password_page(
        client: FlaskClient, database: Database) -> None:
    _must_change(database, "inst.chaoyang1")
    response = login(client, "inst.chaoyang1")
    assert response.status_code == 302 and response.headers["Location"] == "/password"
    response = client.get("/institutions/mine")
    assert response.status_code == 302 and response.headers["Location"] == "/password"


def test_after_the_change_the_account_works_normally(client: FlaskClient,
                                                     database: Database) -> None:
    _must_change(database, "inst.chaoyang1")
    logged_in(client, "inst.chaoyang1")
    response = _change_password(client, DEMO_PASSWORD, "NewSecret2024")
    assert response.status_code == 302
    assert client.get("/institutions/mine").status_code == 302  # to its own detail page
    assert "/password" not in client.get("/institutions/mine").headers["Location"]
    assert not database.scalar(select(Account.must_change_password)
                               .where(Account.username == "inst.chaoyang1"))


@pytest.mark.parametrize(("new", "confirm", "message"), [
    ("abc123", None, "密码至少 8 位"),
    ("abcdefghij", None, "密码须同时包含字母和数字"),
    ("1234567890", None, "密码须同时包含字母和数字"),
    ("Abcdefg123", "Abcdefg124", "两次输入的新密码不一致"),
    (DEMO_PASSWORD, None, "新密码不能与当前密码相同"),
])
def test_the_password_page_enforces_the_policy_in_chinese(
        client: FlaskClient, database: Database, new: str, confirm: str | None,
        message: str) -> None:
    before = database.scalar(select(Account.password_hash).where(Account.username == "bj.wjw"))
    logged_in(client, "bj.wjw")
    response = _change_password(client, DEMO_PASSWORD, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    after = database.scalar(select(Account.password_hash).where(Account.username == "bj.wjw"))
    assert after == before


def test_a_wrong_current_password_changes_nothing(client: FlaskClient) -> None:
    logged_in(client, "bj.wjw")
    response = _change_password(client, "Wrong12345", "Abcdefg123")
    assert response.status_code == 400 and "当前密码不正确" in response.get_data(as_text=True)
    assert _token(client, "bj.wjw", DEMO_PASSWORD).status_code == 200


def test_a_changed_password_replaces_the_old_one_and_ends_other_sessions(
        client: FlaskClient, new_client) -> None:
    other = logged_in(new_client(), "bj.wjw")
    logged_in(client, "bj.wjw")
    assert _change_password(client, DEMO_PASSWORD, "Changed2024x").status_code == 302
    assert _signed_in(client)  # the session that changed it stays
    assert not _signed_in(other)
    assert _token(client, "bj.wjw", DEMO_PASSWORD).status_code == 401
    assert _token(client, "bj.wjw", "Changed2024x").status_code == 200


def test_passwords_are_stored_only_as_hashes(client: FlaskClient, database: Database) -> None:
    logged_in(client, "bj.wjw")
    _change_password(client, DEMO_PASSWORD, "Plain2024text")
    hashes = database.scalars(select(Account.password_hash))
    assert hashes and all(h.startswith(("scrypt:", "pbkdf2:")) for h in hashes)
    assert not any(DEMO_PASSWORD in h or "Plain2024text" in h for h in hashes)
    stored = database.scalar(select(Account.password_hash).where(Account.username == "bj.wjw"))
    assert verify_password(stored, "Plain2024text")
