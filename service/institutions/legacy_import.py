"""Institutions in a legacy file (数据补录): each row an institution licensed before the
system, checked exactly as a single backfill is (:func:`backfill.institution_values`), with the
registry's answers fetched once per batch, and written as plain rows in bulk (the records,
their subjects and their versions 1 through :func:`versioning.insert_new`)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert

from service.core.extensions import db
from service.imports import kinds
from service.imports.kinds import Column, Context, PlacementRequest, Row
from service.institutions.backfill import Lookup, institution_values
from service.institutions.models import Institution, InstitutionSubject
from service.registry.reference import Division
from service.registry.validation import normalise_uscc
from service.registry.versioning import insert_new


class BatchLookup(Lookup):
    """The registry's answers for one batch: two queries, and divisions cached for the run."""

    def __init__(self, rows: list[Row], divisions: dict[str, Division | None]) -> None:
        codes = {normalise_uscc(r.get("uscc")) for r in rows} - {""}
        numbers = {r.get("registration_number").upper() for r in rows} - {""}
        self.usccs = kinds.existing(Institution.uscc, codes)
        self.numbers = kinds.existing(Institution.registration_number, numbers)
        self.divisions = divisions

    def uscc_taken(self, code: str) -> bool:
        return code in self.usccs

    def number_taken(self, number: str) -> bool:
        return number in self.numbers

    def division(self, code: str) -> Division | None:
        if code not in self.divisions:
            self.divisions[code] = db.session.get(Division, code)
        return self.divisions[code]


@kinds.register
class InstitutionRows(kinds.RowKind):
    name = "institutions"
    label = "医疗机构"
    columns = (
        Column("name", "机构名称", True, "北京朝阳示例诊所"),
        Column("uscc", "统一社会信用代码", True, "92110105MA01G6116Y", "18 位（GB 32100）"),
        Column("registration_number", "登记号", False, "", "原许可证登记号（22 位）；不填时按登记事项生成"),
        Column("category_code", "类别代码", True, "D211", "医疗机构类别代码表"),
        Column("economic_type_code", "经济类型代码", True, "17", "经济类型代码表"),
        Column("management_class", "经营性质代码", True, "2", "1 非营利性 / 2 营利性 / 9 其他"),
        Column("level_code", "级别代码", False, "9", "机构级别代码表"),
        Column("affiliation_code", "隶属关系代码", False, "90", "隶属关系代码表"),
        Column("division_code", "所在行政区划", True, "110105", "县（区）级 GB/T 2260 代码，须在本机关辖区内"),
        Column("address", "地址", True, "北京市朝阳区东坝中路38号"),
        Column("postal_code", "邮政编码", False, "100018"),
        Column("phone", "联系电话", False, "010-65926366"),
        Column("fax", "传真", False, ""),
        Column("legal_representative", "法定代表人", True, "王建国"),
        Column("principal", "主要负责人", False, "王建国"),
        Column("registered_capital", "注册资金", False, "20.00", "万元"),
        Column("service_mode", "服务方式", False, "门诊"),
        Column("beds", "床位", False, "0", "整数"),
        Column("dental_chairs", "牙椅", False, "0", "整数"),
        Column("floor_area", "建筑面积", False, "92.00", "平方米"),
        Column("staff_count", "职工人数", False, "3", "整数"),
        Column("subjects", "诊疗科目", False, "03 03.01", "诊疗科目代码，以空格或“、”分隔"),
        Column("licence_valid_from", "许可证有效期起", False, "2020-01-01", "YYYY-MM-DD"),
        Column("licence_valid_to", "许可证有效期止", False, "2030-12-31", "YYYY-MM-DD"),
    )
    unique = ("uscc", "registration_number")

    def check(self, rows: list[Row], ctx: Context) -> list[tuple[dict, list[str]] | None]:
        lookup = BatchLookup(rows, ctx.cache.setdefault("divisions", {}))
        items = []
        for row in rows:
            errors, values, subjects = institution_values(row.values, ctx.administration, lookup)
            for key, messages in errors.items():
                if key in self.unique and key in row.errors:
                    continue  # a repeat of an earlier row: said once
                for message in messages:
                    row.error(key, message)
            items.append(None if row.errors else (values, subjects))
        return items

    def write(self, items: Iterable[tuple[dict, list[str]]], ctx: Context) -> list[PlacementRequest]:
        items = list(items)
        ids = insert_new(Institution, [values for values, _ in items],
                         [{"subjects": subjects} for _, subjects in items])
        links = [{"institution_id": id_, "subject_code": code}
                 for id_, (_, subjects) in zip(ids, items, strict=True) for code in subjects]
        if links:
            db.session.execute(insert(InstitutionSubject.__table__), links)
        return []
