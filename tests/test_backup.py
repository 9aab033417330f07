"""The restore drill: a backup of a live database and its documents, restored into an empty
database, gives back every row and file, and every case's chain and replay verify."""
from __future__ import annotations

from pathlib import Path

from conftest import _database_url
from flask import Flask
from sqlalchemy import func, select
from test_concurrency import _clients, verifying_institutions
from verification_flow import Verification

from service.core.extensions import db


def _empty_app(tmp_path_factory, live_app: Flask) -> Flask:
    from flask_migrate import upgrade

    from service import create_app

    instance = tmp_path_factory.mktemp("restore-instance")
    app = create_app({
        "DATABASE_URL": _database_url(tmp_path_factory, "restore"), "SECRET_KEY": "test-secret",
        "EVENT_CHAIN_KEY": live_app.config["EVENT_CHAIN_KEY"], "DEMO_DATA": "0",
        "INSTANCE_DIR": str(instance), "RATELIMIT_STORAGE_URI": "memory://", "TESTING": True})
    with app.app_context():
        upgrade()
    return app


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        counts = {t.name: db.session.scalar(select(func.count()).select_from(t))
                  for t in db.metadata.tables.values()}
        db.session.remove()
    return counts


def test_a_backup_restores_into_an_empty_database_and_every_case_verifies(
        live_app: Flask, tmp_path: Path, tmp_path_factory) -> None:
    (inst, institution_id), = verifying_institutions(live_app, 1)
    flow = Verification(inst,
                        _clients(live_app, "bj.chaoyang.wjw", 1)[0])
    flow.start(institution_id)
    flow.submit()  # a case with events and uploaded documents
    flow.review("return", "请补充")
    archive = tmp_path / "backup.tar.gz"
    made = live_app.test_cli_runner().invoke(args=["backup", "create", str(archive)])
    assert made.exit_code == 0, "".join(__import__("traceback").format_exception(*made.exc_info)) if made.exc_info else made.output
    assert archive.stat().st_size > 0

    target = _empty_app(tmp_path_factory, live_app)
    restored = target.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert restored.exit_code == 0, "".join(__import__("traceback").format_exception(*restored.exc_info)) if restored.exc_info else restored.output
    assert "every case's chain and replay verified" in restored.output
    source_counts = _counts(live_app)
    source_counts.pop("alembic_version", None)
    assert {k: v for k, v in _counts(target).items() if k != "alembic_version"} == source_counts and source_counts["case"] >= 1
    stored = {p.relative_to(live_app.config["STORAGE_DIR"])
              for p in Path(live_app.config["STORAGE_DIR"]).rglob("*") if p.is_file()}
    copied = {p.relative_to(target.config["STORAGE_DIR"])
              for p in Path(target.config["STORAGE_DIR"]).rglob("*") if p.is_file()}
    assert stored and stored <= copied

    checked = target.test_cli_runner().invoke(args=["backup", "verify"])
    assert checked.exit_code == 0 and "verified" in checked.output
    again = target.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert again.exit_code != 0 and "not empty" in again.output
    with target.app_context():
        db.engine.dispose()


def test_a_tampered_case_fails_the_drill(live_app: Flask, tmp_path: Path, tmp_path_factory) -> None:
    from sqlalchemy import update

    from service.engine.models import CaseEvent

    (inst, institution_id), = verifying_institutions(live_app, 1)
    flow = Verification(inst,
                        _clients(live_app, "bj.chaoyang.wjw", 1)[0])
    flow.start(institution_id)
    with live_app.app_context():
        event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == flow.case_id)).one()
        event_id, original = event.id, event.data
        db.session.execute(update(CaseEvent).where(CaseEvent.id == event_id)
                           .values(data={"forged": True}))
        db.session.commit()
    archive = tmp_path / "backup.tar.gz"
    assert live_app.test_cli_runner().invoke(args=["backup", "create", str(archive)]).exit_code == 0
    with live_app.app_context():  # the live database stays sound for the other tests
        db.session.execute(update(CaseEvent).where(CaseEvent.id == event_id).values(data=original))
        db.session.commit()
    target = _empty_app(tmp_path_factory, live_app)
    restored = target.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert restored.exit_code != 0 and f"case {flow.case_id}" in restored.output
    with target.app_context():
        db.engine.dispose()
