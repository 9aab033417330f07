"""Conduct records of a health worker kept by other domains, by resident ID: the demerit
record of seed 004's scoring shows on the institution's physician verification (医师信用验证,
seed 003). The domain that keeps a record registers a source; the lookups read every source.
Sibling domains thus meet here without importing each other."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

_SOURCES: list[Callable[[str], list[ConductRecord]]] = []


@dataclass(frozen=True)
class ConductRecord:
    """One domain's summary about a person: what it is, the points in the current cycle, the
    entries behind them (date, points, institution, what)."""

    title: str
    summary: str
    points: int | None = None
    entries: list[dict] = field(default_factory=list)


def source(fn: Callable[[str], list[ConductRecord]]) -> Callable[[str], list[ConductRecord]]:
    """Register a source: (normalised resident ID) -> the records it holds about her."""
    _SOURCES.append(fn)
    return fn


def records(id_number: str) -> list[ConductRecord]:
    return [r for fn in _SOURCES for r in fn(id_number)]
