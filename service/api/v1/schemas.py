"""marshmallow schemas every domain's answers share (also OpenAPI components)."""
from __future__ import annotations

from marshmallow import Schema, fields


class VersionSchema(Schema):
    version = fields.Integer()
    valid_from = fields.DateTime()
    changed = fields.List(fields.String())
    reason = fields.String()
    actor = fields.Function(lambda v: v.actor.username if v.actor else None)
    case_id = fields.Integer(allow_none=True)
    data = fields.Dict()
