"""Backfill (数据补录): enter an institution licensed before the system, as its version 1.

Only the issuing authority enters it, inside its own division. The registration number is
computed from the registered items unless the existing licence's number is given.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.core.params import to_int
from service.institutions.models import Institution, registration_number
from service.registry import codes
from service.registry.reference import Administration, Division
from service.registry.validation import county_problem, date_field, normalise_uscc, uscc_problem
from service.registry.versioning import change_context

REQUIRED = {
    "name": "机构名称", "uscc": "统一社会信用代码", "category_code": "类别",
    "economic_type_code": "经济类型", "management_class": "经营性质", "address": "地址",
    "legal_representative": "法定代表人", "division_code": "所在行政区划",
}
CODED = (("category_code", "institution_category"), ("economic_type_code", "economic_type"),
         ("management_class", "management_class"), ("level_code", "level"),
         ("affiliation_code", "affiliation"))
TEXT_LIMITS = {"name": 120, "address": 200, "legal_representative": 40, "principal": 40,
               "service_mode": 60, "phone": 32, "fax": 32, "postal_code": 6,
               "registration_number": 22}


class BackfillError(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in fields.values() for m in ms))
        self.fields = fields


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _int(data: dict, key: str, errors: dict, maximum: int = 100000) -> int:
    raw = _text(data, key)
    if not raw:
        return 0
    value = to_int(raw, maximum=maximum)
    if value is None:
        errors.setdefault(key, []).append(f"须为 0–{maximum} 之间的整数")
        return 0
    return value


def _decimal(data: dict, key: str, errors: dict) -> Decimal | None:
    raw = _text(data, key)
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.setdefault(key, []).append("须为数字")
        return None
    if value < 0 or value >= Decimal("1e12"):
        errors.setdefault(key, []).append("数值超出允许范围")
        return None
    return value.quantize(Decimal("0.01"))


class Lookup:
    """What the checks ask of the registry, one query per question (a single backfill); a bulk
    import answers the same questions from sets fetched once per batch."""

    def uscc_taken(self, code: str) -> bool:
        return db.session.scalar(select(Institution.id).where(Institution.uscc == code)) is not None

    def number_taken(self, number: str) -> bool:
        return db.session.scalar(
            select(Institution.id).where(Institution.registration_number == number)) is not None

    def division(self, code: str) -> Division | None:
        return db.session.get(Division, code)


def institution_values(data: dict, admin: Administration | None,
                       lookup: Lookup) -> tuple[dict[str, list[str]], dict | None, list[str]]:
    """The field errors of an institution's registered items, or the column values of the
    institution issued by ``admin`` and its subject codes. Keys of ``data`` are the API's
    field names."""
    errors: dict[str, list[str]] = {}
    for key, label in REQUIRED.items():
        if not _text(data, key):
            errors.setdefault(key, []).append(f"请填写{label}")
    for key, limit in TEXT_LIMITS.items():
        if len(_text(data, key)) > limit:
            errors.setdefault(key, []).append(f"不能超过 {limit} 个字符")

    code = normalise_uscc(_text(data, "uscc"))
    if code:
        problem = uscc_problem(code)
        if problem:
            errors.setdefault("uscc", []).append(problem)
        elif lookup.uscc_taken(code):
            errors.setdefault("uscc", []).append("该统一社会信用代码已登记")
    for key, table in CODED:
        value = _text(data, key)
        if value and not codes.valid(value, table):
            errors.setdefault(key, []).append("代码不在代码表中")
    subjects = data.get("subjects") or []
    if isinstance(subjects, str):
        subjects = subjects.replace("、", " ").replace(",", " ").split()
    if not isinstance(subjects, list) or any(not codes.valid(str(s), "subject") for s in subjects):
        errors.setdefault("subjects", []).append("诊疗科目代码不在诊疗科目名录中")
        subjects = []

    division_code = _text(data, "division_code")
    division = lookup.division(division_code) if division_code else None
    problem = county_problem(division, admin.covers if admin else lambda _code: True)
    if division_code and problem:
        errors.setdefault("division_code", []).append(problem)

    beds = _int(data, "beds", errors)
    chairs = _int(data, "dental_chairs", errors, 1000)
    staff = _int(data, "staff_count", errors)
    capital = _decimal(data, "registered_capital", errors)
    area = _decimal(data, "floor_area", errors)
    valid_from, valid_to = date_field(data, "licence_valid_from", errors), date_field(data, "licence_valid_to", errors)
    if valid_from and valid_to and valid_to <= valid_from:
        errors.setdefault("licence_valid_to", []).append("有效期截止日期须晚于起始日期")
    number = _text(data, "registration_number").upper()
    if number and (len(number) != 22 or lookup.number_taken(number)):
        errors.setdefault("registration_number", []).append("登记号应为 22 位且不得与已登记的重复")
    if errors or admin is None:
        return errors, None, []

    values = dict(
        name=_text(data, "name"), uscc=code, category_code=_text(data, "category_code"),
        economic_type_code=_text(data, "economic_type_code"),
        management_class=_text(data, "management_class"), level_code=_text(data, "level_code") or None,
        affiliation_code=_text(data, "affiliation_code") or None,
        address=_text(data, "address"), postal_code=_text(data, "postal_code") or None,
        phone=_text(data, "phone") or None, fax=_text(data, "fax") or None,
        legal_representative=_text(data, "legal_representative"),
        principal=_text(data, "principal") or None, registered_capital=capital,
        service_mode=_text(data, "service_mode") or None, beds=beds, dental_chairs=chairs,
        floor_area=area, staff_count=staff or None, issuing_authority_id=admin.id,
        licence_valid_from=valid_from, licence_valid_to=valid_to, status="active",
        division_code=division.code, city_code=division.code[:4] + "00",
        province_code=division.code[:2] + "0000",
    )
    values["registration_number"] = number or registration_number(SimpleNamespace(**values))
    return errors, values, sorted({str(s) for s in subjects})


def check_institution(data: dict, admin: Administration | None,
                      lookup: Lookup) -> tuple[dict[str, list[str]], Institution | None]:
    """The field errors of an institution's registered items, or the unsaved institution
    issued by ``admin``. Keys of ``data`` are the API's field names."""
    errors, values, subjects = institution_values(data, admin, lookup)
    if values is None:
        return errors, None
    inst = Institution(**values)
    inst.subject_codes = subjects
    return errors, inst


def backfill_institution(actor: Account, data: dict) -> Institution:
    """Validate and create one institution issued by the actor's administration."""
    admin: Administration | None = actor.administration if actor.kind == "administration" else None
    if admin is None or not actor.has_role("bureau_clerk", "bureau_head"):
        admin = None
    errors, inst = check_institution(data, admin, Lookup())
    if admin is None:
        errors.setdefault("_schema", []).append("只有发证机关的受理审核人员可以补录机构")
    if errors or inst is None:
        raise BackfillError(errors)
    with change_context(actor.id, "数据补录"):
        db.session.add(inst)
        db.session.flush()
    return inst
