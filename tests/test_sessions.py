"""Page logins live server-side: logout ends the login, so a copied cookie stops working."""
from __future__ import annotations

from datetime import timedelta

from conftest import Database, csrf, login
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service.access.models import Account, LoginSession
from service.core.times import utcnow

PAGES = ("/tasks/", "/password", "/")


def _cookie(app: Flask, client: FlaskClient) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str, path: str):
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return thief.get(path)


def _logout(client: FlaskClient) -> None:
    response = client.post("/logout", data={"csrf_token": csrf(client, "/password")})
    assert response.status_code == 302


def _fresh_login(client: FlaskClient, username: str = "bj.chaoyang.wjw") -> None:
    assert login(client, username).status_code == 302


def test_a_cookie_copied_before_logout_is_refused_after_it(app: Flask, client: FlaskClient) -> None:
    _fresh_login(client)
    stolen = _cookie(app, client)
    assert _replay(app, stolen, "/tasks/").status_code == 200  # the copy works while logged in
    _logout(client)
    for path in PAGES:
        response = _replay(app, stolen, path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login"), path


def test_a_replayed_cookie_cannot_post_either(app: Flask, client: FlaskClient) -> None:
    _fresh_login(client)
    token = csrf(client, "/password")
    stolen = _cookie(app, client)
    _logout(client)
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = thief.post("/password", data={"current": "Demo12345", "new": "Stolen2024xy",
                                             "confirm": "Stolen2024xy", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logout_ends_only_this_browser_s_login(app: Flask, client: FlaskClient,
                                               new_client) -> None:
    other = new_client()
    _fresh_login(other)
    _fresh_login(client)
    _logout(client)
    assert other.get("/tasks/").status_code == 200


def test_logout_marks_the_login_ended_in_the_database(client: FlaskClient,
                                                      database: Database) -> None:
    _fresh_login(client, "inst.chaoyang1")
    account_id = database.scalar(select(Account.id).where(Account.username == "inst.chaoyang1"))
    live = select(LoginSession).where(LoginSession.account_id == account_id,
                                      LoginSession.ended_at.is_(None))
    before = database.count(live)
    _logout(client)
    assert database.count(live) == before - 1


def test_a_login_past_its_lifetime_is_refused_server_side(app: Flask, client: FlaskClient,
                                                          database: Database) -> None:
    _fresh_login(client, "inst.chaoyang2")
    with database.session() as s:
        s.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1))
                  .where(LoginSession.account_id == select(Account.id).where(
                      Account.username == "inst.chaoyang2").scalar_subquery()))
        s.commit()
    response = client.get("/tasks/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_login_key_opens_only_its_own_account(app: Flask, client: FlaskClient) -> None:
    """The key is bound to its account: a cookie naming another account with it is refused."""
    _fresh_login(client, "inst.chaoyang1")
    with client.session_transaction() as session:
        account = int(session["_user_id"].partition(":")[0])
        session["_user_id"] = f"{account + 1}:0"
    response = client.get("/tasks/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_new_login_does_not_keep_the_earlier_session_s_key(app: Flask,
                                                             client: FlaskClient) -> None:
    """Session fixation: a key planted before the login is replaced by a fresh one."""
    client.get("/login")
    with client.session_transaction() as session:
        session["login_key"] = "planted"
    _fresh_login(client)
    with client.session_transaction() as session:
        assert session["login_key"] != "planted"
