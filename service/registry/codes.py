"""Names and choice lists of the code tables (cached per process; reference data is static)."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from service.core.extensions import db
from service.registry.reference import CodeTable


@lru_cache(maxsize=16)
def _table(table: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (c.code, c.name) for c in db.session.scalars(
            select(CodeTable).where(CodeTable.table == table).order_by(CodeTable.code)
        )
    )


@lru_cache(maxsize=16)
def _names(table: str) -> dict[str, str]:
    """Code → name of one table (built once; callers only read it)."""
    return dict(_table(table))


@lru_cache(maxsize=64)
def _children(table: str, parent: str) -> dict[str, str]:
    return {c.code: c.name for c in db.session.scalars(
        select(CodeTable).where(CodeTable.table == table, CodeTable.parent_code == parent)
        .order_by(CodeTable.code))}


def children(table: str, parent: str) -> dict[str, str]:
    """Code → name of the entries of ``table`` under ``parent`` (e.g. a category's scopes)."""
    return dict(_children(table, parent))


def choices(table: str) -> list[tuple[str, str]]:
    return list(_table(table))


def name(code: str | None, table: str) -> str:
    if not code:
        return ""
    return _names(table).get(code, code)


def valid(code: str, table: str) -> bool:
    return code in _names(table)


def clear() -> None:
    _table.cache_clear()
    _names.cache_clear()
    _children.cache_clear()
