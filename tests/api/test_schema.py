"""The API against its own OpenAPI schema: generated requests never get a 5xx, and answers match the schema.

Schemathesis builds requests from the schema for every operation and calls the app in-process, as an
authenticated user of a seeded node (SQLite and PostgreSQL); the number of examples per operation is kept
small so the whole run stays around a minute.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.conftest import Api
from factories import person
from ictdb.api.app import create_app

EXAMPLES = 4


def test_no_server_error_and_answers_match_the_schema(api: Api) -> None:
    person(api.node, api.actors["JO-GID"], "Abu Bakr al-Baghdadi", "أبو بكر البغدادي", distribution="members")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(api.node))
    headers = api.as_("JO-GID")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as exc:  # one line per broken operation, then fail with them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    assert operations > 20
    assert not failures, "\n\n".join(failures)
