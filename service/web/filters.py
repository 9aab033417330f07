"""Jinja filters: dates in Asia/Shanghai, masking, code names, labels of registered items."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from service.core.masking import mask_id, mask_phone
from service.core.times import SHANGHAI
from service.registry import codes


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime(fmt)


def local_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_time=local_time, local_date=local_date, mask_id=mask_id, mask_phone=mask_phone,
        code_name=codes.name, field_label=lambda key: FIELD_LABELS.get(key, key),
    )


# Labels of registered items in version histories, added to by each domain package.
FIELD_LABELS: dict[str, str] = {}
