"""Keyset pagination over a (name, id) ordering: opaque cursors, no OFFSET scans."""
from __future__ import annotations

import base64
import binascii
import json

from sqlalchemy import Select, and_, or_, tuple_

from service.core.extensions import db
from service.core.params import MAX_ID

MAX_LIMIT = 200


class QueryError(ValueError):
    """A filter or cursor that cannot be used; carries per-field Chinese messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in fields.values() for m in ms))
        self.fields = fields


def encode_key(name: str, ident: int) -> str:
    """The opaque keyset cursor for a (name, id) ordering."""
    raw = json.dumps([name, ident], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, ident = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(name, str) or not isinstance(ident, int) or isinstance(ident, bool) \
                or not 0 < ident <= MAX_ID or len(name) > 200:
            raise ValueError
        return name, ident
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise QueryError({"cursor": ["分页游标无效"]}) from None


def after_cursor(stmt: Select, name_column, id_column, cursor: str, before: bool = False) -> Select:
    """Rows ordered after (or, with ``before``, before) the (name, id) key of ``cursor``."""
    name, ident = decode_cursor(cursor)
    if db.engine.dialect.name == "postgresql":
        key, bound = tuple_(name_column, id_column), tuple_(name, ident)
        return stmt.where(key < bound if before else key > bound)
    if before:
        return stmt.where(or_(name_column < name, and_(name_column == name, id_column < ident)))
    return stmt.where(or_(name_column > name, and_(name_column == name, id_column > ident)))
