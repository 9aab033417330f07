"""Masking of personal data in lists and API answers (as the seeds show it)."""
from __future__ import annotations


def mask_id(value: str | None) -> str | None:
    """110105199001011234 -> 110105********1234."""
    if not value:
        return value
    return value[:6] + "*" * max(0, len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str | None) -> str | None:
    """15112340658 -> 151****0658."""
    if not value:
        return value
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def mask_name(value: str | None) -> str | None:
    """张三丰 -> 张**."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_email(value: str | None) -> str | None:
    """chensiyuan@example.cn -> c***@example.cn."""
    if not value or "@" not in value:
        return value
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"
