"""The basic standard (医疗机构基本标准) an institution is compared with at verification (seed
001 (六) and its "人员不足" example): beds, dental chairs, staff by kind and title, subjects and
floor area per category (and hospital grade), as data in ``seed/institution_standards.csv``.

The result is a list of shortfalls, never a refusal: the institution reads them on its
application before it submits, the reviewer on every review step, and the authority decides
(a shortfall is the ground for 暂缓校验). A figure the data marks uncertain is shown as such.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal

from service.engine.events import events_of
from service.engine.plugins import TaskNote, task_note
from service.institutions.models import Institution
from service.registry import codes
from service.registry.seeding import SEED_DIR, rows

PROCESS = "institution_verification"
APPLICATION_TASKS = ("submit_application", "reapply")
REVIEW_TASKS = ("material_review", "counter_confirmation", "conclusion")


@dataclass(frozen=True)
class Standard:
    code: str
    category_code: str
    level: str
    name: str
    figures: dict[str, float | None]
    required_subjects: tuple[str, ...]
    basis: str
    uncertain_fields: frozenset[str]


@dataclass(frozen=True)
class Shortfall:
    item: str  # the standard's column
    message: str
    uncertain: bool


FIGURES = ("min_beds", "max_beds", "min_dental_chairs", "min_health_tech_per_bed",
           "min_nurses_per_bed", "min_health_tech", "min_physicians", "min_nurses",
           "min_senior_physicians", "min_attending_physicians", "min_floor_area",
           "min_floor_area_per_bed")


def _number(raw: str) -> float | None:
    return float(raw) if raw.strip() else None


@functools.cache
def standards() -> tuple[Standard, ...]:
    return tuple(Standard(
        code=r["code"], category_code=r["category_code"], level=r["level"], name=r["name"],
        figures={k: _number(r[k]) for k in FIGURES},
        required_subjects=tuple(c for c in r["required_subjects"].split(";") if c),
        basis=r["basis"], uncertain_fields=frozenset(f for f in r["uncertain_fields"].split(";") if f),
    ) for r in rows(SEED_DIR / "institution_standards.csv"))


def standard_for(inst: Institution) -> Standard | None:
    """The row of the institution's category; for a graded hospital, its grade's row (by the
    level code's first digit, or, ungraded, the row whose bed range holds its beds)."""
    candidates = [s for s in standards() if s.category_code == inst.category_code]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    grade = (inst.level_code or "")[:1]
    graded = [s for s in candidates if s.level == grade]
    if graded:
        return graded[0]
    for s in candidates:
        low, high = s.figures["min_beds"] or 0, s.figures["max_beds"]
        if inst.beds >= low and (high is None or inst.beds <= high):
            return s
    return candidates[0]


def _meets(required: str, registered: list[str]) -> bool:
    """A code is met by itself or a child; a required second-level code also by its first-level
    code registered alone (seed/README.md)."""
    parent = required.split(".")[0]
    return any(c == required or c.startswith(required + ".") or ("." in required and c == parent)
               for c in registered)


def staff_counts(application: dict) -> dict[str, int]:
    """Staff by kind from the application: the stated counts, or the roster where it lists more."""
    roster = [r for r in application.get("roster") or [] if isinstance(r, dict)]

    def stated(key: str) -> int:
        value = application.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    physicians = [r for r in roster if r.get("kind") == "physician"]
    counted = {
        "physicians": max(stated("physicians_count"), len(physicians)),
        "nurses": max(stated("nurses_count"), sum(1 for r in roster if r.get("kind") == "nurse")),
        "others": max(stated("technicians_count") + stated("pharmacists_count"),
                      sum(1 for r in roster if r.get("kind") == "other")),
        "senior": sum(1 for r in physicians if "主任医师" in (r.get("title") or "")),
        "attending": sum(1 for r in physicians if any(
            t in (r.get("title") or "") for t in ("主任医师", "主治医师"))),
    }
    counted["health_tech"] = counted["physicians"] + counted["nurses"] + counted["others"]
    return counted


def shortfalls(inst: Institution, application: dict) -> list[Shortfall]:
    """Where the institution and its application fall short of its basic standard."""
    std = standard_for(inst)
    if std is None:
        return []
    f, staff, out = std.figures, staff_counts(application), []

    def short(item: str, message: str) -> None:
        out.append(Shortfall(item, message, item in std.uncertain_fields))

    if f["min_beds"] is not None and inst.beds < f["min_beds"]:
        short("min_beds", f"床位不足：登记 {inst.beds} 张，标准至少 {f['min_beds']:g} 张")
    if f["max_beds"] is not None and inst.beds > f["max_beds"]:
        short("max_beds", f"床位超出标准：登记 {inst.beds} 张，标准至多 {f['max_beds']:g} 张")
    if f["min_dental_chairs"] is not None and inst.dental_chairs < f["min_dental_chairs"]:
        short("min_dental_chairs", f"牙椅不足：登记 {inst.dental_chairs} 台，标准至少 {f['min_dental_chairs']:g} 台")
    for item, key, label in (("min_physicians", "physicians", "执业（助理）医师"),
                             ("min_nurses", "nurses", "注册护士"),
                             ("min_health_tech", "health_tech", "卫生技术人员"),
                             ("min_senior_physicians", "senior", "副主任医师以上职称的医师"),
                             ("min_attending_physicians", "attending", "主治医师以上职称的医师")):
        if f[item] is not None and staff[key] < f[item]:
            short(item, f"人员不足：{label} {staff[key]} 人，标准至少 {f[item]:g} 人")
    for item, key, label in (("min_health_tech_per_bed", "health_tech", "卫生技术人员"),
                             ("min_nurses_per_bed", "nurses", "注册护士")):
        if f[item] is not None and inst.beds:
            need = math.ceil(round(f[item] * inst.beds, 6))
            if staff[key] < need:
                short(item, f"人员不足：{label} {staff[key]} 人，按每床 {f[item]:g} 人、{inst.beds} 张床至少 {need} 人")
    missing = [c for c in std.required_subjects if not _meets(c, inst.subject_codes)]
    if missing:
        short("required_subjects", "诊疗科目缺少：" + "、".join(
            f"{codes.name(c, 'subject')}（{c}）" for c in missing))
    area = inst.floor_area or Decimal(0)
    if f["min_floor_area"] is not None and area < Decimal(str(f["min_floor_area"])):
        short("min_floor_area", f"建筑面积不足：登记 {_area(area)} 平方米，标准至少 {f['min_floor_area']:g} 平方米")
    if f["min_floor_area_per_bed"] is not None and inst.beds:
        need = Decimal(str(f["min_floor_area_per_bed"])) * inst.beds
        if area < need:
            short("min_floor_area_per_bed", f"建筑面积不足：登记 {_area(area)} 平方米，按每床 "
                  f"{f['min_floor_area_per_bed']:g} 平方米至少 {_area(need)} 平方米")
    return out


def _area(value: Decimal) -> str:
    return f"{value.normalize():f}"


def described(item: Shortfall) -> str:
    return item.message + ("（该项标准数值待核，仅供参考）" if item.uncertain else "")


def latest_application(case) -> dict:
    """The verification application as last submitted (the first round or the reapplication)."""
    for event in reversed(events_of(case.id)):
        if event.type == "task_completed" and event.task in APPLICATION_TASKS:
            return event.data.get("form") or {}
    return {}


@task_note
def standards_note(item, values: dict) -> list[TaskNote]:
    """The institution sees its shortfalls on its application, the reviewer on each review."""
    if item.process_id != PROCESS or item.task not in APPLICATION_TASKS + REVIEW_TASKS:
        return []
    inst = item.case.subject_institution
    application = values if item.task in APPLICATION_TASKS else latest_application(item.case)
    found = shortfalls(inst, application) if inst is not None else []
    if not found:
        return []
    std = standard_for(inst)
    hint = ("请按《医疗机构基本标准（试行）》补足后再提交；不符合基本标准的，审核机关将作出“暂缓校验”结论。"
            if item.task in APPLICATION_TASKS else
            "不符合基本标准的，可退回修改（如“人员不足，请尽快注册相应医护人员”）或作出暂缓校验结论。")
    return [TaskNote(f"对照医疗机构基本标准（{std.name}，{std.basis}）", tuple(described(s) for s in found), hint)]
