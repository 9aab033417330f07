"""Engine set-up that the models cannot express: SQLite pragmas, write locks and savepoints."""
from __future__ import annotations

import time

from flask import Flask, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from service.core import collation
from service.core.extensions import db


def configure(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _sqlite_transactions(engine)
        else:
            _ping_when_idle(engine)


# A pooled connection unused for this long is tested before use.
IDLE_PING_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it sat idle.

    Pinging on every checkout (``pool_pre_ping``) costs a round trip per request; a connection
    in steady use is known to be alive. One that sat idle may have been closed by a database
    restart or a firewall, and is pinged and, when dead, replaced before the request uses it.
    A restart in the middle of steady load fails the request that meets it; SQLAlchemy then
    discards the pool's other connections of that database.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as error:  # the pool retries with a new connection
            raise exc.DisconnectionError(f"idle connection is gone: {error}") from error


# Requests that only read; every other request, and all background work, may write.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# A connection with this execution option always begins deferred (a long reading transaction
# that must not hold the write lock, such as the test suite's outer transaction).
DEFERRED = "yizheng_deferred_begin"


def writes(conn=None) -> bool:
    """Whether the transaction about to begin may write: not inside a reading request."""
    if conn is not None and conn.get_execution_options().get(DEFERRED):
        return False
    return not (has_request_context() and request.method in READING_METHODS)


def _sqlite_transactions(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and delays BEGIN; let SQLAlchemy
    # issue BEGIN itself so that transactions and savepoints behave as on PostgreSQL.
    # A deferred BEGIN that later writes must upgrade its read lock; when another connection
    # committed meanwhile SQLite refuses at once (SQLITE_BUSY, the busy timeout does not
    # apply). A writing transaction therefore takes the write lock when it begins
    # (BEGIN IMMEDIATE), where it waits up to the busy timeout for the writer before it.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        collation.register_sqlite(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes(conn) else "BEGIN")
