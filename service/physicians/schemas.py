"""marshmallow schemas of physicians in v1 answers (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields

from service.core.masking import mask_id, mask_phone


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
