"""The second factor (电子钥匙): enrolment with a QR code, the code after the password on pages
and at the token endpoint, recovery codes, throttling, the requirement and the reset."""
from __future__ import annotations

import pytest
from conftest import DEMO_PASSWORD, Database, csrf, error_of, logged_in, login
from flask import Flask
from flask.testing import FlaskClient
from second_factor_flow import ENROL, enrol, next_code
from sqlalchemy import select

from service.access.models import Account, RecoveryCode, SecondFactor

TOKEN = "/api/v1/auth/token"
CODE_PAGE = "/login/code"


def _code(client: FlaskClient, code: str):
    return client.post(CODE_PAGE, data={"code": code, "csrf_token": csrf(client, CODE_PAGE)})


def _signed_in(client: FlaskClient) -> bool:
    response = client.get("/password")
    return response.status_code == 200


@pytest.fixture
def enrolled(client: FlaskClient):
    logged_in(client, "cq.jiangbei.wjw")
    totp, codes = enrol(client)
    client.post("/logout", data={"csrf_token": csrf(client, "/password")})
    return totp, codes


def test_the_enrolment_page_shows_an_inline_svg_qr_code_and_the_secret(client: FlaskClient) -> None:
    logged_in(client, "cq.jiangbei.wjw")
    response = client.get(ENROL)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in text and "电子钥匙二维码" in text and 'id="secret"' in text
    assert "<script" not in text.split('<div class="qr"')[1].split("</div>")[0]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get(ENROL).get_data(as_text=True).count("id=\"secret\"") == 1


def test_enrolment_gives_ten_recovery_codes_and_never_shows_the_secret_again(
        client: FlaskClient, database: Database) -> None:
    logged_in(client, "cq.jiangbei.wjw")
    totp, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    after = client.get(ENROL).get_data(as_text=True)
    assert "已启用" in after and 'id="secret"' not in after and "<svg" not in after
    assert totp.secret not in after
    account = database.scalar(select(Account.id).where(Account.username == "cq.jiangbei.wjw"))
    stored = database.scalar(select(SecondFactor.secret_encrypted)
                             .where(SecondFactor.account_id == account))
    assert totp.secret not in stored  # encrypted at rest
    hashes = database.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.account_id == account))
    assert len(hashes) == 10 and not set(hashes) & {c.replace("-", "") for c in codes}


def test_a_wrong_first_code_does_not_enrol(client: FlaskClient) -> None:
    logged_in(client, "cq.jiangbei.wjw")
    client.get(ENROL)
    response = client.post(ENROL, data={"code": "000000", "csrf_token": csrf(client, ENROL)})
    assert response.status_code == 401 and "动态口令不正确" in response.get_data(as_text=True)
    assert "已启用" not in client.get(ENROL).get_data(as_text=True)


def test_the_password_alone_opens_no_session_and_the_code_does(client: FlaskClient,
                                                               enrolled) -> None:
    totp, _ = enrolled
    response = login(client, "cq.jiangbei.wjw")
    assert response.status_code == 302 and response.headers["Location"] == CODE_PAGE
    assert not _signed_in(client)
    assert _code(client, "123456").status_code == 401
    assert not _signed_in(client)
    response = _code(client, next_code(totp))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)


def test_a_code_works_once(client: FlaskClient, new_client, enrolled) -> None:
    totp, _ = enrolled
    code = next_code(totp)
    login(client, "cq.jiangbei.wjw")
    assert _code(client, code).status_code == 302
    other = new_client()
    login(other, "cq.jiangbei.wjw")
    response = _code(other, code)
    assert response.status_code == 401 and "已使用" in response.get_data(as_text=True)


def test_a_recovery_code_logs_in_once(client: FlaskClient, new_client, enrolled) -> None:
    _, codes = enrolled
    login(client, "cq.jiangbei.wjw")
    assert _code(client, codes[0].upper()).status_code == 302
    other = new_client()
    login(other, "cq.jiangbei.wjw")
    assert _code(other, codes[0]).status_code == 401
    assert _code(other, codes[1]).status_code == 302


def test_five_wrong_codes_pause_the_code_step(client: FlaskClient, enrolled) -> None:
    totp, _ = enrolled
    login(client, "cq.jiangbei.wjw")
    for _ in range(5):
        response = _code(client, "000000")
    assert "请 15 分钟后再试" in response.get_data(as_text=True)
    response = _code(client, next_code(totp))
    assert response.status_code == 401 and not _signed_in(client)


def test_the_code_step_expires(client: FlaskClient, enrolled) -> None:
    totp, _ = enrolled
    login(client, "cq.jiangbei.wjw")
    with client.session_transaction() as session:
        session["pending_login"] = {**session["pending_login"], "until": 0}
    response = client.get(CODE_PAGE)
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_the_code_page_without_a_password_goes_to_the_login(client: FlaskClient) -> None:
    response = client.get(CODE_PAGE)
    assert response.status_code == 302 and response.headers["Location"] == "/login"


# --- REST ------------------------------------------------------------------------------------

def test_the_token_endpoint_asks_for_the_code(client: FlaskClient, enrolled) -> None:
    totp, codes = enrolled
    body = {"username": "cq.jiangbei.wjw", "password": DEMO_PASSWORD}
    response = client.post(TOKEN, json=body)
    assert response.status_code == 401 and error_of(response)["code"] == "second_factor_required"
    response = client.post(TOKEN, json={**body, "otp": "000000"})
    assert response.status_code == 401 and error_of(response)["code"] == "bad_second_factor"
    response = client.post(TOKEN, json={**body, "otp": next_code(totp)})
    assert response.status_code == 200 and response.get_json()["token"]
    assert client.post(TOKEN, json={**body, "otp": codes[3]}).status_code == 200


def test_a_wrong_password_with_a_right_code_is_still_bad_credentials(client: FlaskClient,
                                                                     enrolled) -> None:
    totp, _ = enrolled
    response = client.post(TOKEN, json={"username": "cq.jiangbei.wjw", "password": "Wrong12345",
                                        "otp": next_code(totp)})
    assert error_of(response)["code"] == "bad_credentials"


def test_accounts_without_a_second_factor_keep_the_old_contract(client: FlaskClient) -> None:
    response = client.post(TOKEN, json={"username": "bj.wjw", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert set(response.get_json()) == {"token", "expires_at", "must_change_password"}


# --- the requirement -------------------------------------------------------------------------

@pytest.fixture
def required(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REQUIRE_SECOND_FACTOR", True)
    monkeypatch.setitem(app.config, "SECOND_FACTOR_EXEMPT", {"inst.chaoyang1", "admin"})


def test_when_required_an_administration_opens_only_the_enrolment_page(
        client: FlaskClient, required) -> None:
    assert login(client, "cq.jiangbei.wjw").status_code == 302
    for path in ("/", "/tasks/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == ENROL
    page = client.get(ENROL).get_data(as_text=True)
    assert "须启用电子钥匙" in page
    enrol(client)
    assert client.get("/tasks/").status_code == 200


def test_when_required_the_token_endpoint_refuses_an_unenrolled_administration(
        client: FlaskClient, required) -> None:
    response = client.post(TOKEN, json={"username": "cq.jiangbei.wjw", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert error_of(response)["code"] == "second_factor_enrolment_required"


def test_institutions_and_demo_accounts_are_not_required(client: FlaskClient, required) -> None:
    for username in ("inst.chaoyang2", "admin"):
        response = client.post(TOKEN, json={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 200, username


def test_the_production_default_requires_it_and_the_embedded_default_does_not(tmp_path) -> None:
    from service.core.config import Settings

    embedded = Settings.from_env({"INSTANCE_DIR": str(tmp_path), "DATABASE_URL": "",
                                  "BROKER_URL": "", "SECRET_KEY": "x"})
    production = Settings.from_env({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x",
                                    "DATABASE_URL": "postgresql://db/x",
                                    "EVENT_CHAIN_KEY": "k" * 32})
    assert not embedded.require_second_factor and production.require_second_factor


# --- reset by the platform administrator -----------------------------------------------------

def test_the_platform_admin_resets_a_lost_second_factor_on_the_page(
        client: FlaskClient, new_client, enrolled, database: Database) -> None:
    target = database.scalar(select(Account.id).where(Account.username == "cq.jiangbei.wjw"))
    admin = logged_in(new_client(), "admin")
    response = admin.post(f"/accounts/{target}/second-factor/reset",
                          data={"csrf_token": csrf(admin, "/accounts/")})
    assert response.status_code == 303
    response = login(client, "cq.jiangbei.wjw")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_administration_s_account_manager_cannot_reset_it(client: FlaskClient, enrolled,
                                                             database: Database, api) -> None:
    target = database.scalar(select(Account.id).where(Account.username == "cq.jiangbei.wjw"))
    manager = logged_in(client, "bj.chaoyang.wjw")
    response = manager.post(f"/accounts/{target}/second-factor/reset",
                            data={"csrf_token": csrf(manager, "/accounts/")})
    assert response.status_code == 403
    response = api("bj.chaoyang.wjw").post(f"/api/v1/accounts/{target}/reset-second-factor")
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"


def test_the_platform_admin_resets_it_over_the_api(client: FlaskClient, enrolled,
                                                   database: Database, api) -> None:
    target = database.scalar(select(Account.id).where(Account.username == "cq.jiangbei.wjw"))
    response = api("admin").post(f"/api/v1/accounts/{target}/reset-second-factor")
    assert response.status_code == 200 and response.get_json()["second_factor"] is False
    assert database.count(select(RecoveryCode).where(RecoveryCode.account_id == target)) == 0
    response = client.post(TOKEN, json={"username": "cq.jiangbei.wjw", "password": DEMO_PASSWORD})
    assert response.status_code == 200
