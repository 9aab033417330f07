"""One parser for the numbers and ids that arrive in paths and query strings.

``str.isdigit()`` accepts "²" and other digits ``int()`` refuses or reads, and a number of 20
digits overflows the database's integer columns; both used to end in a 500. Numbers here are
ASCII digits within bounds, ids fit the primary-key columns (32-bit on PostgreSQL), and every
refusal is a 400 (query strings) or a 404 (paths).
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from service.core.errors import ApiError

# The largest value an INTEGER primary key holds on PostgreSQL (SQLite's are wider).
MAX_ID = 2**31 - 1


def to_int(raw: str | None, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """``raw`` as an integer when it is ASCII digits within the bounds, else None."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 19 or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def to_id(raw: str | None) -> int | None:
    """``raw`` as a record id (1 … ``MAX_ID``), else None."""
    return to_int(raw, minimum=1)


def query_int(name: str, *, default: int | None = None, minimum: int = 0,
              maximum: int = MAX_ID, hint: str | None = None) -> int | None:
    """The query parameter ``name`` as an integer; absent gives ``default``, anything but digits
    within the bounds (an empty value too) a 400 naming the parameter."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = to_int(raw, minimum=minimum, maximum=maximum)
    if value is None:
        reason = hint or f"须为 {minimum}–{maximum} 之间的整数"
        raise ApiError(400, f"{name} {reason}", fields={name: [reason]})
    return value


def query_id(name: str, hint: str = "须为有效的编号") -> int | None:
    """The query parameter ``name`` as a record id, or None when absent or empty; 400 when
    malformed."""
    if not (request.args.get(name) or "").strip():
        return None
    return query_int(name, minimum=1, hint=hint)


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path of this site, else None: never another host to a browser
    (``//host``, ``/\\host``) and never a control character (CR / LF split headers)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    from urllib.parse import urlsplit

    return target if not urlsplit(target).netloc else None


def digits_at_most(limit: int) -> str:
    """A regular expression for the decimal numbers 0 … ``limit`` (leading zeros allowed)."""
    text = str(limit)
    options = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - i - 1
            options.append(f"{text[:i]}[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(text)
    return "0*(?:" + "|".join(options) + ")"


class BoundedIdConverter(IntegerConverter):
    """``<int:…>`` in routes: ASCII digits up to ``MAX_ID``. A larger number matches no route
    at all, so it is a 404 whatever other methods the path has (not a 405, not an overflow)."""

    regex = digits_at_most(MAX_ID)

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def install(app: Flask) -> None:
    """Make every ``<int:…>`` route bounded; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIdConverter
