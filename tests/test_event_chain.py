"""The keyed event chain: an attacker with the database but without EVENT_CHAIN_KEY can
neither forge an event (recomputing every plain hash) nor cut the history short unseen;
histories written before the chain was keyed keep verifying."""
from __future__ import annotations

import hashlib

from conftest import logged_in
from sqlalchemy import delete, func, select, update
from verification_flow import Verification

from service.engine.events import GENESIS, canonical_body


def _flow(api, demo) -> Verification:
    flow = Verification(api("inst.chaoyang1"), api("bj.chaoyang.wjw"))
    flow.start(demo.institution["inst.chaoyang1"])
    flow.submit()
    flow.review("return", "请补充材料")
    flow.submit()
    return flow


def _rechain_with_sha256(s, case_id: int, edit=None) -> str:
    """What an attacker without the key can do: rewrite events and recompute every hash."""
    from service.engine.models import CaseEvent

    prev = GENESIS
    for event in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                           .order_by(CaseEvent.seq)).all():
        data = edit(event) if edit else event.data
        digest = hashlib.sha256(canonical_body(case_id, event.seq, event.type, event.task,
                                               event.actor_id, event.at, data, prev)).hexdigest()
        s.execute(update(CaseEvent).where(CaseEvent.id == event.id).values(
            data=data, prev_hash=prev, hash=digest))
        prev = digest
    return prev


def _forge_comment(event):
    if event.task != "material_review":
        return event.data
    return {**event.data, "form": {**event.data["form"], "comment": "伪造的意见"}}


def test_a_forged_comment_with_recomputed_hashes_is_reported(api, demo, database, new_client):
    from service.engine.models import Case

    flow = _flow(api, demo)
    assert flow.replay()["ok"] is True
    with database.session() as s:
        last = _rechain_with_sha256(s, flow.case_id, _forge_comment)
        s.execute(update(Case).where(Case.id == flow.case_id).values(last_hash=last))
        s.commit()
    result = flow.replay()
    assert result["ok"] is False and "记录已被改动" in result["detail"]
    auditor = logged_in(new_client(), "auditor")
    panel = auditor.get(f"/cases/{flow.case_id}/audit").get_data(as_text=True)
    assert "哈希链校验未通过" in panel and "记录已被改动" in panel


def test_a_deleted_last_event_with_the_case_adjusted_is_reported(api, demo, database, new_client):
    from service.engine.models import Case, CaseEvent

    flow = _flow(api, demo)
    with database.session() as s:
        last = s.scalar(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == flow.case_id))
        previous = s.scalar(select(CaseEvent.hash).where(
            CaseEvent.case_id == flow.case_id, CaseEvent.seq == last - 1))
        s.execute(delete(CaseEvent).where(CaseEvent.case_id == flow.case_id, CaseEvent.seq == last))
        s.execute(update(Case).where(Case.id == flow.case_id).values(
            event_count=last - 1, last_hash=previous))
        s.commit()
    result = flow.replay()
    assert result["ok"] is False and "封签" in result["detail"]
    auditor = logged_in(new_client(), "auditor")
    panel = auditor.get(f"/cases/{flow.case_id}/audit").get_data(as_text=True)
    assert "哈希链校验未通过" in panel and "封签" in panel


def test_a_history_from_before_the_key_keeps_verifying_and_grows_keyed(app, api, demo, database):
    from service.engine.events import current_key, seal_legacy_chains, verify_chain
    from service.engine.models import Case

    flow = _flow(api, demo)
    with database.session() as s:  # as the history was before the chain was keyed
        last = _rechain_with_sha256(s, flow.case_id)
        s.execute(update(Case).where(Case.id == flow.case_id).values(
            last_hash=last, chain_legacy_events=0, chain_seal=None))
        s.commit()
        assert verify_chain(s.get(Case, flow.case_id))  # unkeyed and unsealed: reported
        sealed, broken = seal_legacy_chains(s.connection(), current_key())
        s.commit()
        assert sealed >= 1
        case = s.get(Case, flow.case_id)
        s.refresh(case)
        assert case.chain_legacy_events == case.event_count and verify_chain(case) == []
    assert flow.replay()["ok"] is True
    flow.review("approve")  # the next event is keyed, after the sealed legacy ones
    assert flow.replay()["ok"] is True
    with database.session() as s:  # a downgrade of the legacy count breaks the seal
        s.execute(update(Case).where(Case.id == flow.case_id).values(chain_legacy_events=99))
        s.commit()
    assert flow.replay()["ok"] is False


def test_events_verify_with_a_retired_key_after_rotation(app, api, demo):
    flow = _flow(api, demo)
    old = app.config["EVENT_CHAIN_KEY"]
    app.config.update(EVENT_CHAIN_KEY="rotated-key", EVENT_CHAIN_OLD_KEYS=(old,))
    try:
        assert flow.replay()["ok"] is True  # the seal and events under the retired key
        flow.review("approve")
        assert flow.replay()["ok"] is True
        app.config["EVENT_CHAIN_OLD_KEYS"] = ()
        assert flow.replay()["ok"] is False  # the retired key is still needed for old events
    finally:
        app.config.update(EVENT_CHAIN_KEY=old, EVENT_CHAIN_OLD_KEYS=())
