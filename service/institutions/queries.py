"""The combined institution query (综合查询), shared by the pages, the API and CSV export."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

from sqlalchemy import Select, or_, select

from service.access.models import Account
from service.access.policy import READ, division_level, scope
from service.core.extensions import db
from service.core.paging import MAX_LIMIT, QueryError, after_cursor, encode_key
from service.core.params import to_int
from service.institutions.models import Institution, InstitutionSubject


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
                    beds = to_int(raw, maximum=100000)
                    if beds is None:
                        errors[f.name] = ["床位数须为 0–100000 之间的整数"]
                    else:
                        values[f.name] = beds
            else:
                if len(raw) > 100:
                    errors[f.name] = ["查询条件过长"]
                values[f.name] = raw
        if args.get("division") and not (len(values["division"]) == 6 and to_int(values["division"]) is not None):
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


def encode_cursor(inst: Institution) -> str:
    return encode_key(inst.name, inst.id)


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
