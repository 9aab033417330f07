"""Nurses through the institutions' staff hook (``face.staff_source``, issue 13 items 5 and 6):
the cancellation of an institution (I6) lists its registered nurses for the administration; a
nurse whose registration expired is not among them (nor on the verification roster)."""
from __future__ import annotations

from lifecycle_flow import Business
from sqlalchemy import select


def test_an_institutions_cancellation_lists_its_registered_nurses(api, demo, database):
    from service.engine.models import Case

    inst = demo.institution["inst.chaoyang1"]
    flow = Business("institution_cancellation", api("bj.chaoyang.clerk"), api("bj.chaoyang.clerk"),
                    api("bj.chaoyang.wjw"))
    flow.through(inst, {"ground": "revocation", "reason": "被吊销执业许可证"})
    # each registered person becomes a filing task (注册备案) of the issuing authority
    titles = " ".join(database.scalars(select(Case.title).where(
        Case.process_id == "staff_filing", Case.subject_institution_id == inst)))
    assert "李薇（护士，证书编号 201211465800）" in titles and "马晶（护士" in titles
    assert "韩悦" not in titles  # her registration expired in 2025
