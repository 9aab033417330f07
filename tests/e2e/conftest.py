"""A real server (gunicorn, as ``make run`` starts it) on its own database, and Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _e2e_database(tmp: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}"
    import psycopg

    base, _, name = url.rpartition("/")
    # one database per xdist worker: a worker dropping another's would end its live server
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    e2e_name = f"{name}_e2e{'_' + worker if worker else ''}"
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{e2e_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{e2e_name}"')
    return f"{base}/{e2e_name}"


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory) -> str:
    """The live server's database, for tests that read what it wrote (e.g. the SMS outbox)."""
    return _e2e_database(tmp_path_factory.mktemp("e2e-db"))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, e2e_database_url: str) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = dict(
        os.environ, DATABASE_URL=e2e_database_url, SECRET_KEY="e2e-secret", EVENT_CHAIN_KEY="e2e-event-chain-key", DEMO_DATA="1",
        LOGIN_RATE_LIMIT="600/minute",  # every journey logs in from 127.0.0.1, several times a minute
        SIGNING_MODE="local",
        INSTANCE_DIR=str(tmp / "instance"), SESSION_COOKIE_SECURE="0", BROKER_URL="",
        # the national registry acknowledges registrations at once, as the embedded default's
        # simulator does (a little later there)
        NATIONAL_REGISTRY_SIMULATOR="1", NATIONAL_REGISTRY_SIMULATOR_DELAY_MS="0",
        RATELIMIT_STORAGE_URI=os.environ.get("TEST_REDIS_URL") or "memory://",
    )
    subprocess.run([BIN / "flask", "--app", "service", "setup"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "service.wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start: " + (tmp / "server.log").read_text()[-2000:])
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (tests/setup_browser.py installs it)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server, locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        out = ROOT / "test-artifacts"
        out.mkdir(exist_ok=True)
        pg.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def login(page, username: str, password: str = "Demo12345") -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def logout(page) -> None:
    from playwright.sync_api import expect

    page.click("header button:has-text('退出')")
    expect(page.locator("h1")).to_contain_text("用户登录")


@pytest.fixture
def phone(browser, live_server):
    """A page in a 375-px phone context with touch (seed 004's pages are a phone app)."""
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 375, "height": 740}, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def outbox_code(database_url: str, address: str) -> str:
    """The code in the newest message the server queued for ``address``."""
    import re

    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            body = conn.execute(text(
                "SELECT body FROM notification WHERE address = :address ORDER BY id DESC LIMIT 1"
            ), {"address": address}).scalar_one()
    finally:
        engine.dispose()
    return re.search(r"验证码为 (\d{6})", body).group(1)


def prove_contacts(page, database_url: str, phone: str, email: str) -> None:
    """On a sign-up's account step: send both codes and fill them in from the outbox."""
    from playwright.sync_api import expect

    page.fill("input[name=phone]", phone)
    page.click("button:has-text('获取短信验证码')")
    expect(page.locator("[role=status]")).to_contain_text("验证码已发送至您的手机")
    page.fill("input[name=email]", email)
    page.click("button:has-text('获取邮箱验证码')")
    expect(page.locator("[role=status]")).to_contain_text("验证码已发送至您的电子邮箱")
    page.fill("input[name=phone_code]", outbox_code(database_url, phone))
    page.fill("input[name=email_code]", outbox_code(database_url, email))
