"""Yizheng (医政): case management for medical e-registration and supervision."""
from __future__ import annotations

import logging

from flask import Flask

from .config import ROOT, Settings


def create_app(overrides: dict | None = None) -> Flask:
    """The single entry point: build and configure the application."""
    settings = Settings.from_env(overrides)
    app = Flask(
        __name__,
        instance_path=str(settings.instance_dir),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(settings.flask_config())
    app.config.update(
        DEMO_DATA=settings.demo_data,
        STORAGE_DIR=str(settings.storage_dir),
        NOTIFY_GATEWAY=settings.notify_gateway,
        TOKEN_TTL_HOURS=settings.token_ttl_hours,
    )
    app.config.update({k: v for k, v in (overrides or {}).items() if k.isupper()})
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # SpiffWorkflow logs every task state change at INFO (dozens of lines per step); what
    # happened to a case is in its events
    logging.getLogger("spiff").setLevel(logging.WARNING)

    from . import database, jobs
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.configure(app)
    migrate.init_app(app, db, directory=str(ROOT / "service" / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    jobs.bind(app)
    from . import api, cli, errors, web
    from .jobs import notifications, periodic  # noqa: F401  (actors and the after-commit hook)

    errors.register(app)
    web.register(app)
    api.register(app)
    cli.register(app)
    return app
