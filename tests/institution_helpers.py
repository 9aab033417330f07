"""Shared by the tests of the institution's physician functions (P11)."""
from __future__ import annotations

from conftest import ApiClient, Database
from sqlalchemy import select
from werkzeug.test import TestResponse

from service.physicians.models import Physician

ZOU_LEI = "邹磊"  # main institution: inst.chaoyang1, also filed at another Chaoyang clinic
WANG_LI = "王丽"  # inst.chaoyang1, 中医 category


def send(api: ApiClient, method: str, path: str, json: object = None) -> TestResponse:
    """PUT / PATCH with the client's token (the conftest client knows GET and POST)."""
    return getattr(api.client, method)(path, headers=api._headers(None), json=json)


def physician_id(database: Database, name: str) -> int:
    return database.scalar(select(Physician.id).where(Physician.name == name))
