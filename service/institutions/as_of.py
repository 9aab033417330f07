"""An institution as it stood on a chosen date (历史状态), from the versions kept today."""
from __future__ import annotations

from datetime import date

from service.core.errors import ApiError
from service.core.extensions import db
from service.institutions.models import FIELD_LABELS, Institution
from service.registry.reference import Administration
from service.registry.versioning import RecordVersion, parse_day, state_on

HIDDEN = {"id", "version"}


def day_from(raw: str | None) -> date | None:
    """The ``at`` argument; 400 with the Chinese reason when it is not a usable date."""
    try:
        return parse_day(raw)
    except ValueError as exc:
        raise ApiError(400, str(exc), fields={"at": [str(exc)]}) from None


def version_on(inst: Institution, day: date) -> RecordVersion:
    """The version in force on ``day``; 404 when the institution was not registered yet."""
    version = state_on("institution", inst.id, day)
    if version is None:
        raise ApiError(404, f"{day.isoformat()} 时尚无该机构的登记记录", code="not_registered_yet")
    return version


def api_body(version: RecordVersion, day: date) -> dict:
    """The REST shape of an institution (as ``InstitutionSchema``) from a version's data."""
    data = {k: v for k, v in version.data.items() if k != "issuing_authority_id"}
    authority = db.session.get(Administration, version.data.get("issuing_authority_id"))
    data.update(
        id=version.entity_id, version=version.version,
        issuing_authority={"id": authority.id, "name": authority.name} if authority else None,
        as_of=day.isoformat(), valid_from=version.valid_from.isoformat())
    return data


def page_rows(version: RecordVersion, current: Institution) -> list[tuple[str, object, bool]]:
    """(label, value then, differs from today) for the page."""
    now = current.snapshot()
    return [(FIELD_LABELS.get(k, k), v, now.get(k) != v)
            for k, v in version.data.items() if k not in HIDDEN]
