"""marshmallow schemas for v1 answers (also the source of the OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields

from ...masking import mask_id, mask_phone


class InstitutionSchema(Schema):
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
    registered_capital = fields.Decimal(as_string=True, allow_none=True)
    service_mode = fields.String(allow_none=True)
    beds = fields.Integer()
    dental_chairs = fields.Integer()
    floor_area = fields.Decimal(as_string=True, allow_none=True)
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


class VersionSchema(Schema):
    version = fields.Integer()
    valid_from = fields.DateTime()
    changed = fields.List(fields.String())
    reason = fields.String()
    actor = fields.Function(lambda v: v.actor.username if v.actor else None)
    case_id = fields.Integer(allow_none=True)
    data = fields.Dict()


class RegistrationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    institution_id = fields.Integer()
    category = fields.String()
    level = fields.String()  # physician / assistant
    scope = fields.String()
    location = fields.String(attribute="location_code")
    certificate_number = fields.String(allow_none=True)
    status = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)  # why it is no longer active


class QualificationSchema(Schema):
    certificate_number = fields.String()
    category = fields.String()
    level = fields.String()
    year = fields.Integer()


class PhysicianSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    gender = fields.String()
    id_number = fields.Function(lambda p: mask_id(p.id_number))
    certificate_number = fields.String(allow_none=True)
    phone = fields.Function(lambda p: mask_phone(p.phone))
    title = fields.String(allow_none=True)
    qualification = fields.Nested(QualificationSchema)
    registrations = fields.List(fields.Nested(RegistrationSchema))


class NurseSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    gender = fields.String()
    id_number = fields.Function(lambda n: mask_id(n.id_number))
    certificate_number = fields.String(allow_none=True)
    institution_id = fields.Integer(allow_none=True)
    registered_on = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    status = fields.String()
