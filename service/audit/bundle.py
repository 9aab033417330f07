"""The audit bundle of a case: a zip an auditor takes away and checks without the service.

- ``events.json``: every event as stored (type, task, actor, time, data, previous hash, hash);
- ``definition/<process>.bpmn`` and ``definition/forms/*.json``: the version the case is pinned to;
- ``documents.json``: the case's documents with their SHA-256, size and media type;
- ``chain.json``: the hash chain's verification; ``replay.json``: the replay's result;
- ``manifest.json``: the case, who exported it when and why, and the SHA-256 of every file.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile

from sqlalchemy import select

from service.access.models import Account
from service.core.extensions import db
from service.core.times import utcnow
from service.documents.models import Document
from service.engine import events
from service.engine.models import Case
from service.engine.replay import replay


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str).encode()


def build(case: Case, actor: Account, reason: str) -> bytes:
    history = events.events_of(case.id)
    problems = events.verify_chain(case, history)
    outcome = replay(case)
    db.session.rollback()  # replay writes nothing; make sure of it
    case = db.session.get(Case, case.id)
    definition = case.definition
    documents = db.session.scalars(select(Document).where(Document.case_id == case.id)
                                   .order_by(Document.id))
    files: dict[str, bytes] = {
        "events.json": _json([{
            "seq": e.seq, "type": e.type, "task": e.task, "actor_id": e.actor_id,
            "actor": e.actor.username if e.actor else None, "at": e.at.isoformat(),
            "data": e.data, "prev_hash": e.prev_hash, "hash": e.hash} for e in history]),
        f"definition/{case.process_id}.bpmn": definition.bpmn_xml.encode(),
        **{f"definition/forms/{name}": _json(schema)
           for name, schema in sorted((definition.forms or {}).items())},
        "documents.json": _json([{
            "id": d.id, "filename": d.filename, "kind": d.kind, "media_type": d.media_type,
            "size": d.size, "pages": d.pages, "sha256": d.sha256,
            "uploaded_at": d.created_at.isoformat()} for d in documents]),
        "chain.json": _json({"ok": not problems, "events": len(history), "problems": problems,
                             "last_hash": case.last_hash}),
        "replay.json": _json({"ok": outcome.ok, "events": outcome.events,
                              "detail": outcome.detail or ["重放结果与存储状态一致"]}),
    }
    manifest = {
        "case_id": case.id, "process": case.process_id, "title": case.title,
        "version": definition.version, "definition_hash": definition.content_hash,
        "status": case.status, "exported_at": utcnow().isoformat(),
        "exported_by": actor.username, "reason": reason,
        "files": {name: hashlib.sha256(body).hexdigest() for name, body in files.items()},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _json(manifest))
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()
