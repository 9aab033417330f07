"""Helpers of the designer's tests: a changed verification process deployed over REST."""
from __future__ import annotations

import io
from pathlib import Path

from service.designer.sources import forms_zip

ROOT = Path(__file__).resolve().parent.parent
I4 = (ROOT / "bpmn" / "institution_verification.bpmn").read_text(encoding="utf-8")
SUBMIT = 'name="填写并提交校验申请"'
RENAMED = 'name="提交年度校验申请"'


def i4_forms() -> dict:
    from service.engine.definitions import read_source

    return read_source(ROOT / "bpmn" / "institution_verification.bpmn")[0][2]


def post_definition(api, xml: str, forms: dict | None = None, **extra):
    data = {"bpmn": (io.BytesIO(xml.encode()), "institution_verification.bpmn"),
            "forms": (io.BytesIO(forms_zip(i4_forms() if forms is None else forms)), "forms.zip"),
            **extra}
    return api.post("/api/v1/processes", data=data, content_type="multipart/form-data")


def deploy_renamed(api) -> int:
    """Version 2 of I4 with the application task renamed; returns its version number."""
    response = post_definition(api, I4.replace(SUBMIT, RENAMED))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["version"]
