"""Engine set-up that the models cannot express: SQLite pragmas and transactional savepoints."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db
from .models import import_all


def configure(app: Flask) -> None:
    import_all()
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _sqlite_transactions(engine)


def _sqlite_transactions(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and delays BEGIN; let SQLAlchemy
    # issue BEGIN itself so that transactions and savepoints behave as on PostgreSQL.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")
