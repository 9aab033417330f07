"""What a task form page shows: the form and its values, the submission under review, the
reviewer's comments for the applicant, and the documents all of them reference."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from service.casework import common as casework
from service.casework.changes import (
    EarlierRound,
    FieldChange,
    changes,
    comments_by_field,
    earlier_rounds,
)
from service.casework.schema_forms import EXTRA_ROWS, Field, error_label, fields_of, sections
from service.core.extensions import db
from service.documents import Document
from service.documents.service import DEFAULT_MAX_BYTES
from service.engine import events
from service.engine.models import CaseEvent, WorkItem
from service.engine.plugins import ApplicantPanel, applicant_panel_of, get_prefill


@dataclass
class Submission:
    """A submitted form shown read-only (to a reviewer), with the schema that describes it."""

    schema: dict
    values: dict
    event: CaseEvent
    previous: dict | None = None  # the submission before it (a correction round), if any
    changes: dict[str, FieldChange] = field(default_factory=dict)
    rounds: list[EarlierRound] = field(default_factory=list)  # earlier reviews of this form
    comments: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def sections(self) -> list[tuple[str, list[Field]]]:
        return sections(self.schema)

    def change(self, name: str) -> FieldChange | None:
        return self.changes.get(name)

    def earlier_comments(self, name: str) -> list[tuple[int, str]]:
        return self.comments.get(name, [])


@dataclass
class Review:
    """The latest reviewer's decision on the applicant's task, shown while correcting it."""

    task_title: str
    decision: str
    comment: str
    field_comments: dict[str, str]
    event: CaseEvent


@dataclass
class FormView:
    schema: dict
    values: dict
    errors: dict[str, list[str]] = field(default_factory=dict)
    docs: dict[int, Document] = field(default_factory=dict)
    shown: Submission | None = None
    review: Review | None = None
    extra_rows: dict[str, int] = field(default_factory=dict)
    max_upload_mb: int = DEFAULT_MAX_BYTES // (1024 * 1024)
    draft_problems: dict[str, list[str]] = field(default_factory=dict)
    applicant: ApplicantPanel | None = None  # who applies, on a reviewer's form

    def sections(self) -> list[tuple[str, list[Field]]]:
        return sections(self.schema)

    def value(self, name: str, default: object = None) -> object:
        return self.values.get(name, default)

    def errors_for(self, key: str) -> list[str]:
        return self.errors.get(key, [])

    def row_errors(self, name: str, index: int) -> list[str]:
        return self.errors.get(f"{name}.{index}", [])

    def rows(self, f: Field) -> list[dict]:
        rows = [r for r in self.values.get(f.name) or [] if isinstance(r, dict)]
        return rows + [{} for _ in range(self.extra_rows.get(f.name, EXTRA_ROWS))]

    def review_comment(self, name: str) -> str:
        return self.review.field_comments.get(name, "") if self.review else ""

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) per error: the summary links to the field or table cell."""
        out = []
        for key, messages in self.errors.items():
            parts = key.split(".")
            anchor = ("f-" + "-".join(parts) if len(parts) == 3
                      else f"row-{parts[0]}" if key != "_form" else "")
            out += [(anchor, error_label(self.schema, key), message) for message in messages]
        return out

    @property
    def has_field_comments(self) -> bool:
        return any(f.widget == "field_comments" for f in fields_of(self.schema))


def shown_submission(item: WorkItem, history: list[CaseEvent]) -> Submission | None:
    case = item.case
    shows = set(casework.shown_tasks(casework.task_info(case, item.task)))
    event = casework.latest_submission(history, shows) if shows else None
    if event is None:
        return None
    schema, values = casework.form_schema(case, event.task), event.data.get("form") or {}
    earlier = casework.latest_submission(history, shows, before_seq=event.seq)
    previous = (earlier.data.get("form") or {}) if earlier else None
    rounds = earlier_rounds(case, history, shows)
    return Submission(schema, values, event, previous,
                      changes(schema, previous, values) if previous is not None else {},
                      rounds, comments_by_field(rounds))


def latest_review(item: WorkItem, history: list[CaseEvent]) -> Review | None:
    """The last decision of a task reviewing this one, made before this item arrived."""
    case = item.case
    reviewers = casework.reviewer_tasks(case, item.task)
    earlier = [e for e in history if e.at <= item.created_at]
    event = casework.latest_submission(earlier, reviewers) if reviewers else None
    if event is None:
        return None
    form = event.data.get("form") or {}
    comments = {k: v for k, v in (form.get("field_comments") or {}).items() if v}
    if not form.get("comment") and not comments:
        return None
    schema = casework.form_schema(case, event.task)
    return Review(casework.task_title(case, event.task),
                  casework.label_of(schema, "decision", form.get("decision")),
                  form.get("comment") or "", comments, event)


def initial_values(item: WorkItem, history: list[CaseEvent]) -> dict:
    """The draft; else the pre-filler with the last submission of this form (a returned
    application comes back as it was sent); else an empty form."""
    if item.draft is not None:
        return dict(item.draft)
    info = casework.task_info(item.case, item.task)
    prefill = info.properties.get("prefill") if info else None
    if not prefill:
        return {}
    same = casework.same_form_tasks(item.case, item.task) | set(casework.shown_tasks(info))
    last = casework.latest_submission(history, same)
    return get_prefill(prefill)(item.case, (last.data.get("form") or None) if last else None)


def documents_for(*forms: tuple[dict, dict]) -> dict[int, Document]:
    """The documents referenced by (schema, values) pairs, loaded in one query."""
    ids = {doc_id for schema, values in forms for _, doc_id in casework.document_ids(schema, values)}
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(select(Document).where(Document.id.in_(ids)))}


def build(item: WorkItem, values: dict | None = None, errors: dict | None = None,
          extra_rows: dict[str, int] | None = None) -> FormView:
    case = item.case
    history = events.events_of(case.id)
    schema = case.deployed.form(item.form)
    if values is None:
        values = initial_values(item, history)
    shown = shown_submission(item, history)
    view = FormView(schema, values, errors or {}, shown=shown, review=latest_review(item, history),
                    extra_rows=extra_rows or {},
                    applicant=applicant_panel_of(case, item.task) if shown else None)
    limit = current_app.config.get("DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES
    view.max_upload_mb = max(1, int(limit) // (1024 * 1024))
    shown_forms = [(shown.schema, shown.values), (shown.schema, shown.previous or {})] if shown else []
    view.docs = documents_for((schema, values), *shown_forms)
    return view
