"""Nurses (护士): the registry of nurses and their registrations, as institutions and
administrations see them."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.nurses import access, api, home, login_names, roster  # noqa: F401  (plug-ins register on import)
