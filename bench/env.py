"""Where a benchmark runs: the database (created when missing), the schema, the Flask app.

PostgreSQL URLs may carry ``options=-csearch_path=<schema>`` (the smoke test uses a schema of
the test database); the schema is created when missing. SQLite URLs name a file.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from sqlalchemy.engine import make_url

from service.core.config import normalise_database_url

DEFAULT_URLS = {
    "smoke": "postgresql+psycopg://postgres@127.0.0.1:5432/bench_smoke",
    "province": "postgresql+psycopg://postgres@127.0.0.1:5432/bench_province",
    "nation": "postgresql+psycopg://postgres@127.0.0.1:5432/bench_nation",
    "registry": "postgresql+psycopg://postgres@127.0.0.1:5432/bench_registry",
}
BENCH_SECRET = "bench-secret-not-for-production"


def is_postgres(url: str) -> bool:
    return normalise_database_url(url).startswith("postgresql")


def libpq_dsn(url: str, options: bool = True) -> str:
    """The libpq form of a SQLAlchemy URL (for psycopg, pgbench and psql); without the URL's
    ``options`` (such as its ``search_path``) when ``options`` is false."""
    parsed = make_url(normalise_database_url(url))
    parts = [f"host={parsed.host or '127.0.0.1'}", f"port={parsed.port or 5432}",
             f"dbname={parsed.database}", f"user={parsed.username or 'postgres'}"]
    if parsed.password:
        parts.append(f"password={parsed.password}")
    query_options = parsed.query.get("options") if options else None
    if query_options:
        value = query_options if isinstance(query_options, str) else query_options[0]
        parts.append("options='" + value.replace("'", "\\'") + "'")
    return " ".join(parts)


def search_path(url: str) -> str | None:
    options = make_url(normalise_database_url(url)).query.get("options") or ""
    value = options if isinstance(options, str) else options[0]
    for part in value.split():
        if part.startswith("-csearch_path="):
            return part.split("=", 1)[1]
    return None


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database (and the schema of ``search_path``) when missing."""
    if not is_postgres(url):
        Path(make_url(url).database or "").parent.mkdir(parents=True, exist_ok=True)
        return
    parsed = make_url(normalise_database_url(url))
    admin = libpq_dsn(url.replace(f"/{parsed.database}", "/postgres", 1), options=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             (parsed.database,)).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{parsed.database}"')
    schema = search_path(url)
    if schema:
        with psycopg.connect(libpq_dsn(url, options=False), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def drop_schema(url: str) -> None:
    schema = search_path(url)
    if schema and is_postgres(url):
        with psycopg.connect(libpq_dsn(url, options=False), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def app_overrides(url: str, instance_dir: str) -> dict[str, Any]:
    return {
        "DATABASE_URL": url, "SECRET_KEY": BENCH_SECRET, "DEMO_DATA": "1",
        "EVENT_CHAIN_KEY": BENCH_SECRET + "-events",
        "INSTANCE_DIR": instance_dir, "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "100000/minute", "NOTIFY_GATEWAY": "log",
        "SIGNING_MODE": "local",  # the local CA in the bench instance, on any database
    }


def process_env(url: str, instance_dir: str) -> dict[str, str]:
    """Environment for child processes (gunicorn, timer workers) using the same database."""
    env = dict(os.environ)
    env.update({k: str(v) for k, v in app_overrides(url, instance_dir).items()
                if k not in ("LOGIN_RATE_LIMIT",)})
    env["BROKER_URL"] = ""
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return env


def make_app(url: str, instance_dir: str | None = None) -> Flask:
    from service import create_app

    instance_dir = instance_dir or tempfile.mkdtemp(prefix="bench-instance-")
    os.environ.pop("BROKER_URL", None)
    return create_app(app_overrides(url, instance_dir))


def build_schema(app: Flask) -> None:
    """Migrate, load reference and demo data, deploy the BPMN definitions (all idempotent)."""
    import logging

    from flask_migrate import upgrade

    from service.core.extensions import db
    from service.demo import load_demo
    from service.engine.definitions import deploy_all
    from service.registry.seeding import load_reference
    from service.supervision.catalogue import load_catalogues

    with app.app_context():
        upgrade()
        for logger in logging.root.manager.loggerDict.values():  # alembic's fileConfig
            if isinstance(logger, logging.Logger):
                logger.disabled = False
        logging.getLogger("alembic").setLevel(logging.WARNING)
        load_reference()
        load_catalogues()
        load_demo()
        deploy_all()
        db.session.remove()


def reset_database(url: str) -> None:
    """Drop everything: the schema of ``search_path`` (or ``public``), or the SQLite file."""
    if not is_postgres(url):
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    schema = search_path(url) or "public"
    with psycopg.connect(libpq_dsn(url, options=False), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')
