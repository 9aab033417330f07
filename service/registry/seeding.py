"""Load reference data and demo data from the CSV files in ``seed/``. Idempotent."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from service.core.config import ROOT
from service.core.extensions import db
from service.registry.reference import DIVISION_LEVELS, Administration, CodeTable, Division

SEED_DIR = ROOT / "seed"

CODE_TABLES = {
    # table name: (file, code column, name column, parent column, extra columns)
    "subject": ("subjects.csv", "code", "name", "parent_code", ()),
    "institution_category": (
        "institution_categories.csv", "code", "name", None, ("group", "verification_class")
    ),
    "economic_type": ("economic_types.csv", "code", "name", None, ()),
    "management_class": ("management_classes.csv", "code", "name", None, ()),
    "level": ("levels.csv", "code", "name", None, ()),
    "affiliation": ("affiliations.csv", "code", "name", None, ()),
    "physician_scope": ("physician_scopes.csv", "code", "name", "category", ("category_name",)),
}


def rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k.strip(): (v or "").strip() for k, v in row.items() if k}


def load_reference(seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Upsert divisions, administrations and code tables; returns row counts per table."""
    counts: dict[str, int] = {}
    divisions = sorted(rows(seed_dir / "divisions.csv"), key=lambda r: r["code"])
    existing = {d.code: d for d in db.session.scalars(select(Division))}
    # parents first, so foreign keys hold on every database
    for level in DIVISION_LEVELS:
        for row in (r for r in divisions if r["level"] == level):
            div = existing.get(row["code"]) or Division(code=row["code"])
            div.name, div.level = row["name"], row["level"]
            div.parent_code = row["parent_code"] or None
            db.session.add(div)
        db.session.flush()
    counts["division"] = len(divisions)

    admins = {a.division_code: a for a in db.session.scalars(select(Administration))}
    n = 0
    for row in rows(seed_dir / "administrations.csv"):
        admin = admins.get(row["division_code"]) or Administration(division_code=row["division_code"])
        admin.name, admin.level = row["name"], row["level"]
        db.session.add(admin)
        n += 1
    counts["administration"] = n

    for table, (filename, code_col, name_col, parent_col, extra_cols) in CODE_TABLES.items():
        current = {
            c.code: c for c in db.session.scalars(select(CodeTable).where(CodeTable.table == table))
        }
        n = 0
        for row in rows(seed_dir / filename):
            item = current.get(row[code_col]) or CodeTable(table=table, code=row[code_col])
            item.name = row[name_col]
            item.parent_code = (row.get(parent_col) or None) if parent_col else None
            item.extra = {c: row[c] for c in extra_cols} or None
            db.session.add(item)
            n += 1
        counts[table] = n
    db.session.commit()
    return counts


def as_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def as_decimal(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def as_int(value: str, default: int | None = None) -> int | None:
    return int(value) if value else default
