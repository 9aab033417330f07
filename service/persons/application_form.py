"""The printed application form (申请表) of a person's business (seed 003 ch.3 §8; 护士注册申请审核表):
who applies, what she submitted and the institution's opinion, for the institution to sign,
seal and file; and the same applicant panel on a reviewer's task form (issue 17 item 7).

Everything comes from the case's events (the last submission of the applicant's lane and the
institution's decision after it) and from the registry as it is now, so a renamed institution
prints under its current name. Each persons' domain says how its person is identified
(``subjects.person_kind(..., identity=...)``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from service.core.errors import ApiError
from service.core.extensions import db
from service.core.masking import mask_id
from service.core.times import SHANGHAI, utcnow
from service.engine import events, plugins
from service.engine.forms import document_fields
from service.engine.models import Case, CaseEvent
from service.persons.subjects import PersonKind, kind_of_case
from service.printing.pdf import render_pdf
from service.registry.reference import Administration

DECISIONS = {"agree": "同意", "disagree": "不同意"}
# Keys of a review form, never part of the applicant's own data.
REVIEW_KEYS = {"decision", "comment", "field_comments"}


@dataclass
class Opinion:
    decision: str
    comment: str
    at: datetime
    by: str


@dataclass
class ApplicationForm:
    case: Case
    title: str
    submitted_at: datetime
    authority_name: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    opinion: Opinion | None = None


def _title(schema: dict, key: str) -> str:
    return str(schema.get("properties", {}).get(key, {}).get("title", key))


def _value(prop: dict, value: object) -> str:
    """A submitted value as printed: labels for codes, masks for ID numbers, counts for files."""
    if value is None or value == "":
        return ""
    if prop.get("x-document"):
        return f"已上传 {len(value)} 份" if isinstance(value, list) else ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        items = prop.get("items", {})
        return "；".join(_value(items, v) for v in value)
    if isinstance(value, dict):
        props = prop.get("properties", {})
        return "，".join(f"{_title(prop, k)}：{_value(props.get(k, {}), v)}"
                        for k, v in value.items() if v not in (None, ""))
    if prop.get("x-mask") == "id":
        return mask_id(str(value)) or ""
    labels = prop.get("x-labels", {})
    return str(labels.get(value, value))


def _ordered_keys(schema: dict, form: dict) -> list[str]:
    sections = [k for s in schema.get("x-sections", []) for k in s.get("fields", [])]
    keys = sections + [k for k in schema.get("properties", {}) if k not in sections]
    return keys + [k for k in form if k not in keys]


def submitted_fields(schema: dict, form: dict) -> list[tuple[str, str]]:
    """(title, printed value) of every filled-in field of a submission, in form order."""
    props = schema.get("properties", {})
    uploads = set(document_fields(schema))
    out = []
    for key in _ordered_keys(schema, form):
        if key in REVIEW_KEYS or key not in form:
            continue
        prop = dict(props.get(key, {}), **({"x-document": True} if key in uploads else {}))
        text = _value(prop, form[key])
        if text:
            out.append((_title(schema, key), text))
    return out


def _lane_events(case: Case, history: list[CaseEvent], lane: str) -> list[CaseEvent]:
    tasks = case.deployed.parsed.user_tasks
    return [e for e in history if e.type == "task_completed" and e.task in tasks
            and tasks[e.task].lane == lane]


def _authority_name(case: Case) -> str:
    """The administration the approval goes to (the route of the bureau lane's task)."""
    routes = [t.properties.get("route") for t in case.deployed.parsed.user_tasks.values()
              if t.lane == "bureau" and t.properties.get("route")]
    try:
        target = plugins.get_route(routes[0])(case) if routes else None
    except (ApiError, LookupError):
        target = None
    admin = db.session.get(Administration, target.id) if target else None
    return admin.name if admin else case.subject_institution.issuing_authority.name


def applicant_lane(case: Case, pk: PersonKind) -> str:
    """The person applies in her own lane; businesses the institution starts itself (filing,
    cancellation) have the institution's lane as the applicant's."""
    own = plugins.start_lane(pk.kind)
    parsed = case.deployed.parsed
    if any(i.lane == own for i in parsed.user_tasks.values()):
        return own
    return parsed.start_lane or "institution"


def institution_opinion(case: Case, history: list[CaseEvent],
                        after_seq: int = 0) -> Opinion | None:
    """The institution's latest decision on the case (after ``after_seq``)."""
    parsed = case.deployed.parsed
    decided = [e for e in _lane_events(case, history, "institution")
               if e.seq > after_seq and "decision" in (e.data.get("form") or {})]
    if not decided:
        return None
    last = decided[-1].data["form"]
    review = case.deployed.form(parsed.user_tasks[decided[-1].task].form)
    label = DECISIONS.get(last["decision"]) or _value(
        review.get("properties", {}).get("decision", {}), last["decision"])
    return Opinion(label, last.get("comment") or "", decided[-1].at,
                   case.subject_institution.name)


def application_form(case: Case) -> ApplicationForm | None:
    """The form of a person's case, or None while nothing has been submitted."""
    found = kind_of_case(case)
    if found is None or case.subject_institution is None:
        return None
    history = events.events_of(case.id)
    parsed = case.deployed.parsed
    lane = applicant_lane(case, found[0])
    submissions = _lane_events(case, history, lane)
    if not submissions:
        return None
    submission = submissions[-1]
    schema = case.deployed.form(parsed.user_tasks[submission.task].form)
    name = case.deployed.name
    form = ApplicationForm(
        case, name if name.endswith("申请表") else f"{name}申请表", submission.at,
        _authority_name(case), submitted_fields(schema, submission.data.get("form") or {}))
    if lane != "institution":
        form.opinion = institution_opinion(case, history, submission.seq)
    return form


def render_application(case: Case) -> bytes:
    """The application form as an A4 PDF; 404 while there is nothing to print."""
    form = application_form(case)
    if form is None:
        raise ApiError(404, "该业务还没有可打印的申请表")
    pk, person = kind_of_case(case)
    return render_pdf(
        "person_application.html", form=form, case=case, identity=pk.identity(person),
        kind_label=pk.label, institution=case.subject_institution, printed_at=utcnow(),
        authority_name=form.authority_name)


@plugins.applicant_panel
def applicant_panel(case: Case, task: str) -> plugins.ApplicantPanel | None:
    """On a reviewer's task: who applies; beyond the institution, its opinion too."""
    found = kind_of_case(case)
    if found is None:
        return None
    pk, person = found
    info = case.deployed.parsed.user_tasks.get(task)
    rows: list[tuple[str, str]] = []
    if info is not None and info.lane != "institution" and case.subject_institution is not None:
        opinion = institution_opinion(case, events.events_of(case.id))
        if opinion is not None:
            rows = [("机构", opinion.by), ("意见", opinion.decision), ("说明", opinion.comment),
                    ("办理时间", opinion.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"))]
    return plugins.ApplicantPanel(f"申请人信息（{pk.label}）", pk.identity(person), rows)
