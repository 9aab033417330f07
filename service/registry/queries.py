"""The combined institution query (综合查询), shared by the pages, the API and CSV export."""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields

from sqlalchemy import Select, and_, or_, select, tuple_

from ..access.models import Account
from ..access.policy import READ, division_level, scope
from ..extensions import db
from .institutions import Institution, InstitutionSubject

MAX_LIMIT = 200


class QueryError(ValueError):
    """A filter or cursor that cannot be used; carries per-field Chinese messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in fields.values() for m in ms))
        self.fields = fields


@dataclass
class InstitutionFilters:
    q: str = ""
    registration_number: str = ""
    legal_representative: str = ""
    address: str = ""
    beds_min: int | None = None
    beds_max: int | None = None
    subject: str = ""
    category: str = ""
    management_class: str = ""
    economic_type: str = ""
    status: str = ""
    division: str = ""

    @classmethod
    def from_args(cls, args) -> InstitutionFilters:
        """Read filters from request arguments; bad numbers give field errors."""
        values: dict = {}
        errors: dict[str, list[str]] = {}
        for f in fields(cls):
            raw = (args.get(f.name) or "").strip()
            if f.name in ("beds_min", "beds_max"):
                if raw:
                    if not raw.isdigit() or int(raw) > 100000:
                        errors[f.name] = ["床位数须为 0–100000 之间的整数"]
                    else:
                        values[f.name] = int(raw)
            else:
                if len(raw) > 100:
                    errors[f.name] = ["查询条件过长"]
                values[f.name] = raw
        if args.get("division") and not (len(values["division"]) == 6 and values["division"].isdigit()):
            errors["division"] = ["行政区划代码须为 6 位数字"]
        if errors:
            raise QueryError(errors)
        return cls(**values)

    def active(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


def institution_query(actor: Account, flt: InstitutionFilters) -> Select:
    """Institutions matching the filters within the actor's read scope, ordered by name, id."""
    stmt = select(Institution).where(scope(actor, READ, Institution))
    if flt.q:
        stmt = stmt.where(Institution.name.contains(flt.q, autoescape=True))
    if flt.registration_number:
        stmt = stmt.where(Institution.registration_number.contains(flt.registration_number, autoescape=True))
    if flt.legal_representative:
        stmt = stmt.where(Institution.legal_representative.contains(flt.legal_representative, autoescape=True))
    if flt.address:
        stmt = stmt.where(Institution.address.contains(flt.address, autoescape=True))
    if flt.beds_min is not None:
        stmt = stmt.where(Institution.beds >= flt.beds_min)
    if flt.beds_max is not None:
        stmt = stmt.where(Institution.beds <= flt.beds_max)
    if flt.subject:
        # a first-level subject also matches its second-level ones (03 matches 03.01)
        stmt = stmt.where(Institution.id.in_(
            select(InstitutionSubject.institution_id).where(or_(
                InstitutionSubject.subject_code == flt.subject,
                InstitutionSubject.subject_code.like(flt.subject + ".%"),
            ))
        ))
    if flt.category:
        stmt = stmt.where(Institution.category_code == flt.category)
    if flt.management_class:
        stmt = stmt.where(Institution.management_class == flt.management_class)
    if flt.economic_type:
        stmt = stmt.where(Institution.economic_type_code == flt.economic_type)
    if flt.status:
        stmt = stmt.where(Institution.status == flt.status)
    if flt.division:
        level = division_level(flt.division)
        column = {"province": Institution.province_code, "city": Institution.city_code,
                  "county": Institution.division_code}[level]
        stmt = stmt.where(column == flt.division)
    return stmt.order_by(Institution.name, Institution.id)


def encode_key(name: str, ident: int) -> str:
    """The opaque keyset cursor for a (name, id) ordering."""
    raw = json.dumps([name, ident], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_cursor(inst: Institution) -> str:
    return encode_key(inst.name, inst.id)


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, ident = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(name, str) or not isinstance(ident, int):
            raise ValueError
        return name, ident
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise QueryError({"cursor": ["分页游标无效"]}) from None


def after_cursor(stmt: Select, name_column, id_column, cursor: str) -> Select:
    """Rows ordered after the (name, id) key of ``cursor`` (keyset pagination)."""
    name, ident = decode_cursor(cursor)
    if db.engine.dialect.name == "postgresql":
        return stmt.where(tuple_(name_column, id_column) > tuple_(name, ident))
    return stmt.where(or_(name_column > name, and_(name_column == name, id_column > ident)))


def page(actor: Account, flt: InstitutionFilters, limit: int = 50,
         cursor: str | None = None) -> tuple[list[Institution], str | None]:
    """One keyset page: no OFFSET scans, stable under concurrent inserts."""
    limit = max(1, min(limit, MAX_LIMIT))
    stmt = institution_query(actor, flt)
    if cursor:
        stmt = after_cursor(stmt, Institution.name, Institution.id, cursor)
    items = list(db.session.scalars(stmt.limit(limit + 1)))
    next_cursor = encode_cursor(items[limit - 1]) if len(items) > limit else None
    return items[:limit], next_cursor


def iterate(actor: Account, flt: InstitutionFilters, batch: int = MAX_LIMIT) -> Iterator[Institution]:
    """Every matching institution, fetched page by page (for exports)."""
    cursor = None
    while True:
        items, cursor = page(actor, flt, batch, cursor)
        yield from items
        if cursor is None:
            return
