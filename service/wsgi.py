"""WSGI entry for ``make run``: the app, plus an in-process worker when there is no broker."""
from __future__ import annotations

from . import create_app
from .jobs import in_process_broker, start_embedded_worker

app = create_app()
if in_process_broker():
    # no BROKER_URL: this process consumes its own in-memory queue
    start_embedded_worker()
