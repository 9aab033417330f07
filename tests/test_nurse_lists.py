"""The institution's nurses (issue 13 items 4 and 6): lists of registered, expiring, expired
and filed nurses with an expired nurse visibly flagged; the daily job reminds the nurse and her
institution 60 and 30 days before expiry and flags an expired registration, which then leaves
the verification roster."""
from __future__ import annotations

from datetime import date, timedelta

from conftest import logged_in
from sqlalchemy import select


def _registration(database, nurse_name: str):
    from service.nurses.models import Nurse, NurseRegistration

    with database.session() as s:
        reg = s.scalars(select(NurseRegistration).join(Nurse).where(Nurse.name == nurse_name)).one()
        return reg.id, reg.valid_to, reg.status


def _inbox(database, username: str) -> list[str]:
    from service.access.models import Account
    from service.notify.models import Notification

    return [n.body for n in database.scalars(
        select(Notification).join(Account, Account.id == Notification.account_id)
        .where(Account.username == username, Notification.channel == "inbox",
               Notification.subject.like("护士执业注册%")).order_by(Notification.id))]


def _run_clock(app, day: date) -> None:
    from service.jobs.periodic import send_reminders

    with app.app_context():
        send_reminders.fn(day.isoformat())


def test_the_clock_reminds_at_sixty_and_thirty_days_then_flags_the_expired(app, database):
    # 李薇 (nurse.demo) is registered at inst.chaoyang1 until 2029-06-30
    _, valid_to, _ = _registration(database, "李薇")
    _run_clock(app, valid_to - timedelta(days=61))
    assert _inbox(database, "nurse.demo") == []
    _run_clock(app, valid_to - timedelta(days=60))
    _run_clock(app, valid_to - timedelta(days=59))  # the next day repeats nothing
    assert len(_inbox(database, "nurse.demo")) == 1 and "还有 60 天" in _inbox(database, "nurse.demo")[0]
    assert any("李薇" in b and "还有 60 天" in b for b in _inbox(database, "inst.chaoyang1"))
    _run_clock(app, valid_to - timedelta(days=30))
    assert "还有 30 天" in _inbox(database, "nurse.demo")[-1]
    assert len(_inbox(database, "nurse.demo")) == 2
    _run_clock(app, valid_to + timedelta(days=1))
    assert _registration(database, "李薇")[2] == "expired"
    assert "已过期" in _inbox(database, "nurse.demo")[-1]
    assert any("李薇" in b and "已过期" in b for b in _inbox(database, "inst.chaoyang1"))


def test_an_expired_nurse_is_not_on_the_roster(app, database, demo):
    from service.institutions.face import staff_of
    from service.nurses.models import Nurse

    inst = demo.institution["inst.chaoyang1"]
    with app.app_context():
        names = [m.name for m in staff_of(inst) if m.kind == "nurse"]
    assert "李薇" in names and "韩悦" not in names  # 韩悦's registration expired in 2025
    with database.session() as s:  # past its last day, before the daily job flagged it
        nurse = s.scalars(select(Nurse).where(Nurse.name == "李薇")).one()
        nurse.valid_until = date.today() - timedelta(days=2)
        s.commit()
    with app.app_context():
        assert "李薇" not in [m.name for m in staff_of(inst) if m.kind == "nurse"]


def test_the_institution_lists_its_nurses_with_the_expired_flagged(new_client):
    client = logged_in(new_client(), "inst.chaoyang1")
    registered = client.get("/institution/nurses").get_data(as_text=True)
    assert "李薇" in registered and "韩悦" not in registered
    expired = client.get("/institution/nurses?list=expired")
    page = expired.get_data(as_text=True)
    assert expired.status_code == 200 and "韩悦" in page and "注册已过期" in page
    assert 'class="expired"' in page and "李薇" not in page
    assert "11010519941127****" not in page and "110111********3160" in page  # masked
    assert "朱红" not in client.get("/institution/nurses?list=filed").get_data(as_text=True)


def test_only_institutions_see_the_nurse_lists(new_client):
    client = logged_in(new_client(), "bj.chaoyang.wjw")
    assert client.get("/institution/nurses").status_code == 404
