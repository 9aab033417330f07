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


MASKS = {"id": mask_id, "phone": mask_phone, "name": mask_name, "email": mask_email}


def mask_by_schema(schema: dict, value: object) -> object:
    """A copy of ``value`` with every field its JSON Schema marks ``x-mask`` masked, at any
    depth (objects, arrays of rows)."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        return {k: mask_by_schema(props.get(k, {}), v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_by_schema(schema.get("items") or {}, v) for v in value]
    mask = MASKS.get(schema.get("x-mask", ""))
    return mask(str(value)) if mask and isinstance(value, str) else value
