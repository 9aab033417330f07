"""Operations through ``flask``: set-up, reference and demo data, administrators, outbox."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from service.core.extensions import db

seed_cli = AppGroup("seed", help="Load reference or demo data.")
accounts_cli = AppGroup("accounts", help="Manage accounts.")
outbox_cli = AppGroup("outbox", help="Notification outbox.")
jobs_cli = AppGroup("jobs", help="Timers, reminders and the clock.")
processes_cli = AppGroup("processes", help="BPMN process definitions.")
backup_cli = AppGroup("backup", help="Archives of the database and the document storage.")


@backup_cli.command("create")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
def backup_create(target: str) -> None:
    """Write every table and the document storage to TARGET (.tar.gz)."""
    from pathlib import Path

    from service import backup

    manifest = backup.create(Path(target))
    click.echo(f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
               f"{manifest['files']} files, migration {manifest['revision']} -> {target}")


@backup_cli.command("verify")
def backup_verify() -> None:
    """Check every case's hash chain and replay (after a restore, or at any time)."""
    from service import backup

    bad = backup.verify_cases()
    for case_id, detail in bad:
        click.echo(f"case {case_id}: {detail}", err=True)
    if bad:
        raise click.ClickException(f"{len(bad)} cases failed the chain check or replay")
    click.echo("every case's chain and replay verified")


@backup_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
def backup_restore(source: str) -> None:
    """Load SOURCE into this (migrated, empty) database and storage, then verify every case."""
    from pathlib import Path

    from service import backup

    try:
        manifest = backup.restore(Path(source))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {sum(manifest['tables'].values())} rows and {manifest['files']} files")
    bad = backup.verify_cases()
    for case_id, detail in bad:
        click.echo(f"case {case_id}: {detail}", err=True)
    if bad:
        raise click.ClickException(f"{len(bad)} cases failed the chain check or replay")
    click.echo("every case's chain and replay verified")


@seed_cli.command("reference")
def seed_reference() -> None:
    """Load divisions, administrations and code tables from seed/ (idempotent)."""
    from service.helpdesk.service import load_articles
    from service.registry.seeding import load_reference
    from service.supervision.catalogue import load_catalogues

    for table, n in {**load_reference(), **load_catalogues(), **load_articles()}.items():
        click.echo(f"{table}: {n}")


@seed_cli.command("demo")
@click.option("--force", is_flag=True, help="Load even when not in the embedded default.")
def seed_demo(force: bool) -> None:
    """Load the demo organisations, persons and accounts (embedded default only)."""
    from service.demo import load_demo

    if not (current_app.config["DEMO_DATA"] or force):
        raise click.ClickException("demo data is loaded only in the embedded default (DEMO_DATA)")
    counts = load_demo()
    click.echo("demo data already present" if not counts else
               ", ".join(f"{k}: {v}" for k, v in counts.items()))


@click.command("setup")
def setup() -> None:
    """Migrate the database, load reference data and, in the embedded default, demo data."""
    from service.demo import load_demo
    from service.engine.definitions import deploy_all
    from service.helpdesk.service import load_articles
    from service.registry.seeding import load_reference
    from service.supervision.catalogue import load_catalogues

    upgrade()
    load_reference()
    load_catalogues()
    load_articles()
    deploy_all()
    if current_app.config["DEMO_DATA"]:
        load_demo()
        click.echo("demo data loaded; demo accounts use the password Demo12345")
    click.echo("database ready")


@accounts_cli.command("create-admin")
@click.argument("username")
@click.option("--password", envvar="ADMIN_PASSWORD", prompt=True, hide_input=True,
              confirmation_prompt=True, help="Or set ADMIN_PASSWORD.")
@click.option("--name", "display_name", default="系统管理员")
def create_admin(username: str, password: str, display_name: str) -> None:
    """Create a platform administrator (sysadmin) account."""
    from service.access.accounts import USERNAME, find_by_username
    from service.access.models import Account
    from service.access.passwords import hash_password, password_problem

    if not USERNAME.match(username):
        raise click.BadParameter("must start with a letter; letters, digits, . _ -", param_hint="USERNAME")
    if find_by_username(username):
        raise click.ClickException(f"account {username} already exists")
    problem = password_problem(password, names=(username, display_name))
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    db.session.add(Account(username=username, display_name=display_name, kind="staff",
                           roles=["sysadmin"], password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"created administrator {username}")


@outbox_cli.command("flush")
def outbox_flush() -> None:
    """Deliver every pending notification now, in this process."""
    from service.notify.outbox import deliver, pending_ids

    ids = pending_ids(limit=100_000)
    for message_id in ids:
        deliver(message_id)
    click.echo(f"processed {len(ids)} notifications")


@jobs_cli.command("clock")
def jobs_clock() -> None:
    """Enqueue timer firing every minute and the daily reminders (one per deployment)."""
    import threading

    from service.jobs.periodic import run_clock

    click.echo("clock running; Ctrl+C to stop")
    run_clock(threading.Event())


@jobs_cli.command("timers")
def jobs_timers() -> None:
    """Fire every due timer now, in this process."""
    from service.engine.runtime import fire_timers

    click.echo(f"cases moved: {fire_timers()}")


@jobs_cli.command("reminders")
@click.option("--today", default=None, help="YYYY-MM-DD (default: today in Asia/Shanghai)")
def jobs_reminders(today: str | None) -> None:
    """Run the daily jobs (reminders) for today, in this process."""
    from datetime import date, datetime

    from service.core.times import SHANGHAI
    from service.jobs.periodic import daily_jobs

    day = date.fromisoformat(today) if today else datetime.now(SHANGHAI).date()
    for name, job in sorted(daily_jobs().items()):
        click.echo(f"{name}: {job(day)}")


@processes_cli.command("deploy")
@click.option("--bpmn-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Deploy the .bpmn files of this folder instead of bpmn/ (forms from forms/).")
def processes_deploy(bpmn_dir: str | None) -> None:
    """Validate and deploy every file in bpmn/ (unchanged files keep their version); a refused
    file prints the validation report (the same as the designer's page and the REST API)."""
    from pathlib import Path

    from service.engine.definitions import BPMN_DIR, DefinitionError, deploy_all

    try:
        for d in deploy_all(bpmn_dir=Path(bpmn_dir) if bpmn_dir else BPMN_DIR):
            click.echo(f"{d.process_id} v{d.version} {d.content_hash[:12]}")
    except DefinitionError as exc:
        raise click.ClickException("流程定义未通过校验，未部署：\n" + "\n".join(exc.problems)) from None


def register(app: Flask) -> None:
    app.cli.add_command(seed_cli)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(setup)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(processes_cli)
    app.cli.add_command(backup_cli)
