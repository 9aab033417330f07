"""Yizheng (医政): case management for medical e-registration and supervision."""
from __future__ import annotations

import logging

from flask import Flask

from service.core.config import ROOT, Settings


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
        EMBEDDED=settings.embedded,
        STORAGE_DIR=str(settings.storage_dir),
        NOTIFY_GATEWAY=settings.notify_gateway,
        TOKEN_TTL_HOURS=settings.token_ttl_hours,
        REQUIRE_SECOND_FACTOR=settings.require_second_factor,
        SECOND_FACTOR_KEY=settings.second_factor_key,
        SECOND_FACTOR_EXEMPT=_demo_usernames() if settings.demo_data else set(),
    )
    app.config.update({k: v for k, v in (overrides or {}).items() if k.isupper()})
    if settings.trusted_proxies:
        # the client address (login pauses, rate limits) and scheme come from X-Forwarded-*
        # only as set by this many proxies in front; without it they are the proxy's own
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # SpiffWorkflow logs every task state change at INFO (dozens of lines per step); what
    # happened to a case is in its events
    logging.getLogger("spiff").setLevel(logging.WARNING)

    from service import cli, jobs, models
    from service.core import database, errors, params
    from service.core.extensions import csrf, db, limiter, login_manager, migrate

    models.import_all()
    params.install(app)
    db.init_app(app)
    database.configure(app)
    migrate.init_app(app, db, directory=str(ROOT / "service" / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    jobs.bind(app)
    errors.register(app)
    _register_packages(app)
    cli.register(app)
    return app


def _demo_usernames() -> set[str]:
    from service import demo

    return demo.usernames()


def _register_packages(app: Flask) -> None:
    """The composition root: the shell, then each domain package (which fills the engine's
    plug-in table and attaches its routes), then the generic case doors and the REST API,
    whose blueprints domains may have added routes to."""
    from service import (
        api,
        audit,
        casework,
        designer,
        helpdesk,
        imports,
        institutions,
        integration,
        nurses,
        physicians,
        supervision,
        web,
    )
    from service.engine import visibility  # noqa: F401  (the case access rule)
    from service.jobs import notifications, periodic  # noqa: F401  (actors, after-commit hook)

    web.register(app)
    for domain in (institutions, physicians, nurses, supervision, helpdesk):
        domain.register(app)
    imports.register(app)  # after the domains, which registered their row kinds
    casework.register(app)
    audit.register(app)
    integration.register(app)
    designer.register(app)
    api.register(app)
