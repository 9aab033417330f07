"""JSON Schema forms in the browser: which widget draws a field, and the POSTed form back to JSON.

The schema (with its ``x-`` UI hints) is the only description of a form: the same file drives
the server-side validation in the engine, the REST API and these pages. HTML names are flat
(``roster-3-name``) so the form works without JavaScript.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from service.core.params import to_id

EXTRA_ROWS = 3  # empty rows offered under a table
MORE_ROWS = 5  # rows added by "增加行"
_FIELD_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass
class Field:
    """One field of a form as the templates draw it."""

    name: str
    schema: dict
    widget: str
    required: bool = False
    columns: list[Field] = field(default_factory=list)
    required_when: str = ""  # "选择“退回修改”或“不予注册”时必填", from the schema's if/then

    @property
    def max_length(self) -> int | None:
        return self.schema.get("maxLength")

    @property
    def title(self) -> str:
        return self.schema.get("title", self.name)

    @property
    def description(self) -> str:
        return self.schema.get("description", "")

    @property
    def options(self) -> list[tuple[str, str]]:
        values = self.schema.get("enum") or self.schema.get("items", {}).get("enum") or []
        labels = self.schema.get("x-labels") or self.schema.get("items", {}).get("x-labels") or {}
        return [(str(v), str(labels.get(v, v))) for v in values]

    @property
    def accept(self) -> str:
        types = self.schema.get("x-accept") or ["application/pdf", "image/jpeg", "image/png"]
        suffixes = {"application/pdf": ".pdf", "image/jpeg": ".jpg,.jpeg", "image/png": ".png"}
        return ",".join(suffixes.get(t, t) for t in types)

    @property
    def accept_names(self) -> str:
        """The accepted types as the hint beside an upload says them: PDF、JPEG、PNG."""
        types = self.schema.get("x-accept") or ["application/pdf", "image/jpeg", "image/png"]
        names = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
        return "、".join(names.get(t, t) for t in types)

    @property
    def single(self) -> bool:
        """A field holding one document (a photo): a new upload replaces the old one."""
        return self.schema.get("maxItems") == 1

    @property
    def masked(self) -> bool:
        return self.schema.get("x-mask") == "id"


def widget_of(prop: dict) -> str:
    kind, hint, items = prop.get("type"), prop.get("x-widget"), prop.get("items") or {}
    if prop.get("x-document"):
        return "documents"
    if hint == "field-comments":
        return "field_comments"
    if kind == "array" and items.get("type") == "object":
        return "table"
    if kind == "array" and "enum" in items:
        return "checkboxes"
    if "enum" in prop:
        # a select can go back to "none chosen"; radios cannot (optional choices use select)
        return "radio" if hint == "radio" or (hint != "select" and len(prop["enum"]) <= 6) \
            else "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return kind
    if prop.get("format") == "date":
        return "date"
    return "textarea" if hint == "textarea" else "text"


def _condition_labels(schema: dict, condition: dict) -> list[str]:
    """The option labels an ``if`` clause of the form ``{field: {enum | const}}`` selects."""
    labels = []
    for name, test in (condition.get("properties") or {}).items():
        values = test.get("enum") or ([test["const"]] if "const" in test else [])
        names = schema.get("properties", {}).get(name, {}).get("x-labels", {})
        labels += [str(names.get(v, v)) for v in values]
    return labels


def conditional_required(schema: dict) -> dict[str, str]:
    """Field -> "选择“A”或“B”时必填" for every ``allOf`` if/then that requires it: the hint
    always names the options the form really has."""
    out: dict[str, list[str]] = {}
    for clause in schema.get("allOf") or []:
        labels = _condition_labels(schema, clause.get("if") or {})
        for name in (clause.get("then") or {}).get("required", []):
            out.setdefault(name, [])
            out[name] += [label for label in labels if label not in out[name]]
    return {name: "选择" + "或".join(f"“{label}”" for label in labels) + "时必填"
            for name, labels in out.items() if labels}


def fields_of(schema: dict) -> list[Field]:
    required = set(schema.get("required", []))
    when = conditional_required(schema)
    out = []
    for name, prop in schema.get("properties", {}).items():
        f = Field(name, prop, widget_of(prop), name in required, required_when=when.get(name, ""))
        if f.widget == "table":
            f.columns = fields_of(prop.get("items", {}))
        out.append(f)
    return out


def sections(schema: dict) -> list[tuple[str, list[Field]]]:
    """(title, fields) per ``x-sections``; without it, one untitled section.

    The reviewer's per-field comments come first: they sit beside the submission being read,
    and the decision follows it.
    """
    by_name = {f.name: f for f in fields_of(schema)}
    declared = schema.get("x-sections")
    if declared:
        out = [(s.get("title", ""), [by_name[n] for n in s.get("fields", []) if n in by_name])
               for s in declared]
        placed = {f.name for _, fs in out for f in fs}
        rest = [f for n, f in by_name.items() if n not in placed]
        return out + ([("其他", rest)] if rest else [])
    comments = [f for f in by_name.values() if f.widget == "field_comments"]
    others = [f for f in by_name.values() if f.widget != "field_comments"]
    if comments:
        return [("申请内容及逐项修改意见", comments), ("审核结论", others)]
    return [("", others)]


def _scalar(f: Field, raw: str | None) -> tuple[bool, object, str | None]:
    """(present, value, parse error) for one text input; blanks are absent, not empty."""
    text = (raw or "").replace("\r\n", "\n").strip()
    if f.widget == "checkbox":
        return True, raw is not None, None
    if text == "":
        return False, None, None
    if f.widget == "integer":
        try:
            return True, int(text), None
        except ValueError:
            return True, text, "请填写整数"
    if f.widget == "number":
        try:
            return True, float(text), None
        except ValueError:
            return True, text, "请填写数字"
    return True, text, None


def _table(f: Field, form: MultiDict) -> tuple[list[dict], dict[str, list[str]]]:
    pattern = re.compile(rf"^{re.escape(f.name)}-(\d{{1,4}})-([A-Za-z_][A-Za-z0-9_]*)$")
    indexes = sorted({int(m.group(1)) for key in form if (m := pattern.match(key))})
    rows, errors = [], {}
    for index in indexes:
        row, row_errors, filled = {}, {}, False
        for col in f.columns:
            raw = form.get(f"{f.name}-{index}-{col.name}")
            present, value, error = _scalar(col, raw)
            if col.widget == "checkbox":
                present = raw is not None  # an unticked box alone does not make a row
            if present:
                filled = True
                row[col.name] = value
            if error:
                row_errors[col.name] = error
        if not filled:
            continue  # the empty rows offered for new entries
        position = len(rows)
        rows.append(row)
        for col, error in row_errors.items():
            errors[f"{f.name}.{position}.{col}"] = [error]
    return rows, errors


def parse(schema: dict, form: MultiDict) -> tuple[dict, dict[str, list[str]]]:
    """The POSTed form as JSON of the schema's types, and the inputs that could not be read.

    Unreadable values are kept as typed, so the page shows them again and validation reports
    them; document fields carry the ids kept (uploads are added by the caller).
    """
    data: dict = {}
    errors: dict[str, list[str]] = {}
    for f in fields_of(schema):
        if f.widget == "table":
            data[f.name], table_errors = _table(f, form)
            errors.update(table_errors)
        elif f.widget == "documents":
            removed = set(form.getlist(f"{f.name}-remove"))
            data[f.name] = [to_id(v) for v in dict.fromkeys(form.getlist(f.name))
                            if to_id(v) and v not in removed]
        elif f.widget == "checkboxes":
            allowed = {value for value, _ in f.options}
            data[f.name] = [v for v in form.getlist(f.name) if v in allowed]
        elif f.widget == "field_comments":
            prefix = f"{f.name}-"
            comments = {key[len(prefix):]: value.strip() for key, value in form.items()
                        if key.startswith(prefix) and value.strip()}
            data[f.name] = {k: v for k, v in comments.items() if _FIELD_KEY.match(k)}
        else:
            present, value, error = _scalar(f, form.get(f.name))
            if present:
                data[f.name] = value
            if error:
                errors[f.name] = [error]
    return data, errors


def merge_errors(*sources: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors of several checks, the first source's message winning for a field (it is the
    more specific one: "请填写整数" rather than "类型不正确")."""
    out: dict[str, list[str]] = {}
    for source in sources:
        for key, messages in source.items():
            out.setdefault(key, list(messages))
    return out


def error_label(schema: dict, key: str) -> str:
    """``roster.3.id_number`` -> "参与本次业务的医护人员 第 4 行 身份证号"."""
    if key == "_form":
        return "表单"
    parts = key.split(".")
    prop = schema.get("properties", {}).get(parts[0], {})
    label = prop.get("title", parts[0])
    if len(parts) >= 2 and parts[1].isdigit():
        label += f" 第 {int(parts[1]) + 1} 行"
        if len(parts) >= 3:
            label += " " + prop.get("items", {}).get("properties", {}).get(parts[2], {}).get(
                "title", parts[2])
    elif len(parts) >= 2:
        label += " " + parts[1]
    return label
