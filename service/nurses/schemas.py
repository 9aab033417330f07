"""marshmallow schemas of nurses in v1 answers (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields

from service.core.masking import mask_id

# one registration as the nurse's answer nests it
NurseRegistrationSchema = Schema.from_dict({
    "id": fields.Integer(), "institution_id": fields.Integer(),
    "institution_name": fields.Function(lambda r: r.institution.name),
    "certificate_number": fields.String(), "valid_from": fields.Date(),
    "valid_to": fields.Date(), "status": fields.String(), "status_name": fields.String(),
    "end_reason": fields.String(allow_none=True),
}, name="NurseRegistrationSchema")


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
    registrations = fields.List(fields.Nested(NurseRegistrationSchema))
