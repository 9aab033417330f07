"""State at a date (历史状态): the institution page and ``GET /api/v1/institutions/{id}?at=``
show the record as it stood at the end of a chosen Beijing day, from the versions kept."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import error_of, login
from sqlalchemy import update


def _rename(database, inst_id: int, name: str, at: datetime) -> None:
    """A change recorded at ``at`` (the version's valid_from moved to that moment)."""
    from service.institutions.face import Institution
    from service.registry.versioning import RecordVersion, change_context

    with database.session() as s, change_context(None, "名称变更"):
        s.get(Institution, inst_id).name = name
        s.commit()
        version = s.get(Institution, inst_id).version
        s.execute(update(RecordVersion).where(
            RecordVersion.entity == "institution", RecordVersion.entity_id == inst_id,
            RecordVersion.version == version).values(valid_from=at))
        s.execute(update(RecordVersion).where(
            RecordVersion.entity == "institution", RecordVersion.entity_id == inst_id,
            RecordVersion.version < version).values(valid_from=at - timedelta(days=400)))
        s.commit()


def test_the_api_answers_the_record_as_it_stood(api, database, demo):
    inst_id = demo.institution["inst.chaoyang2"]
    old = api("bj.chaoyang.wjw").get(f"/api/v1/institutions/{inst_id}").get_json()
    # 2026-03-10 07:00 in Beijing is still 9 March in UTC
    _rename(database, inst_id, "北京市朝阳区青枫社区卫生服务中心（新址）",
            datetime(2026, 3, 9, 23, 0, tzinfo=UTC))
    client = api("bj.chaoyang.wjw")
    before = client.get(f"/api/v1/institutions/{inst_id}?at=2026-03-09").get_json()
    assert before["name"] == old["name"] and before["version"] == old["version"]
    assert before["as_of"] == "2026-03-09" and before["issuing_authority"]["id"]
    on_the_day = client.get(f"/api/v1/institutions/{inst_id}?at=2026-03-10").get_json()
    assert on_the_day["name"].endswith("（新址）")
    assert client.get(f"/api/v1/institutions/{inst_id}").get_json()["name"].endswith("（新址）")

    never = client.get(f"/api/v1/institutions/{inst_id}?at=2000-01-01")
    assert never.status_code == 404 and "尚无该机构" in error_of(never)["message"]
    bad = client.get(f"/api/v1/institutions/{inst_id}?at=2026-13-01")
    assert bad.status_code == 400 and error_of(bad)["fields"]["at"]
    future = client.get(f"/api/v1/institutions/{inst_id}?at=2099-01-01")
    assert future.status_code == 400 and "晚于今天" in error_of(future)["message"]
    outside = api("cq.jiangbei.wjw").get(f"/api/v1/institutions/{inst_id}?at=2026-03-09")
    assert outside.status_code == 404


def test_the_page_shows_the_state_on_a_date(app, database, demo):
    inst_id = demo.institution["inst.chaoyang2"]
    _rename(database, inst_id, "青枫社区卫生服务中心（更名后）", datetime(2026, 3, 9, 23, 0, tzinfo=UTC))
    client = app.test_client()
    login(client, "bj.chaoyang.wjw")
    page = client.get(f"/institutions/{inst_id}?at=2026-03-09").get_data(as_text=True)
    assert "2026-03-09 当日结束时的登记信息" in page and "机构名称 *" in page
    assert "北京市朝阳区青枫社区卫生服务中心</dd>" in page
    bad = client.get(f"/institutions/{inst_id}?at=1999-01-01").get_data(as_text=True)
    assert "尚无该机构的登记记录" in bad
