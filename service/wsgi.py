"""WSGI entry for ``make run``: the app, plus an in-process worker when there is no broker."""
from __future__ import annotations

from service import create_app
from service.jobs import in_process_broker, start_embedded_worker
from service.jobs.periodic import start_clock_thread


def deploy_processes(app) -> None:
    """Deploy changed BPMN files at start-up (concurrent starters race harmlessly)."""
    from sqlalchemy.exc import IntegrityError

    from service.core.extensions import db
    from service.engine.definitions import deploy_all

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
