"""marshmallow schemas of institutions in v1 answers (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields


class InstitutionSchema(Schema):
    licence_verify_code = fields.Function(lambda i: _verify_code(i.id))
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String(allow_none=True)
    registration_number = fields.String(allow_none=True)
    category_code = fields.String()
    economic_type_code = fields.String()
    management_class = fields.String()
    level_code = fields.String(allow_none=True)
    affiliation_code = fields.String(allow_none=True)
    address = fields.String()
    postal_code = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    fax = fields.String(allow_none=True)
    legal_representative = fields.String()
    principal = fields.String(allow_none=True)
    # decimals travel as strings (no float rounding); the document must say so
    registered_capital = fields.Decimal(as_string=True, allow_none=True,
                                        metadata={"type": "string", "format": "decimal"})
    service_mode = fields.String(allow_none=True)
    beds = fields.Integer()
    dental_chairs = fields.Integer()
    floor_area = fields.Decimal(as_string=True, allow_none=True,
                                metadata={"type": "string", "format": "decimal"})
    staff_count = fields.Integer(allow_none=True)
    subjects = fields.Function(lambda i: i.subject_codes)
    division_code = fields.String()
    issuing_authority = fields.Function(
        lambda i: {"id": i.issuing_authority.id, "name": i.issuing_authority.name}
    )
    licence_valid_from = fields.Date(allow_none=True)
    licence_valid_to = fields.Date(allow_none=True)
    is_filed_clinic = fields.Boolean()
    status = fields.String()
    licence_overdue = fields.Boolean(metadata={"description": "the licence expired without renewal"})
    verification_due = fields.Date(allow_none=True)
    version = fields.Integer()


class InstitutionSummarySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    registration_number = fields.String(allow_none=True)
    category_code = fields.String()
    legal_representative = fields.String()
    address = fields.String()
    beds = fields.Integer()
    division_code = fields.String()
    issuing_authority_id = fields.Integer()
    status = fields.String()
    licence_overdue = fields.Boolean(metadata={"description": "the licence expired without renewal"})


def _verify_code(institution_id: int) -> str | None:
    from service.institutions.licences import current

    licence = current(institution_id)
    return licence.verify_code if licence else None
