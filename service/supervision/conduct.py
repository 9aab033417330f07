"""A scored person's demerit record for the physician verification (``persons/conduct.py``):
the points of the rolling 12 months and the submitted reports behind them."""
from __future__ import annotations

from sqlalchemy import select

from service.core.extensions import db
from service.persons.conduct import ConductRecord, source
from service.supervision.demerit import cycle_of, cycle_start, points_in_cycle
from service.supervision.inspection import beijing_today
from service.supervision.models import DemeritReport, ScoredPerson


@source
def demerit_record(id_number: str) -> list[ConductRecord]:
    person = db.session.scalars(select(ScoredPerson).where(
        ScoredPerson.id_number == id_number)).first()
    if person is None:
        return []
    today, cycle = beijing_today(), cycle_of(person.unit.province_code)
    since = cycle_start(today, cycle)
    reports = db.session.scalars(select(DemeritReport).where(
        DemeritReport.person_id == person.id, DemeritReport.status == "submitted",
        DemeritReport.scored_on >= since)
        .order_by(DemeritReport.scored_on.desc(), DemeritReport.id.desc())).all()
    points = points_in_cycle(person.id, today, cycle)
    return [ConductRecord(
        title="不良执业记分", points=points,
        summary=f"本记分周期（{since:%Y-%m-%d} 起）累计记分 {points} 分",
        entries=[{"date": r.scored_on.isoformat(), "points": r.points, "institution": r.unit.name}
                 for r in reports])]
