"""Jinja filters: dates in Asia/Shanghai, masking, code names."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

from ..masking import mask_id, mask_phone
from ..registry import codes
from ..registry.institutions import FIELD_LABELS
from ..registry.persons import PHYSICIAN_CATEGORIES

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime(fmt)


def local_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_time=local_time, local_date=local_date, mask_id=mask_id, mask_phone=mask_phone,
        code_name=codes.name,
        field_label=lambda key: FIELD_LABELS.get(key, key),
        physician_category=lambda code: PHYSICIAN_CATEGORIES.get(code, code),
    )
