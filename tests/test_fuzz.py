"""Property-based fuzzing of the REST API against its own OpenAPI document (schemathesis).

Every operation of ``GET /api/v1/openapi.json`` is called with generated requests, valid and
invalid, as an administration and as an institution; a 5xx, an undocumented status, a wrong
content type or an answer that does not match the documented schema fails the run. Bounded
(``EXAMPLES`` per operation and mode). Runs in the normal suite and in CI; ``-m "not fuzz"``
leaves it out locally. Every request runs in the test's rolled-back transaction.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ACCOUNTS = ("bj.chaoyang.wjw", "inst.chaoyang1")
EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.fuzz
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(app, demo_logins, mode) -> None:
    headers = [{"Authorization": f"Bearer {demo_logins.tokens[u]}"} for u in ACCOUNTS]
    failures = []
    for operation in _operations(app):
        try:
            _fuzz(operation, mode, headers)
        except Unsatisfiable:  # nothing to get wrong: e.g. no input to make invalid
            continue
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def _fuzz(operation, mode, headers: list[dict]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        for auth in headers:  # the same generated request from either side
            case.call_and_validate(headers=auth, checks=CHECKS)

    check()
