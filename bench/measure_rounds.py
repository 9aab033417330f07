"""A step on correction round N (20 at full scale) vs round 1 of the same case.

Each sample case is returned for correction N - 1 times; in every round the institution's
resubmission and the bureau's review are timed (from an empty session, as in ``step``). The
floor of round N is round 1 of the same cases; the state size is recorded for both.
"""
from __future__ import annotations

from sqlalchemy import func, select

from service.access.models import Account
from service.core.extensions import db
from service.engine.models import Case, CaseEvent

from . import cases
from .context import Context, Timing
from .report import Result, percentile

TARGET_RATIO = 1.5
RETURN = {"decision": "return", "comment": "请补充材料并加盖公章"}


def run(ctx: Context) -> list[Result]:
    rounds, samples = ctx.scale.rounds, ctx.scale.round_samples
    review = {1: Timing(), rounds: Timing()}
    submit = {1: Timing(), rounds: Timing()}
    sizes: dict[int, list[int]] = {1: [], rounds: []}
    events = 0
    with ctx.app.app_context():
        actors = cases.Actors.demo()
        inst_id, bureau_id = actors.institution.id, actors.bureau.id
        with ctx.profiled("rounds"):
            for _ in range(samples):
                db.session.remove()
                case_id = cases.start(cases.Actors.demo())
                for round_ in range(1, rounds + 1):
                    timed = round_ in (1, rounds)
                    db.session.remove()
                    data = cases.application(db.session.get(Account, inst_id),
                                             db.session.get(Case, case_id), round_)
                    db.session.commit()
                    cases.complete_fresh(inst_id, case_id, data,
                                         submit[round_] if timed else None)
                    if timed:
                        sizes[round_].append(len(db.session.get(Case, case_id).state))
                    decision = RETURN if round_ < rounds else cases.REVIEW_APPROVE
                    cases.complete_fresh(bureau_id, case_id, dict(decision),
                                         review[round_] if timed else None)
                events = db.session.scalar(select(func.count()).where(
                    CaseEvent.case_id == case_id))
        db.session.remove()
    last = rounds
    details = {"state_bytes_round_1": max(sizes[1]), f"state_bytes_round_{last}": max(sizes[last]),
               "events_per_case": events}
    out = []
    for name, timing in (("review", review), ("resubmission", submit)):
        value, floor = percentile(timing[last].wall, 50), percentile(timing[1].wall, 50)
        out.append(Result(
            "rounds", f"{name} step, round {last} p50", value * 1000, "ms", floor * 1000,
            "round 1 p50", f"≤ {TARGET_RATIO:g}× round 1", value / floor <= TARGET_RATIO,
            samples=samples, details=details))
    return out
