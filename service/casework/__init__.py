"""The generic doors onto cases, over the engine: inboxes, task forms, the case page with its
history, audit and replay, and the cases / work-items / documents / processes API.

Nothing here knows a business: domain packages add print-outs and case visibility through the
engine's plug-in table, and may add routes to these blueprints before :func:`register` runs.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.casework import (  # noqa: F401  (routes attach to their blueprints)
        api,
        api_documents,
        api_spec,
        case_audit,
        cases,
        common,
        home,
        inbox,
        saved_filters,
        tasks,
    )

    app.jinja_env.globals["outcome_name"] = common.outcome_name
    for module in (inbox, tasks, cases):
        app.register_blueprint(module.bp)
