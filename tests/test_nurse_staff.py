"""Nurses through the institutions' staff hook (``face.staff_source``, issue 13 items 5 and 6):
the cancellation of an institution (I6) lists its registered nurses for the administration; a
nurse whose registration expired is not among them (nor on the verification roster)."""
from __future__ import annotations

from lifecycle_flow import Business
from sqlalchemy import select


def test_an_institutions_cancellation_lists_its_registered_nurses(api, demo, database):
    from service.notify.models import Notification

    flow = Business("institution_cancellation", api("bj.chaoyang.clerk"), api("bj.chaoyang.clerk"),
                    api("bj.chaoyang.wjw"))
    flow.through(demo.institution["inst.chaoyang1"], {"ground": "revocation",
                                                      "reason": "被吊销执业许可证"})
    body = database.scalars(select(Notification.body).where(
        Notification.subject == "医疗机构已注销：请处理其执业人员"))[-1]
    assert "李薇（201211465800）" in body and "马晶" in body  # registered nurses
    assert "韩悦" not in body  # her registration expired in 2025
