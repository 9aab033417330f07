"""Self-inspection and demerit scoring (依法执业自查与不良执业记分, seed 004): institutions sign
themselves up and are reviewed by their administration (S1), keep their data, departments and
staff (S2), inspect themselves against the provincial checklist and follow each 否 to closure
(S3), and score their health workers against the provincial rule set, an administration
deciding the measure when a threshold is crossed (S4). Every process runs on the engine
(``bpmn/supervision_signup.bpmn``, ``self_inspection``, ``demerit_report``,
``demerit_threshold``). Uses institutions only through :mod:`service.institutions.face`."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.supervision import (  # noqa: F401  (plug-ins register on import)
        access,
        api,
        api_records,
        conduct,
        demerit,
        home,
        inspection,
        pages,
        processes,
        record_pages,
        reminders,
        signup,
        unit_pages,
    )

    app.register_blueprint(pages.bp)
