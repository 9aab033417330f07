"""The provincial catalogues of seed/supervision/: the self-inspection checklist (areas → groups →
items) and the demerit rule set with its thresholds. Rows are versioned: a record stores the
province, version and code it was made under, so a new version never rewrites history."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from service.core.extensions import db
from service.registry.seeding import SEED_DIR, as_date, rows

DEFAULT = "default"


class ChecklistNode(db.Model):
    """An area, group or item of a province's self-inspection checklist (执业自查项目)."""

    __tablename__ = "sv_checklist_node"
    __table_args__ = (Index("ix_sv_checklist_parent", "province", "version", "parent_code"),)
    province: Mapped[str] = mapped_column(String(8), primary_key=True)
    version: Mapped[str] = mapped_column(String(12), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(400))
    section: Mapped[str | None] = mapped_column(String(60))
    basis: Mapped[str | None] = mapped_column(String(400))
    applies_to: Mapped[str] = mapped_column(String(200), default="all")
    condition: Mapped[str | None] = mapped_column(String(200))
    sort: Mapped[int] = mapped_column(default=0)
    source: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(400))


class DemeritRule(db.Model):
    """An article of a province's demerit rule set (不良执业行为记分) and its points."""

    __tablename__ = "sv_demerit_rule"
    province: Mapped[str] = mapped_column(String(8), primary_key=True)
    version: Mapped[str] = mapped_column(String(12), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    article_no: Mapped[int]
    article: Mapped[str] = mapped_column(String(20))
    item_no: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(400))
    points: Mapped[int]
    basis: Mapped[str | None] = mapped_column(String(400))
    valid_from: Mapped[object | None] = mapped_column(db.Date)
    valid_to: Mapped[object | None] = mapped_column(db.Date)
    source: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(400))


class DemeritThreshold(db.Model):
    """A points threshold in a cycle and the measure it calls for."""

    __tablename__ = "sv_demerit_threshold"
    province: Mapped[str] = mapped_column(String(8), primary_key=True)
    version: Mapped[str] = mapped_column(String(12), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    cycle_months: Mapped[int]
    cycle_anchor: Mapped[str] = mapped_column(String(20))
    threshold: Mapped[int]
    measure_code: Mapped[str] = mapped_column(String(40))
    measure: Mapped[str] = mapped_column(String(200))
    responsible: Mapped[str] = mapped_column(String(20))
    opens_case: Mapped[bool]
    basis: Mapped[str | None] = mapped_column(String(400))
    valid_from: Mapped[object | None] = mapped_column(db.Date)
    valid_to: Mapped[object | None] = mapped_column(db.Date)
    source: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(600))


def _province_of(path: Path, stem: str) -> str:
    return path.stem.removeprefix(stem)


def _upsert(model: type, key: tuple, values: dict) -> None:
    row = db.session.get(model, key) or model(province=key[0], version=key[1], code=key[2])
    for name, value in values.items():
        setattr(row, name, value)
    db.session.add(row)


def load_catalogues(seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Upsert every checklist_*.csv, demerit_rules_*.csv and demerit_thresholds_*.csv."""
    folder, counts = seed_dir / "supervision", {"checklist": 0, "demerit_rule": 0,
                                                "demerit_threshold": 0}
    for path in sorted(folder.glob("checklist_*.csv")):
        for r in rows(path):
            _upsert(ChecklistNode, (_province_of(path, "checklist_"), r["version"], r["code"]), {
                "parent_code": r["parent_code"] or None, "level": r["level"], "name": r["name"],
                "section": r["section"] or None, "basis": r["basis"] or None,
                "applies_to": r["applies_to"] or "all", "condition": r["condition"] or None,
                "sort": int(r["sort"] or 0), "source": r["source"] or None,
                "note": r["note"] or None})
            counts["checklist"] += 1
    for path in sorted(folder.glob("demerit_rules_*.csv")):
        for r in rows(path):
            _upsert(DemeritRule, (_province_of(path, "demerit_rules_"), r["version"], r["code"]), {
                "article_no": int(r["article_no"]), "article": r["article"],
                "item_no": r["item_no"], "category": r["category"],
                "description": r["description"], "points": int(r["points"]),
                "basis": r["basis"] or None, "valid_from": as_date(r["valid_from"]),
                "valid_to": as_date(r["valid_to"]), "source": r["source"] or None,
                "note": r["note"] or None})
            counts["demerit_rule"] += 1
    for path in sorted(folder.glob("demerit_thresholds_*.csv")):
        for r in rows(path):
            key = (_province_of(path, "demerit_thresholds_"), r["version"], r["code"])
            _upsert(DemeritThreshold, key, {
                "cycle_months": int(r["cycle_months"]), "cycle_anchor": r["cycle_anchor"],
                "threshold": int(r["threshold"]), "measure_code": r["measure_code"],
                "measure": r["measure"], "responsible": r["responsible"],
                "opens_case": r["opens_case"] == "yes", "basis": r["basis"] or None,
                "valid_from": as_date(r["valid_from"]), "valid_to": as_date(r["valid_to"]),
                "source": r["source"] or None, "note": r["note"] or None})
            counts["demerit_threshold"] += 1
    db.session.commit()
    return counts


@dataclass
class ScopeArea:
    """An area of the scope tree with its groups, as 执业自查项目确定 shows it."""

    code: str
    name: str
    groups: list[tuple[str, str]] = field(default_factory=list)


def checklist_province(division_code: str) -> tuple[str, str]:
    """(province key, newest version) of the checklist an institution in this division uses:
    its province's file, else the national default."""
    province = division_code[:2] + "0000"
    for key in (province, DEFAULT):
        version = db.session.scalar(select(db.func.max(ChecklistNode.version))
                                    .where(ChecklistNode.province == key))
        if version:
            return key, version
    raise LookupError("no checklist loaded")


def scope_tree(province: str, version: str) -> list[ScopeArea]:
    """Areas and their groups in display order (items are never ticked)."""
    nodes = db.session.scalars(select(ChecklistNode).where(
        ChecklistNode.province == province, ChecklistNode.version == version,
        ChecklistNode.level.in_(("area", "group"))).order_by(ChecklistNode.sort)).all()
    areas = {n.code: ScopeArea(n.code, n.name) for n in nodes if n.level == "area"}
    for n in nodes:
        if n.level == "group" and n.parent_code in areas:
            areas[n.parent_code].groups.append((n.code, n.name))
    return sorted(areas.values(), key=lambda a: next(
        (n.sort for n in nodes if n.code == a.code), 0))


def expand_scope(tree: list[ScopeArea], ticked: list[str]) -> list[str] | None:
    """The group codes a ticked set stands for (an area ticks all its groups); None when a code
    is not in the tree."""
    known = {a.code: [g for g, _ in a.groups] for a in tree}
    groups = {g for a in tree for g, _ in a.groups}
    result: list[str] = []
    for code in ticked:
        if code in known:
            result.extend(known[code])
        elif code in groups:
            result.append(code)
        else:
            return None
    order = [g for a in tree for g, _ in a.groups]
    return sorted(set(result), key=order.index)


def scope_names(province: str, version: str, groups: list[str]) -> list[str]:
    """Area names where every group is chosen, else group names (as the seed's lists show)."""
    names = []
    for area in scope_tree(province, version):
        codes = [g for g, _ in area.groups]
        chosen = [n for g, n in area.groups if g in groups]
        if chosen and len(chosen) == len(codes):
            names.append(area.name)
        else:
            names.extend(chosen)
    return names
