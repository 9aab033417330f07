"""The row kinds a legacy file may hold. Each domain registers its kind: the columns, the checks
of a batch of rows, the writer, and (for persons) how a waiting registration is linked.

The framework reads the file, maps the header, finds duplicates within the file, keeps the
progress, stores the errors and holds the transaction; a kind knows only its records.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.registry.reference import Administration


@dataclass(frozen=True)
class Column:
    key: str  # the record's field name, as the API shows it
    label: str  # the Chinese header the old system's export uses
    required: bool = False
    example: str = ""
    note: str = ""  # format, for the documented layout and the template


@dataclass
class Row:
    """One data row of the file: its line number (the header is row 1) and its text cells."""

    number: int
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


@dataclass
class Context:
    """Who imports, into which jurisdiction, and what the kind keeps across batches."""

    actor: Account
    administration: Administration
    cache: dict[str, Any] = field(default_factory=dict)


class RowKind:
    """A kind of record in a legacy file. Subclasses set the class attributes and implement
    :meth:`check` and :meth:`write`; persons' kinds also :meth:`link`."""

    name: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    # columns whose values must differ between rows of one file, with the reason's noun
    unique: ClassVar[tuple[str, ...]] = ()

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        """Check a batch (one registry query per question, not per row); add errors to the
        rows and return what :meth:`write` needs for each row (None for a refused row)."""
        raise NotImplementedError

    def write(self, items: Iterable[Any], ctx: Context) -> list[PlacementRequest]:
        """Write the batch's records in bulk with their versions (under the caller's change
        context, 数据补录) and return the persons whose institution name the registry does
        not know."""
        raise NotImplementedError

    def suggest(self, placement, admin: Administration) -> list:
        """Institutions of the jurisdiction whose names are like the placement's (objects with
        ``institution_id``, ``name``, ``division_code`` and ``score``), best first."""
        return []

    def may_link(self, institution_id: int, admin: Administration) -> bool:
        """Whether the institution is one of the jurisdiction's, open to registrations."""
        return False

    def link(self, placement, institution_id: int, actor: Account) -> None:
        """Write the waiting registration at the institution (a new registry version)."""
        raise NotImplementedError


@dataclass(frozen=True)
class PlacementRequest:
    row: int
    person_id: int
    person_name: str
    institution_name: str
    division_code: str
    data: dict


def existing(column, values: set[str]) -> set[str]:
    """Which of ``values`` the registry's ``column`` holds already (one query for a batch)."""
    if not values:
        return set()
    return set(db.session.scalars(select(column).where(column.in_(sorted(values)))))


_KINDS: dict[str, RowKind] = {}


def register(cls: type[RowKind]) -> type[RowKind]:
    _KINDS[cls.name] = cls()
    return cls


def get(name: str) -> RowKind | None:
    return _KINDS.get(name)


def all_kinds() -> list[RowKind]:
    order = ("institutions", "physicians", "nurses")
    return sorted(_KINDS.values(), key=lambda k: (order.index(k.name) if k.name in order else 9, k.name))


def header_map(kind: RowKind) -> dict[str, str]:
    """Header text -> column key: the key itself or its Chinese label."""
    out: dict[str, str] = {}
    for col in kind.columns:
        out[col.key.lower()] = col.key
        out[col.label] = col.key
    return out
