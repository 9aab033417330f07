"""The e-licence: the signed licence PDF and the public verify endpoint.

Figures: ``render_licence`` (《医疗机构执业许可证》 正本 with its QR code, rendered and signed
with the issuing administration's key) beside the same page unsigned (its floor), the PAdES
signature's own cost, and ``GET /api/v1/licences/verify/{code}`` through the app (no login)
beside the register look-up alone. The licence row is issued inside a transaction that is
rolled back at the end, so the generated data stays as it was.
"""
from __future__ import annotations

import time

from service.core.extensions import db
from service.institutions import licence_prints, licences
from service.institutions.esign import sign_licence
from service.registry.reference import Administration

from . import cases
from .context import Context
from .report import Result, percentile

TARGET_MS = 400.0


def _timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def run(ctx: Context) -> list[Result]:
    n = ctx.scale.pdf_samples
    app = ctx.app
    with app.app_context(), app.test_request_context("/"):
        inst = cases.institution(cases.Actors.demo())
        licence = licences.current(inst.id) or licences.issue(
            inst, at=inst.created_at, case_id=None, reason="bench")
        issuer = db.session.get(Administration, licence.issued_by_id)
        signed_pdf = licence_prints.render_licence(inst, licence)
        if not signed_pdf.startswith(b"%PDF-"):
            raise RuntimeError("the licence did not render")
        plain = licence_prints.render_licence(inst, licence, sign=False)
        with ctx.profiled("licence"):
            signed = _timed(lambda: licence_prints.render_licence(inst, licence), n)
            floor = _timed(lambda: licence_prints.render_licence(inst, licence, sign=False), n)
            signing = _timed(lambda: sign_licence(plain, issuer), n)
            client = app.test_client()
            path = f"/api/v1/licences/verify/{licence.verify_code}"
            app.config["LICENCE_VERIFY_RATE_LIMIT"] = "1000000/minute"
            verify = _timed(lambda: client.get(path), n * 10)
            lookup = _timed(lambda: licences.verification(licence.verify_code), n * 10)
            app.config.pop("LICENCE_VERIFY_RATE_LIMIT")
        db.session.rollback()
        db.session.remove()
    results = []
    for q in (50, 95):
        results.append(Result(
            "licence", f"signed licence PDF p{q}", percentile(signed, q) * 1000, "ms",
            percentile(floor, q) * 1000, f"the same page unsigned p{q}",
            f"< {TARGET_MS:g} ms" if q == 95 else "",
            percentile(signed, q) * 1000 < TARGET_MS if q == 95 else None, samples=n,
            details={"signature_ms_p50": round(percentile(signing, 50) * 1000, 2),
                     "signature_ms_p95": round(percentile(signing, 95) * 1000, 2)}))
    for q in (50, 95):
        results.append(Result(
            "licence", f"GET /api/v1/licences/verify p{q}", percentile(verify, q) * 1000, "ms",
            percentile(lookup, q) * 1000, f"the register look-up alone p{q}",
            "< 20 ms" if q == 95 else "", percentile(verify, q) * 1000 < 20 if q == 95 else None,
            samples=len(verify)))
    return results

