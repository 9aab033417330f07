"""Failed logins pause one (account, address) pair; unknown names answer exactly like known
ones; the client address comes from X-Forwarded-For only behind configured proxies."""
from __future__ import annotations

import pytest
from conftest import DEMO_PASSWORD, Database, error_of, login
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.access.models import Account, Throttle

TOKEN = "/api/v1/auth/token"


def _from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _token(client: FlaskClient, username: str, password: str = "Wrong12345", **headers):
    return client.post(TOKEN, json={"username": username, "password": password}, headers=headers)


def _answers(client: FlaskClient, username: str, times: int = 6) -> list[tuple[int, str, str]]:
    out = []
    for _ in range(times):
        response = _token(client, username)
        error = error_of(response)
        out.append((response.status_code, error["code"], error["message"]))
    return out


def test_five_failures_from_one_address_do_not_lock_the_account_elsewhere(app: Flask) -> None:
    attacker, holder = _from(app, "203.0.113.9"), _from(app, "198.51.100.20")
    for _ in range(5):
        _token(attacker, "admin")
    assert error_of(_token(attacker, "admin", DEMO_PASSWORD))["code"] == "account_locked"
    assert _token(holder, "admin", DEMO_PASSWORD).status_code == 200


def test_the_login_page_pauses_the_address_but_not_the_holder(app: Flask) -> None:
    attacker, holder = _from(app, "203.0.113.10"), _from(app, "198.51.100.21")
    for _ in range(5):
        assert login(attacker, "bj.wjw", "Wrong12345").status_code == 401
    response = login(attacker, "bj.wjw")
    assert response.status_code == 401 and "请 15 分钟后再试" in response.get_data(as_text=True)
    assert login(holder, "bj.wjw").status_code == 302


def test_an_unknown_name_gets_the_same_answers_as_a_known_one(app: Flask) -> None:
    known = _answers(_from(app, "203.0.113.11"), "bj.chaoyang.wjw")
    unknown = _answers(_from(app, "203.0.113.12"), "no.such.person")
    assert known == unknown
    assert [code for _, code, _ in known] == ["bad_credentials"] * 4 + ["account_locked"] * 2


def test_an_unknown_name_costs_a_password_hash_like_a_known_one(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Timing: the unknown name is checked against a dummy hash, as long as a real check."""
    from service.access import login as login_module

    burnt = []
    monkeypatch.setattr(login_module, "burn_time", lambda password: burnt.append(password))
    _token(_from(app, "203.0.113.13"), "no.such.person", "Guess2024x")
    assert burnt == ["Guess2024x"]


def test_x_forwarded_for_is_ignored_without_trusted_proxies(app: Flask) -> None:
    """An attacker cannot dodge the pause by inventing addresses in the header."""
    client = _from(app, "203.0.113.14")
    for n in range(5):
        _token(client, "inst.chaoyang1", **{"X-Forwarded-For": f"10.9.0.{n}"})
    response = _token(client, "inst.chaoyang1", DEMO_PASSWORD, **{"X-Forwarded-For": "10.9.0.99"})
    assert error_of(response)["code"] == "account_locked"


def test_a_password_reset_by_the_issuer_lifts_the_pause(app: Flask, api, database: Database) -> None:
    client = _from(app, "203.0.113.15")
    for _ in range(5):
        _token(client, "inst.chaoyang2")
    target = database.scalar(select(Account.id).where(Account.username == "inst.chaoyang2"))
    paused = select(Throttle).where(Throttle.purpose == "login",
                                    Throttle.subject == f"{target}|203.0.113.15")
    assert database.count(paused) == 1
    assert api("admin").post(f"/api/v1/accounts/{target}/reset-password").status_code == 200
    assert database.count(paused) == 0


def test_trusted_proxies_take_the_client_address_from_the_header(tmp_path) -> None:
    from service import create_app

    proxied = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                          "SECRET_KEY": "x", "INSTANCE_DIR": str(tmp_path), "TRUSTED_PROXIES": "1"})
    plain = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                        "SECRET_KEY": "x", "INSTANCE_DIR": str(tmp_path)})
    for application in (proxied, plain):
        from flask import request

        application.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    headers = {"X-Forwarded-For": "198.51.100.7, 10.0.0.2"}
    seen = _from(proxied, "10.0.0.1").get("/_address", headers=headers)
    assert seen.get_data(as_text=True) == "10.0.0.2"  # one proxy: its own hop, not the forgery
    seen = _from(plain, "10.0.0.1").get("/_address", headers=headers)
    assert seen.get_data(as_text=True) == "10.0.0.1"


@pytest.mark.parametrize("raw", ["x", "-1", "99", "²"])
def test_a_bad_trusted_proxies_value_stops_the_start(tmp_path, raw: str) -> None:
    from service.core.config import Settings

    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        Settings.from_env({"TRUSTED_PROXIES": raw, "SECRET_KEY": "x",
                           "INSTANCE_DIR": str(tmp_path)})
