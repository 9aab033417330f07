"""The combined institution query (综合查询), shared by the pages, the API, the exports, the
report, the envelope prints and the saved queries.

Names sort by pinyin (:mod:`service.core.collation`); pages are keyset pages over (name, id)
in both directions, so no page costs an OFFSET scan; the total is one count of the same query.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields

from sqlalchemy import Select, exists, func, or_, select

from service.access.models import Account
from service.access.policy import READ, division_level, scope
from service.core.collation import by_pinyin
from service.core.extensions import db
from service.core.paging import MAX_LIMIT, QueryError, after_cursor, encode_key
from service.core.params import to_int
from service.institutions.models import INSTITUTION_STATUSES, Institution, InstitutionSubject
from service.registry import codes

IN_REGISTER = "in_register"  # every institution not cancelled (the statistics' default)
QUERY_STATUSES = {IN_REGISTER: "在册（不含已注销）", **INSTITUTION_STATUSES}
MAX_BEDS = 100000
COUNT_CAP = 10000  # totals are exact up to this; beyond, "more than" (a count never scans all)
MAX_SUBJECTS = 10
# filter -> the code table its value must come from
CODED = {"category": "institution_category", "management_class": "management_class",
         "economic_type": "economic_type", "level": "level", "affiliation": "affiliation"}
# filter -> its label, for reports and saved-query descriptions
LABELS = {
    "q": "机构名称", "registration_number": "登记号", "legal_representative": "法定代表人",
    "address": "地址", "beds_min": "床位数不少于", "beds_max": "床位数不多于", "subject": "诊疗科目",
    "category": "机构类别", "management_class": "经营性质", "economic_type": "经济类型",
    "level": "机构级别", "affiliation": "隶属关系", "status": "状态", "division": "行政区划",
}


@dataclass
class InstitutionFilters:
    q: str = ""
    registration_number: str = ""
    legal_representative: str = ""
    address: str = ""
    beds_min: int | None = None
    beds_max: int | None = None
    subject: list[str] = field(default_factory=list)  # every one of them (a first-level code covers its sub-codes)
    category: str = ""
    management_class: str = ""
    economic_type: str = ""
    level: str = ""
    affiliation: str = ""
    status: str = ""
    division: str = ""

    @classmethod
    def from_args(cls, args) -> InstitutionFilters:
        """Read filters from request arguments; bad values give Chinese field errors."""
        values: dict = {}
        errors: dict[str, list[str]] = {}
        for f in fields(cls):
            if f.name == "subject":
                raw_list = args.getlist("subject") if hasattr(args, "getlist") else \
                    [args.get("subject") or ""]
                chosen = list(dict.fromkeys(s.strip() for s in raw_list if s and s.strip()))
                if len(chosen) > MAX_SUBJECTS:
                    errors["subject"] = [f"诊疗科目最多选择 {MAX_SUBJECTS} 项"]
                elif any(not codes.valid(s, "subject") for s in chosen):
                    errors["subject"] = ["诊疗科目代码不存在"]
                values["subject"] = chosen
                continue
            raw = (args.get(f.name) or "").strip()
            if f.name in ("beds_min", "beds_max"):
                if raw:
                    beds = to_int(raw, maximum=MAX_BEDS)
                    if beds is None:
                        errors[f.name] = [f"床位数须为 0–{MAX_BEDS} 之间的整数"]
                    else:
                        values[f.name] = beds
                continue
            if len(raw) > 100:
                errors[f.name] = ["查询条件过长"]
            elif raw and f.name in CODED and not codes.valid(raw, CODED[f.name]):
                errors[f.name] = [f"{LABELS[f.name]}代码不存在"]
            values[f.name] = raw
        if values.get("division") and not (len(values["division"]) == 6
                                            and to_int(values["division"]) is not None):
            errors["division"] = ["行政区划代码须为 6 位数字"]
        if values.get("status") and values["status"] not in QUERY_STATUSES:
            errors["status"] = ["状态不正确"]
        if values.get("beds_min") is not None and values.get("beds_max") is not None \
                and values["beds_min"] > values["beds_max"]:
            errors["beds_max"] = ["床位数上限不能小于下限"]
        if errors:
            raise QueryError(errors)
        return cls(**values)

    def active(self) -> dict:
        """The filters that are set, as query-string values (for links and saved queries)."""
        return {k: v for k, v in self.__dict__.items() if v not in ("", None, [])}

    def described(self) -> list[tuple[str, str]]:
        """(label, value) of each filter that is set, with code names (for the report)."""
        out = []
        for key, value in self.active().items():
            if key == "subject":
                value = "、".join(f"{codes.name(c, 'subject')}" for c in value)
            elif key in CODED:
                value = codes.name(value, CODED[key])
            elif key == "status":
                value = QUERY_STATUSES[value]
            out.append((LABELS[key], str(value)))
        return out


def status_condition(status: str):
    if status == IN_REGISTER:
        return Institution.status != "cancelled"
    return Institution.status == status


def _subject_condition(code: str):
    # a first-level subject also matches its second-level ones (03 matches 03.01); EXISTS per
    # row uses the (institution_id, subject_code) key instead of collecting every holder
    return exists().where(InstitutionSubject.institution_id == Institution.id, or_(
        InstitutionSubject.subject_code == code,
        InstitutionSubject.subject_code.like(code + ".%"),
    ))


def filtered(actor: Account, flt: InstitutionFilters, stmt: Select | None = None) -> Select:
    """``stmt`` (default: the institutions) narrowed to the filters within the actor's scope."""
    stmt = select(Institution) if stmt is None else stmt
    stmt = stmt.where(scope(actor, READ, Institution))
    for name, column in (("q", Institution.name), ("registration_number", Institution.registration_number),
                         ("legal_representative", Institution.legal_representative),
                         ("address", Institution.address)):
        value = getattr(flt, name)
        if value:
            stmt = stmt.where(column.contains(value, autoescape=True))
    if flt.beds_min is not None:
        stmt = stmt.where(Institution.beds >= flt.beds_min)
    if flt.beds_max is not None:
        stmt = stmt.where(Institution.beds <= flt.beds_max)
    for code in flt.subject:
        stmt = stmt.where(_subject_condition(code))
    for name, column in (("category", Institution.category_code),
                         ("management_class", Institution.management_class),
                         ("economic_type", Institution.economic_type_code),
                         ("level", Institution.level_code),
                         ("affiliation", Institution.affiliation_code)):
        value = getattr(flt, name)
        if value:
            stmt = stmt.where(column == value)
    if flt.status:
        stmt = stmt.where(status_condition(flt.status))
    if flt.division:
        column = {"province": Institution.province_code, "city": Institution.city_code,
                  "county": Institution.division_code}[division_level(flt.division)]
        stmt = stmt.where(column == flt.division)
    return stmt


def institution_query(actor: Account, flt: InstitutionFilters) -> Select:
    """Institutions matching the filters within the actor's read scope, by pinyin name, id."""
    return filtered(actor, flt).order_by(by_pinyin(Institution.name), Institution.id)


def count(actor: Account, flt: InstitutionFilters, cap: int | None = None) -> int:
    """How many institutions match; with ``cap``, at most ``cap + 1`` (the page's total: the
    database stops reading once it knows the total is above the cap)."""
    if cap is None:
        return db.session.scalar(filtered(actor, flt, select(func.count(Institution.id)))) or 0
    matching = filtered(actor, flt, select(Institution.id)).limit(cap + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(matching)) or 0


def encode_cursor(inst: Institution) -> str:
    return encode_key(inst.name, inst.id)


@dataclass
class Page:
    items: list[Institution]
    next_cursor: str | None
    prev_cursor: str | None


def keyset_page(actor: Account, flt: InstitutionFilters, limit: int = 50, cursor: str | None = None,
                before: str | None = None, last: int | None = None) -> Page:
    """One keyset page after ``cursor``, before ``before``, or the ``last`` rows: no OFFSET
    scans, stable under concurrent inserts."""
    limit = max(1, min(limit, MAX_LIMIT))
    name = by_pinyin(Institution.name)
    if before or last:
        stmt = filtered(actor, flt).order_by(name.desc(), Institution.id.desc())
        if before:
            stmt = after_cursor(stmt, name, Institution.id, before, before=True)
        wanted = last or limit
        items = list(db.session.scalars(stmt.limit(wanted + 1)))
        more_before = len(items) > wanted
        items = list(reversed(items[:wanted]))
        return Page(items, encode_cursor(items[-1]) if items and before else None,
                    encode_cursor(items[0]) if items and more_before else None)
    stmt = institution_query(actor, flt)
    if cursor:
        stmt = after_cursor(stmt, name, Institution.id, cursor)
    items = list(db.session.scalars(stmt.limit(limit + 1)))
    next_cursor = encode_cursor(items[limit - 1]) if len(items) > limit else None
    items = items[:limit]
    return Page(items, next_cursor, encode_cursor(items[0]) if items and cursor else None)


def page(actor: Account, flt: InstitutionFilters, limit: int = 50,
         cursor: str | None = None) -> tuple[list[Institution], str | None]:
    """A forward keyset page and the cursor of the next one (the API's list shape)."""
    result = keyset_page(actor, flt, limit, cursor)
    return result.items, result.next_cursor


def pages(actor: Account, flt: InstitutionFilters, batch: int = MAX_LIMIT) -> Iterator[list[Institution]]:
    """Every matching institution, a keyset page at a time (for exports and prints)."""
    cursor = None
    while True:
        items, cursor = page(actor, flt, batch, cursor)
        yield items
        if cursor is None:
            return


def iterate(actor: Account, flt: InstitutionFilters, batch: int = MAX_LIMIT) -> Iterator[Institution]:
    """Every matching institution, fetched page by page; the session holds read rows only
    weakly, so memory stays flat however many there are."""
    for items in pages(actor, flt, batch):
        yield from items
