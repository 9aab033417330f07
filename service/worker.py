"""Entry for ``dramatiq service.worker``: the app the actors run in, and every actor."""
from __future__ import annotations

from service import create_app

app = create_app()

