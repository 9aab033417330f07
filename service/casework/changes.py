"""What changed between two submissions of a form, and what earlier review rounds said.

A repeat review shows both beside the fields; the case history says the same in one line.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from service.casework import common as casework
from service.engine.forms import document_fields
from service.engine.models import Case, CaseEvent


@dataclass
class FieldChange:
    """One field whose value differs from the previous submission (old → new)."""

    name: str
    title: str
    before: object
    after: object
    added: list[int] = field(default_factory=list)  # document ids new in this submission
    removed: list[int] = field(default_factory=list)  # document ids no longer submitted
    summary: str = ""  # tables: which rows differ


def _table_summary(before: list, after: list) -> str:
    before, after = before or [], after or []
    changed = [str(i + 1) for i in range(min(len(before), len(after))) if before[i] != after[i]]
    parts = [f"第 {'、'.join(changed)} 行已修改"] if changed else []
    if len(after) > len(before):
        parts.append(f"新增 {len(after) - len(before)} 行")
    elif len(before) > len(after):
        parts.append(f"删除 {len(before) - len(after)} 行")
    return f"{'；'.join(parts)}（共 {len(before)} 行 → {len(after)} 行）"


def changes(schema: dict, before: dict, after: dict) -> dict[str, FieldChange]:
    """Fields (in form order) whose submitted values differ; documents by id, tables by row."""
    props = schema.get("properties", {})
    docs = set(document_fields(schema))
    keys = list(props) + [k for k in {**before, **after} if k not in props]
    out: dict[str, FieldChange] = {}
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old == new or (not old and not new and old is not False and new is not False):
            continue
        change = FieldChange(key, casework.field_title(schema, key), old, new)
        if key in docs:
            change.added = [d for d in new or [] if d not in (old or [])]
            change.removed = [d for d in old or [] if d not in (new or [])]
        elif props.get(key, {}).get("type") == "array" and \
                props[key].get("items", {}).get("type") == "object":
            change.summary = _table_summary(old, new)
        out[key] = change
    return out


@dataclass
class EarlierRound:
    """A finished review of the same submission: its decision, comment and field comments."""

    number: int
    task_title: str
    decision: str
    comment: str
    field_comments: dict[str, str]
    event: CaseEvent


def earlier_rounds(case: Case, history: list[CaseEvent], shows: set[str],
                   before_seq: int | None = None) -> list[EarlierRound]:
    """Reviews of the tasks in ``shows`` made before ``before_seq`` (all of them without it)."""
    tasks = case.deployed.parsed.user_tasks
    rounds: list[EarlierRound] = []
    for event in history:
        info = tasks.get(event.task or "")
        if event.type != "task_completed" or not info or not shows & set(casework.shown_tasks(info)):
            continue
        if before_seq is not None and event.seq >= before_seq:
            break
        form = event.data.get("form") or {}
        schema = casework.form_schema(case, event.task)
        rounds.append(EarlierRound(
            len(rounds) + 1, info.title,
            casework.label_of(schema, "decision", form.get("decision")) if "decision" in form else "",
            form.get("comment") or "",
            {k: v for k, v in (form.get("field_comments") or {}).items() if v}, event))
    return rounds


def comments_by_field(rounds: list[EarlierRound]) -> dict[str, list[tuple[int, str]]]:
    """(round number, comment) per field, oldest first, for the note beside each field."""
    out: dict[str, list[tuple[int, str]]] = {}
    for r in rounds:
        for name, text in r.field_comments.items():
            out.setdefault(name, []).append((r.number, text))
    return out
