"""Enrolling a second factor through the pages, for the second-factor tests."""
from __future__ import annotations

import re
import time

import pyotp
from conftest import csrf
from flask.testing import FlaskClient

ENROL = "/security/second-factor"
SECRET = re.compile(r'id="secret">([A-Z2-7 ]+)<')
CODES = re.compile(r"<li>([0-9a-f]{6}-[0-9a-f]{6})</li>")


def enrol(client: FlaskClient) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol the logged-in account; its TOTP and the recovery codes shown."""
    page = client.get(ENROL).get_data(as_text=True)
    secret = SECRET.search(page).group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)
    response = client.post(ENROL, data={"code": totp.now(), "csrf_token": csrf(client, ENROL)})
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    return totp, CODES.findall(response.get_data(as_text=True))


def next_code(totp: pyotp.TOTP) -> str:
    """The next step's code: the current one was spent on enrolment (a code works once)."""
    return totp.at(time.time() + totp.interval)
