"""A database that cannot be reached (restart, failover) answers 503 with Retry-After, not 500.

The fault drills (``python -m bench.drills``) restart PostgreSQL under load; these tests give
the same errors psycopg raises then, through the API and a page.
"""
from __future__ import annotations

import sqlite3

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from service.core.errors import database_unavailable
from tests.conftest import chinese, error_of, logged_in


def _refused() -> OperationalError:
    """The error of a real connection attempt to a port nothing listens on."""
    try:
        psycopg.connect("host=127.0.0.1 port=1 connect_timeout=2")
    except psycopg.OperationalError as exc:
        return OperationalError("SELECT 1", {}, exc)
    raise AssertionError("a connection to port 1 succeeded")


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.core.extensions import db

    error = _refused()

    def broken(*_args, **_kwargs):
        raise error

    for name in ("execute", "scalars", "scalar", "get"):
        monkeypatch.setattr(db.session, name, broken, raising=False)


def test_api_answers_503_with_retry_after_while_the_database_is_unreachable(
        api, unreachable) -> None:
    response = api("bj.chaoyang.wjw").get("/api/v1/work-items")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    error = error_of(response)
    assert error["code"] == "unavailable" and chinese(error["message"])


def test_pages_answer_503_in_chinese_while_the_database_is_unreachable(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = logged_in(client, "bj.chaoyang.wjw")
    from service.core.extensions import db

    error = _refused()

    def broken(*_args, **_kwargs):
        raise error

    for name in ("execute", "scalars", "scalar", "get"):
        monkeypatch.setattr(db.session, name, broken, raising=False)
    response = browser.get("/tasks/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "数据库暂不可用" in response.get_data(as_text=True)


@pytest.mark.parametrize(("orig", "outage"), [
    (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
    (psycopg.errors.CannotConnectNow("the database system is starting up"), True),
    (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), False),
    (sqlite3.OperationalError("database is locked"), False),
])
def test_only_a_lost_or_refused_connection_counts_as_an_outage(orig, outage: bool) -> None:
    assert database_unavailable(OperationalError("SELECT 1", {}, orig)) is outage
