"""Demo data of the integration: the account the national registry simulator acts as."""
from __future__ import annotations

import secrets

from service.access.models import Account
from service.access.passwords import hash_password
from service.core.extensions import db
from service.integration.clients import ROLE
from service.integration.national import SIMULATOR_ACCOUNT


def load() -> int:
    db.session.add(Account(
        username=SIMULATOR_ACCOUNT, display_name="全国医疗机构与医师注册系统（模拟）", kind="staff",
        roles=[ROLE], password_hash=hash_password(secrets.token_urlsafe(32))))
    return 1
