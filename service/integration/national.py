"""The national registry's acknowledgement (``national_ack``): registration (I2) and physician
registration (P1) wait on this BPMN message after approval; the e-licence is released, and
the physician's case ends, when it comes.

Correlation: ``{"registration_number": ...}`` names the institution's 登记号 or the
physician's 执业证书编码. In the embedded default (and wherever
``NATIONAL_REGISTRY_SIMULATOR`` is on) a simulator plays the national registry: shortly after
a registration is committed it acknowledges it through the same door a real registry uses,
as the API client ``national.registry``.
"""
from __future__ import annotations

import logging
import secrets
import uuid

import dramatiq
from flask import current_app
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from service.access.models import Account
from service.access.passwords import hash_password
from service.core.errors import ApiError
from service.core.extensions import db
from service.engine import plugins, runtime
from service.engine.models import Case
from service.institutions.face import Institution
from service.jobs import broker
from service.physicians.models import Physician

log = logging.getLogger(__name__)
MESSAGE = "national_ack"
SIMULATOR_ACCOUNT = "national.registry"
SIMULATOR_NAME = "全国医疗机构与医师注册系统（模拟）"


@plugins.correlation("registration_number")
def by_registration_number(value: str):
    """The cases about the institution or physician holding this number."""
    return or_(
        Case.subject_institution_id.in_(
            select(Institution.id).where(Institution.registration_number == value)),
        Case.subject_physician_id.in_(
            select(Physician.id).where(Physician.certificate_number == value)),
    )


def expect_ack(session: Session, number: str) -> None:
    """A registration numbered in this transaction: the simulator acknowledges it after commit."""
    if current_app.config["NATIONAL_REGISTRY_SIMULATOR"]:
        session.info.setdefault("national_acks", []).append(number)


@event.listens_for(Session, "after_commit")
def _ack_after_commit(session: Session) -> None:
    for number in session.info.pop("national_acks", []):
        try:
            simulate_ack.send_with_options(
                args=(number,), delay=current_app.config["NATIONAL_REGISTRY_SIMULATOR_DELAY_MS"])
        except Exception as exc:  # the simulator is a convenience: never fail the write
            log.warning("national registry simulator not enqueued (%s)", type(exc).__name__)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("national_acks", None)


def simulator_account() -> Account:
    """The account the simulator acts as (demo data creates it; an instance whose demo data
    predates the simulator gets it on first use, committed with the acknowledgement)."""
    actor = db.session.scalar(select(Account).where(Account.username == SIMULATOR_ACCOUNT))
    if actor is None:
        actor = Account(username=SIMULATOR_ACCOUNT, display_name=SIMULATOR_NAME, kind="staff",
                        roles=["api_client"],
                        password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(actor)
        db.session.flush()
    return actor


@dramatiq.actor(broker=broker, queue_name="webhooks", max_retries=3, min_backoff=1000)
def simulate_ack(number: str) -> None:
    """The simulated national registry acknowledges registration ``number``."""
    actor = simulator_account()
    waiting = runtime.correlated_cases(MESSAGE, {"registration_number": number},
                                       Case.id.is_not(None))
    for case in waiting:
        try:
            runtime.deliver_message(actor, case, MESSAGE, {
                "ack_id": str(uuid.uuid4()), "registration_number": number, "simulated": True})
        except ApiError as exc:  # moved meanwhile (a real acknowledgement came first)
            log.info("national registry simulator: case %s not acknowledged (%s)", case.id, exc)
