"""A definition as a designer hands it in: the BPMN text and its forms, from an upload (a
``.bpmn`` file and a zip of the form files) or from the modeler page (JSON)."""
from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from service.engine.definitions import DefinitionError

MAX_BPMN_BYTES = 2 * 1024 * 1024
MAX_FORM_FILES = 100
MAX_FORMS_BYTES = 4 * 1024 * 1024
FORM_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,115}\.json$")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class Source:
    process_id: str
    bpmn_xml: str
    forms: dict
    filename: str


def _executable_process(bpmn_xml: str) -> str:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(bpmn_xml.encode(), parser)
    except etree.XMLSyntaxError as exc:
        raise DefinitionError({"bpmn": [f"BPMN 文件不是有效的 XML：{exc}"]}) from None
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise DefinitionError({"bpmn": ["不是 BPMN 2.0 文件：根元素不是 bpmn:definitions"]})
    ids = [p.get("id") for p in root.findall(f"{{{BPMN_NS}}}process")
           if p.get("isExecutable", "true") != "false"]
    if len(ids) != 1:
        raise DefinitionError({"bpmn": [f"文件须恰好包含一个可执行流程（现有 {len(ids)} 个）"]})
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", ids[0] or ""):
        raise DefinitionError({"bpmn": ["流程标识须为小写字母开头的 snake_case（不超过 64 个字符）"]})
    return ids[0]


def _form(name: str, text: str | bytes) -> dict:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DefinitionError({f"forms/{name}": [f"不是有效的 JSON：{exc}"]}) from None


def _check_form_names(names: list[str]) -> None:
    bad = [n for n in names if not FORM_NAME.fullmatch(n)]
    if bad:
        raise DefinitionError({"forms": [f"表单文件名不合规（字母、数字、._- 组成，以 .json 结尾）：{'、'.join(bad)}"]})
    if len(names) > MAX_FORM_FILES:
        raise DefinitionError({"forms": [f"表单文件不能超过 {MAX_FORM_FILES} 个"]})


def from_text(bpmn_xml: str, forms: dict[str, object], filename: str | None = None) -> Source:
    """From the modeler page: the BPMN text and the forms as parsed JSON (or their text)."""
    if len(bpmn_xml.encode()) > MAX_BPMN_BYTES:
        raise DefinitionError({"bpmn": ["BPMN 文件超过 2 MB"]})
    process_id = _executable_process(bpmn_xml)
    _check_form_names(list(forms))
    parsed = {name: _form(name, value) if isinstance(value, str) else value
              for name, value in forms.items()}
    return Source(process_id, bpmn_xml, parsed, filename or f"{process_id}.bpmn")


def from_upload(bpmn: bytes, forms_zip: bytes | None, filename: str | None) -> Source:
    """From ``POST /api/v1/processes``: the file and a zip of the form files."""
    try:
        xml = bpmn.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DefinitionError({"bpmn": ["BPMN 文件须为 UTF-8 编码"]}) from None
    forms: dict[str, object] = {}
    if forms_zip:
        try:
            archive = zipfile.ZipFile(io.BytesIO(forms_zip))
        except zipfile.BadZipFile:
            raise DefinitionError({"forms": ["forms 不是有效的 zip 文件"]}) from None
        entries = [i for i in archive.infolist() if not i.is_dir()]
        if sum(i.file_size for i in entries) > MAX_FORMS_BYTES:
            raise DefinitionError({"forms": ["表单文件解压后超过 4 MB"]})
        names = [i.filename.rsplit("/", 1)[-1] for i in entries]
        _check_form_names(names)
        if len(set(names)) != len(names):
            raise DefinitionError({"forms": ["zip 中有同名的表单文件"]})
        try:
            forms = {name: _form(name, archive.read(info))
                     for name, info in zip(names, entries, strict=True)}
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            raise DefinitionError({"forms": ["forms 压缩包已损坏或使用了不支持的压缩方式"]}) from None
    name = (filename or "").rsplit("/", 1)[-1]
    return from_text(xml, forms, name if name.endswith(".bpmn") else None)


def forms_zip(forms: dict) -> bytes:
    """The forms of a version as the zip ``POST /api/v1/processes`` takes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, schema in sorted(forms.items()):
            archive.writestr(name, json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    return buffer.getvalue()
