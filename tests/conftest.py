"""Test infrastructure: one application per session on a freshly migrated database with the
demo data, and a rolled-back outer transaction around every test.

Environment:
- ``TEST_DATABASE_URL``: the database (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``);
  default a new SQLite file under the pytest temporary directory.
- ``TEST_REDIS_URL``: rate-limit storage (e.g. ``redis://127.0.0.1:6379/15``); default ``memory://``.
- ``CI=true``: ``TEST_DATABASE_URL`` must be present (a PostgreSQL URL, or explicitly empty to
  choose SQLite, as the second pass of ``.ci/run`` does) and ``TEST_REDIS_URL`` must be set; both
  must be reachable, or the run stops before any test. Nothing is skipped.

With pytest-xdist each worker gets its own PostgreSQL schema (``test_gw0``, ...) or SQLite file,
and every test process its own rate-limit key prefix. Two runs at once on the same PostgreSQL
database would drop each other's schema: give concurrent runs different databases.
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

DEMO_PASSWORD = "Demo12345"
DEMO_USERNAMES = (
    "admin", "designer", "auditor", "support", "bj.wjw", "bj.chaoyang.wjw", "bj.dongcheng.wjw", "cq.jiangbei.wjw",
    "inst.chaoyang1", "inst.chaoyang2", "inst.jiangbei1", "doctor.demo", "doctor.new",
)
CI = os.environ.get("CI", "").strip().lower() == "true"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


# --- where the tests run ---------------------------------------------------------------------

def _check_reachable(db_url: str | None, redis_url: str | None) -> None:
    if db_url:
        engine = create_engine(db_url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            raise pytest.UsageError(f"TEST_DATABASE_URL is not reachable: {exc}") from exc
        finally:
            engine.dispose()
    if redis_url:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except Exception as exc:
            raise pytest.UsageError(f"TEST_REDIS_URL is not reachable: {exc}") from exc


def pytest_configure(config: pytest.Config) -> None:
    db_url, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if CI:
        missing = [m for m, bad in (
            ("TEST_DATABASE_URL (a PostgreSQL URL, or empty for SQLite)", db_url is None),
            ("TEST_REDIS_URL", not redis_url),
        ) if bad]
        if missing:
            raise pytest.UsageError(f"CI=true: {' and '.join(missing)} must be set; tests never skip in CI")
    _check_reachable(db_url, redis_url)


def _database_url(tmp_path_factory: pytest.TempPathFactory, name: str = "test") -> str:
    """A URL for an empty database: the PostgreSQL schema is dropped and created again."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / f'yizheng-{name}.sqlite3'}"
    from service.core.config import normalise_database_url

    url = normalise_database_url(url)
    if not url.startswith("postgresql"):
        raise pytest.UsageError(f"TEST_DATABASE_URL must be PostgreSQL, not {url.split(':', 1)[0]}")
    schema = f"{name}_{WORKER}" if WORKER else ("public" if name == "test" else name)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    if schema == "public":
        return url
    parsed = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


def _ratelimit_overrides() -> dict[str, Any]:
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        return {"RATELIMIT_STORAGE_URI": "memory://"}
    # limiter.reset() clears only this prefix, so xdist workers and other test runs sharing the
    # Redis database keep their own counters (the keys expire with their windows)
    return {"RATELIMIT_STORAGE_URI": redis_url,
            "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"yizheng-test-{os.getpid()}"}}


# --- the application -------------------------------------------------------------------------

def _build_app(tmp_path_factory: pytest.TempPathFactory, name: str) -> Flask:
    """An application on a new database, migrated, with the reference and demo data."""
    from flask_migrate import upgrade

    from service import create_app
    from service.core.extensions import db
    from service.demo import load_demo
    from service.engine.definitions import deploy_all
    from service.helpdesk.service import load_articles
    from service.registry import codes
    from service.registry.seeding import load_reference
    from service.supervision.catalogue import load_catalogues

    instance = tmp_path_factory.mktemp(f"instance-{name}")
    application = create_app({
        "DATABASE_URL": _database_url(tmp_path_factory, name),
        "SECRET_KEY": "test-secret",
        "EVENT_CHAIN_KEY": "test-event-chain-key",
        "DEMO_DATA": "1",
        "INSTANCE_DIR": str(instance),
        "TESTING": True,
        "LOGIN_RATE_LIMIT": "1000/minute",
        "SIGNING_MODE": "local",  # a local CA in the test instance, on any database
        "SIGNING_CA_DIR": str(instance / "pki"),
        **_ratelimit_overrides(),
    })
    with application.app_context():
        upgrade()  # the real migrations, so that they are tested on every run
        _enable_loggers()  # alembic's fileConfig disabled them: a 500 must show its traceback
        load_reference()
        load_catalogues()
        load_articles()
        if not load_demo():
            raise RuntimeError("demo data was not loaded into the fresh test database")
        deploy_all()
        codes.clear()
        db.session.remove()
    return application


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = _build_app(tmp_path_factory, "test")
    yield application
    from service.core.extensions import db

    with application.app_context():
        db.engine.dispose()


_REAL_SESSION: list = []


@pytest.fixture(scope="session")
def _live_app(tmp_path_factory: pytest.TempPathFactory, app: Flask) -> Iterator[Flask]:
    application = _build_app(tmp_path_factory, "live")
    yield application
    from service.core.extensions import db

    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def live_app(_live_app: Flask, _isolated: Connection) -> Iterator[Flask]:
    """A second application on a database of its own whose sessions really commit, for
    tests of concurrent requests on real threads (the per-test outer transaction of the other
    tests holds one connection and would serialise them). What such a test writes stays."""
    from service.core.extensions import db

    isolated = db.session
    db.session = _REAL_SESSION[0]
    try:
        yield _live_app
    finally:
        db.session = isolated


def _enable_loggers() -> None:
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False


class _BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine per table and ignores ``bind``; for the
    duration of a test every statement must go through the test's connection instead."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@pytest.fixture(autouse=True)
def _isolated(app: Flask) -> Iterator[Connection]:
    """Run the test inside an outer transaction that is rolled back afterwards.

    Every session (one per request's app context) joins that transaction through a SAVEPOINT,
    so code that commits works normally, and nothing it writes outlives the test.
    """
    from service import jobs
    from service.core.database import DEFERRED
    from service.core.extensions import db, limiter

    with app.app_context():
        engine = db.engine
    # deferred on SQLite, so that a test's own second connection may still take the write lock
    connection = engine.connect().execution_options(**{DEFERRED: True})
    outer = connection.begin()
    original = db.session
    if not _REAL_SESSION:
        _REAL_SESSION.append(original)
    db.session = db._make_scoped_session({
        "bind": connection, "join_transaction_mode": "create_savepoint", "class_": _BoundSession,
    })
    limiter.reset()
    bound = jobs.app_context.app
    jobs.bind(app)  # a test that created an application of its own has bound the broker to it
    _empty_queues()
    try:
        yield connection
    finally:
        jobs.bind(bound)
        db.session = original
        outer.rollback()
        connection.close()


def _empty_queues() -> None:
    """Fresh in-memory queues for every test: what earlier tests queued belongs to their rolled
    back transactions. New queue objects rather than a flush, because the stub broker never
    requeues the messages a stopped worker had prefetched, and a queue counting such messages as
    unfinished can never be joined again."""
    from queue import Queue

    from dramatiq.brokers.stub import StubBroker

    from service.jobs import broker

    if isinstance(broker, StubBroker):
        for name in broker.queues:
            broker.queues[name] = Queue()
        for dead in broker.dead_letters_by_queue.values():
            dead.clear()


def run_worker(queue: str, *, timeout_ms: int = 20_000) -> None:
    """One worker thread on ``queue`` alone until it (with its delayed retries) is empty; the
    test reads the database afterwards (the worker shares its connection). Only that queue: a
    worker stopped while it holds another queue's delayed retry leaves that queue unjoinable."""
    import dramatiq

    from service.jobs import broker

    worker = dramatiq.Worker(broker, queues={queue}, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        broker.join(queue, timeout=timeout_ms)
        worker.join()
    finally:
        worker.stop()


# --- clients and helpers ---------------------------------------------------------------------

@pytest.fixture
def client(app: Flask, demo_logins: DemoLogins) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def new_client(app: Flask, demo_logins: DemoLogins) -> Callable[[], FlaskClient]:
    """Another browser: its own cookie jar."""
    return app.test_client


_CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]+)"')


def csrf(client: FlaskClient, url: str) -> str:
    """The CSRF token from the first form on the page at ``url``."""
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    tag = _CSRF_INPUT.search(response.get_data(as_text=True))
    assert tag, f"no csrf_token field on {url}"
    value = _VALUE.search(tag.group(0))
    assert value, f"csrf_token field on {url} has no value"
    return value.group(1)


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> TestResponse:
    """Log in through the login page (with its CSRF token); returns the POST's response."""
    token = csrf(client, "/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


def logged_in(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> FlaskClient:
    """The client with a logged-in page session of the account (see :class:`DemoLogins`)."""
    cookie = _DEMO_LOGINS.cookies.get(username) if password == DEMO_PASSWORD else None
    if cookie is not None:
        client.set_cookie(client.application.config["SESSION_COOKIE_NAME"], cookie)
        return client
    response = login(client, username, password)
    assert response.status_code == 302, f"login of {username} answered {response.status_code}"
    return client


@dataclass
class DemoLogins:
    """A real bearer token and a real page session of each demo account, made once per run
    before any per-test transaction, so that tests about what an account may *do* do not pay
    ~0.1 s of password hashing per login. Whatever a test changes (password, epoch, disabling)
    still ends these sessions within that test, and is rolled back after it. Tests about logging
    in use :func:`login` and the token endpoint directly, which always check the password."""

    tokens: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


_DEMO_LOGINS = DemoLogins()
CACHED_LOGINS = (*DEMO_USERNAMES, "bj.chaoyang.clerk")


@pytest.fixture(scope="session")
def demo_logins(app: Flask) -> DemoLogins:
    for username in CACHED_LOGINS:
        browser = app.test_client()
        response = login(browser, username)
        assert response.status_code == 302, f"login of {username}: {response.status_code}"
        cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        _DEMO_LOGINS.cookies[username] = cookie.value
        _DEMO_LOGINS.tokens[username] = get_token(browser, username)
    from service.core.extensions import limiter

    limiter.reset()
    return _DEMO_LOGINS


@dataclass
class ApiClient:
    """A test client that sends ``Authorization: Bearer <token>`` with every request."""

    client: FlaskClient
    token: str
    username: str = ""

    def _headers(self, headers: dict | None) -> dict:
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path: str, headers: dict | None = None, **kwargs: Any) -> TestResponse:
        return self.client.get(path, headers=self._headers(headers), **kwargs)

    def post(self, path: str, json: Any = None, headers: dict | None = None,
             **kwargs: Any) -> TestResponse:
        if json is not None:
            kwargs["json"] = json
        return self.client.post(path, headers=self._headers(headers), **kwargs)

    def me(self) -> dict:
        response = self.get("/api/v1/me")
        assert response.status_code == 200, response.get_json()
        return response.get_json()


def get_token(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, f"token for {username}: {response.get_json()}"
    return response.get_json()["token"]


@pytest.fixture
def api(app: Flask, demo_logins: DemoLogins) -> Callable[..., ApiClient]:
    """``api("bj.chaoyang.wjw")``: an API client holding a token of that account, obtained from
    ``POST /api/v1/auth/token`` (once per run for a demo account with the demo password)."""

    def make(username: str, password: str = DEMO_PASSWORD) -> ApiClient:
        client = app.test_client()
        token = demo_logins.tokens.get(username) if password == DEMO_PASSWORD else None
        return ApiClient(client, token or get_token(client, username, password), username)

    return make


@dataclass
class Database:
    """Direct database reads and writes for assertions, each in its own app context (so that
    test requests never share the test's context, its ``g`` or its session)."""

    app: Flask

    @contextmanager
    def session(self) -> Iterator[Session]:
        from service.core.extensions import db

        with self.app.app_context():
            yield db.session

    def scalar(self, stmt) -> Any:
        with self.session() as s:
            return s.scalar(stmt)

    def scalars(self, stmt) -> list:
        with self.session() as s:
            return list(s.scalars(stmt))

    def rows(self, stmt) -> list:
        with self.session() as s:
            return list(s.execute(stmt).all())

    def count(self, stmt) -> int:
        from sqlalchemy import func

        with self.session() as s:
            return s.scalar(select(func.count()).select_from(stmt.subquery()))


@pytest.fixture
def database(app: Flask) -> Database:
    return Database(app)


@dataclass(frozen=True)
class Demo:
    """Ids of the demo organisations and persons, keyed by the demo account's user name."""

    account: dict[str, int] = field(default_factory=dict)
    institution: dict[str, int] = field(default_factory=dict)
    administration: dict[str, int] = field(default_factory=dict)
    physician: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="session")
def demo(app: Flask) -> Demo:
    from service.access.models import Account
    from service.core.extensions import db

    ids = Demo()
    with app.app_context():
        for a in db.session.scalars(select(Account).where(Account.username.in_(DEMO_USERNAMES))):
            ids.account[a.username] = a.id
            for mapping, value in ((ids.institution, a.institution_id),
                                   (ids.administration, a.administration_id),
                                   (ids.physician, a.physician_id)):
                if value is not None:
                    mapping[a.username] = value
        db.session.remove()
    missing = set(DEMO_USERNAMES) - set(ids.account)
    assert not missing, f"demo accounts missing: {sorted(missing)}"
    return ids


def error_of(response: TestResponse) -> dict:
    """The ``error`` object of an API error answer, after checking the shape."""
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], error
    assert isinstance(error.get("message"), str) and error["message"], error
    return error


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def chinese(text: str) -> bool:
    return bool(CHINESE.search(text))


ROOT = Path(__file__).resolve().parent.parent


def fire_timers(app: Flask, at: datetime) -> int:
    """Fire the timers due at ``at`` (what the clock's job does); how many cases advanced."""
    from service.engine.runtime import fire_timers as fire

    with app.app_context():
        return fire(at)


def resident_id(base17: str) -> str:
    """A resident ID number (公民身份号码): ``base17`` and its check digit."""
    from stdnum.cn import ric

    return base17 + ric.calc_check_digit(base17 + "0")  # stdnum wants a placeholder 18th char
