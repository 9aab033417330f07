"""Chinese names sorted by pinyin, not by code point (冉 刘 李 杜 → 杜 李 刘 冉).

PostgreSQL sorts with ICU's ``zh-x-icu`` collation, declared on the column itself (so the
(name, id) indexes keep serving keyset pages); SQLite gets a ``pinyin`` collation registered
on every connection, keyed with pypinyin, named in the query.
"""
from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from sqlalchemy import ColumnElement, String

from service.core.extensions import db

POSTGRES_COLLATION = "zh-x-icu"
SQLITE_COLLATION = "pinyin"


def name_type(length: int) -> String:
    """A text column sorted by pinyin on PostgreSQL."""
    return String(length).with_variant(String(length, collation=POSTGRES_COLLATION), "postgresql")


@lru_cache(maxsize=65536)
def pinyin_key(text: str) -> tuple[str, str]:
    """Syllables with tone numbers, then the text itself (homophones stay apart, in order)."""
    return " ".join(lazy_pinyin(text, style=Style.TONE3)), text


def _compare(left: str, right: str) -> int:
    a, b = pinyin_key(left), pinyin_key(right)
    return (a > b) - (a < b)


def register_sqlite(dbapi_connection) -> None:
    dbapi_connection.create_collation(SQLITE_COLLATION, _compare)


def by_pinyin(column) -> ColumnElement:
    """``column`` as an ORDER BY / keyset comparison expression in pinyin order."""
    if db.engine.dialect.name == "sqlite":
        return column.collate(SQLITE_COLLATION)
    return column
