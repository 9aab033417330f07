"""Columns every persons' domain's qualification record holds."""
from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class IdentityColumns:
    """Name, gender, birth date and resident ID, as the national records hold them."""

    name: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date]
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
