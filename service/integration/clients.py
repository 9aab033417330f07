"""API clients of other systems: an account bound to an organisation, holding one long-lived
token with the scopes it was granted (api.md); revocable; its last use is kept on the token."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from service.access.login import issue_token
from service.access.models import Account
from service.access.passwords import hash_password
from service.api.v1.common import CLIENT_TOKEN
from service.api.v1.scopes import GRANTABLE
from service.core.errors import ApiError
from service.core.extensions import db
from service.core.times import utcnow
from service.institutions.face import Institution
from service.integration.models import ApiClient
from service.registry.reference import Administration

ROLE = "api_client"
KINDS = {"administration": Administration, "institution": Institution}


def create(actor: Account, name: str, organisation_kind: str, organisation_id: int,
           scopes: list[str], days: int) -> tuple[ApiClient, str]:
    """A new client and its token (the plain token is returned once, never stored)."""
    unknown = sorted(set(scopes) - set(GRANTABLE))
    if unknown:
        raise ApiError(422, fields={"scopes": [f"未知的权限范围：{'、'.join(unknown)}"]})
    organisation = db.session.get(KINDS[organisation_kind], organisation_id)
    if organisation is None:
        raise ApiError(422, fields={"organisation_id": ["未找到该机构或卫生行政部门"]})
    account = Account(
        username=f"client.{secrets.token_hex(6)}", display_name=name[:80], kind=organisation_kind,
        roles=[ROLE], password_hash=hash_password(secrets.token_urlsafe(32)),
        created_by_id=actor.id, **{f"{organisation_kind}_id": organisation.id})
    db.session.add(account)
    db.session.flush()
    plain, token = issue_token(account, name=CLIENT_TOKEN, scopes=sorted(set(scopes)),
                               ttl=timedelta(days=days))
    client = ApiClient(name=name, account_id=account.id, token_id=token.id, created_by_id=actor.id)
    db.session.add(client)
    db.session.flush()
    return client, plain


def revoke(client: ApiClient) -> None:
    """The token stops working at once; the account is disabled with it."""
    if client.token.revoked_at is None:
        client.token.revoked_at = utcnow()
    client.account.is_enabled = False


def all_clients() -> list[ApiClient]:
    return list(db.session.scalars(select(ApiClient).order_by(ApiClient.id)))
