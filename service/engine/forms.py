"""JSON Schema forms: loading from ``forms/``, server-side validation with Chinese messages."""
from __future__ import annotations

from datetime import date

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from service.core.config import ROOT

FORMS_DIR = ROOT / "forms"
MAX_ERRORS = 50


_format_checker = FormatChecker()


@_format_checker.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    if not isinstance(value, str):
        return True
    date.fromisoformat(value)
    return len(value) == 10


_validators: dict[int, tuple[dict, Draft202012Validator]] = {}
MAX_VALIDATORS = 512


def _validator(schema: dict) -> Draft202012Validator:
    """One validator per schema object: the deployed forms are cached and never change."""
    hit = _validators.get(id(schema))
    if hit is None or hit[0] is not schema:  # the entry holds the schema, so its id stays unique
        if len(_validators) >= MAX_VALIDATORS:
            _validators.clear()
        hit = (schema, Draft202012Validator(schema, format_checker=_format_checker))
        _validators[id(schema)] = hit
    return hit[1]


def validate(schema: dict, data: dict) -> dict[str, list[str]]:
    """Field errors (Chinese) for ``data`` against ``schema``; empty when valid."""
    validator = _validator(schema)
    errors: dict[str, list[str]] = {}
    for n, error in enumerate(sorted(validator.iter_errors(data), key=lambda e: list(e.path))):
        if n >= MAX_ERRORS:
            break
        field, message = _describe(error, schema)
        errors.setdefault(field, [])
        if message not in errors[field]:
            errors[field].append(message)
    return errors


def _field_name(error: ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(missing)
    return ".".join(p for p in parts if p) or "_form"


def _field_schema(schema: dict, field: str) -> dict:
    node = schema
    for part in field.split("."):
        node = node.get("items", {}) if part.isdigit() else node.get("properties", {}).get(part, {})
    return node


def _describe(error: ValidationError, schema: dict) -> tuple[str, str]:
    field = _field_name(error)
    custom = _field_schema(schema, field).get("x-error")
    v, value = error.validator, error.validator_value
    if v == "required":
        return field, "必填项"
    if custom:
        return field, custom
    messages = {
        "type": "类型不正确",
        "enum": "取值不在允许范围内",
        "const": "取值不正确",
        "maxLength": f"不能超过 {value} 个字符",
        "minLength": "必填项" if value == 1 else f"至少 {value} 个字符",
        "minimum": f"不能小于 {value}",
        "maximum": f"不能大于 {value}",
        "pattern": "格式不正确",
        "format": "日期格式应为 YYYY-MM-DD" if value == "date" else "格式不正确",
        "minItems": "至少选择或上传一项" if value == 1 else f"至少 {value} 项",
        "maxItems": f"最多 {value} 项",
        "additionalProperties": "包含不支持的字段",
        "uniqueItems": "不能有重复项",
    }
    return field, messages.get(v, "取值不正确")


def task_data(schema: dict, data: dict) -> dict:
    """The part of a submission the workflow keeps: the keys the form lists in ``x-task-data``."""
    return {k: data[k] for k in schema.get("x-task-data", []) if k in data}


def document_fields(schema: dict) -> list[str]:
    """Top-level fields that hold uploaded document ids."""
    return [name for name, prop in schema.get("properties", {}).items() if prop.get("x-document")]
