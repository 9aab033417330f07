"""WSGI entry for ``make run``: the app, plus an in-process worker when there is no broker."""
from __future__ import annotations

from . import create_app
from .jobs import in_process_broker, start_embedded_worker
from .jobs.periodic import start_clock_thread


def deploy_processes(app) -> None:
    """Deploy changed BPMN files at start-up (concurrent starters race harmlessly)."""
    from sqlalchemy.exc import IntegrityError

    from .engine.definitions import deploy_all
    from .extensions import db

    with app.app_context():
        try:
            deploy_all()
        except IntegrityError:
            db.session.rollback()


app = create_app()
deploy_processes(app)
if in_process_broker():
    # no BROKER_URL: this process consumes its own in-memory queue and runs its own clock
    start_embedded_worker()
    start_clock_thread()
