"""Reference data loaded from ``seed/``: divisions, administrations and code tables."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.extensions import db

DIVISION_LEVELS = ("province", "prefecture", "county")
ADMIN_LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级"}


class Division(db.Model):
    """A GB/T 2260 administrative division."""

    __tablename__ = "division"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("division.code"), index=True)

    parent: Mapped[Division | None] = relationship(remote_side=[code])

    @property
    def full_name(self) -> str:
        parts, node = [], self
        while node is not None:
            if node.name not in ("市辖区", "县"):
                parts.append(node.name)
            node = node.parent
        return "".join(reversed(parts))


class Administration(db.Model):
    """A health administration (卫生健康委) at province, city or county level."""

    __tablename__ = "administration"
    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(12))
    # where and when applicants are received (printed on notices); kept by its account manager
    counter_address: Mapped[str | None] = mapped_column(String(200))
    office_hours: Mapped[str | None] = mapped_column(String(120))

    division: Mapped[Division] = relationship()

    @property
    def level_name(self) -> str:
        return ADMIN_LEVEL_NAMES.get(self.level, self.level)

    def covers(self, county_code: str) -> bool:
        """Whether a county-level division lies in this administration's jurisdiction."""
        code = self.division_code
        if self.level == "province":
            return county_code[:2] == code[:2]
        if self.level == "city":
            return county_code[:4] == code[:4]
        return county_code == code


class CodeTable(db.Model):
    """Small code tables (subject catalogue, categories, economic types, levels, ...)."""

    __tablename__ = "code_item"
    table: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    parent_code: Mapped[str | None] = mapped_column(String(16))
    extra: Mapped[dict | None] = mapped_column(db.JSON)
