"""Background work: reminders three months before verification falls due, timers fired by the
periodic job, and outbox messages delivered by a dramatiq worker."""
from __future__ import annotations

from datetime import date, timedelta

from conftest import run_worker
from sqlalchemy import select, update


def test_institutions_are_reminded_once_three_months_before_verification_falls_due(app, database):
    from service.access.models import Account
    from service.institutions.face import Institution
    from service.institutions.reminders import ReminderLog, verification_reminders
    from service.notify.models import Notification

    today = date(2026, 11, 21)
    with app.app_context():
        sent = verification_reminders(today)
    logged = database.scalars(select(ReminderLog))
    assert sent == len(logged) > 0
    reminded = database.scalars(select(Institution).where(
        Institution.id.in_([r.institution_id for r in logged])))
    assert all(today <= i.verification_due <= date(2027, 2, 21) for i in reminded)
    assert not any(i.is_filed_clinic or i.status == "cancelled" for i in reminded)
    # every active institution falling due in the window was reminded
    expected = database.scalars(select(Institution.id).where(
        Institution.verification_due.between(today, date(2027, 2, 21)),
        Institution.is_filed_clinic.is_(False), Institution.status.in_(("active", "deferred"))))
    assert sorted(r.institution_id for r in logged) == sorted(expected)
    # the institutions' accounts got the message in their inbox
    notes = database.scalars(select(Notification).where(Notification.subject == "校验提醒"))
    accounts = database.scalars(select(Account).where(Account.id.in_([n.account_id for n in notes])))
    assert {a.institution_id for a in accounts} <= {r.institution_id for r in logged}
    with app.app_context():
        assert verification_reminders(today) == 0  # the next day's run repeats nothing
        assert verification_reminders(today + timedelta(days=1)) == 0


def test_a_filed_clinic_is_never_reminded(app, database, demo):
    from service.institutions.face import Institution
    from service.institutions.reminders import ReminderLog, verification_reminders

    with database.session() as s:
        s.execute(update(Institution).where(Institution.id == demo.institution["inst.chaoyang2"])
                  .values(is_filed_clinic=True, verification_due=date(2026, 12, 1)))
        s.commit()
    with app.app_context():
        verification_reminders(date(2026, 11, 21))
    assert demo.institution["inst.chaoyang2"] not in [
        r.institution_id for r in database.scalars(select(ReminderLog))]


def test_the_outbox_is_delivered_by_a_worker(app, database):
    from service.jobs.notifications import send_notification
    from service.notify import outbox
    from service.notify.models import Notification

    with app.app_context():
        message = outbox.queue("sms", "测试", "您的验证码为 123456", address="15112340658")
        from service.core.extensions import db

        db.session.commit()  # the after-commit hook enqueues delivery
        message_id = message.id
    # only the notification queue: other tests' jobs (imports, prints, webhooks) are not ours
    run_worker(send_notification.queue_name, timeout_ms=10_000)
    delivered = database.scalar(select(Notification).where(Notification.id == message_id))
    assert delivered.status == "sent" and delivered.sent_at is not None and delivered.attempts == 1


def test_a_rolled_back_transaction_sends_nothing(app, database):
    from service.jobs import broker
    from service.jobs.notifications import send_notification
    from service.notify import outbox

    with app.app_context():
        from service.core.extensions import db

        outbox.queue("sms", "不会发送", "x", address="15112340658")
        db.session.rollback()
        db.session.commit()  # a later commit must not send what was rolled back
    assert broker.queues[send_notification.queue_name].qsize() == 0


def test_a_broker_down_at_commit_keeps_the_write_and_the_outbox_sweep_delivers_it(
        app, database, monkeypatch):
    import redis
    from sqlalchemy import update

    from service.core.extensions import db
    from service.jobs import broker, notifications
    from service.notify import outbox
    from service.notify.models import Notification

    def refused(*_args, **_kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    queue = notifications.send_notification.queue_name
    monkeypatch.setattr(notifications.send_notification, "send", refused)
    with app.app_context():
        message = outbox.queue("sms", "测试", "您的验证码为 654321", address="15112340658")
        db.session.commit()  # the write stands although its delivery could not be enqueued
        message_id = message.id
    monkeypatch.undo()
    assert database.scalar(select(Notification.status).where(
        Notification.id == message_id)) == "pending"
    with app.app_context():
        notifications.sweep_outbox.fn()  # too young: its delivery may still be in flight
    assert broker.queues[queue].qsize() == 0
    with database.session() as s:
        queued = s.get(Notification, message_id).created_at
        s.execute(update(Notification).where(Notification.id == message_id).values(
            created_at=queued - notifications.SWEEP_AFTER - timedelta(seconds=1)))
        s.commit()
    with app.app_context():
        notifications.sweep_outbox.fn()
    run_worker(queue, timeout_ms=10_000)
    delivered = database.scalar(select(Notification).where(Notification.id == message_id))
    assert delivered.status == "sent" and delivered.attempts == 1


def test_the_clock_enqueues_the_outbox_sweep_with_the_timers(app):
    import threading
    import time

    import dramatiq

    from service.jobs import broker
    from service.jobs.notifications import sweep_outbox
    from service.jobs.periodic import run_clock

    stop = threading.Event()
    clock = threading.Thread(target=run_clock, args=(stop,), daemon=True)
    clock.start()
    deadline = time.monotonic() + 10
    while broker.queues[sweep_outbox.queue_name].qsize() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    clock.join(timeout=10)
    names = [dramatiq.Message.decode(m).actor_name
             for m in broker.queues[sweep_outbox.queue_name].queue]
    assert "sweep_outbox" in names
