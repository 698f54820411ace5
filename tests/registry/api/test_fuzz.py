"""Fuzzing the API against its own OpenAPI description with schemathesis.

For every operation schemathesis generates requests from the description (valid and
invalid parameters, bodies, headers) and checks every response: no 500, the status is
documented, the content type and body match the documented schema. Anonymous callers,
a process owner's token and a coordinator's token each get their own run.

Bounded: ``REGISTRY_FUZZ_EXAMPLES`` examples per operation and role (default 15; CI sets
it), no deadline per example (the first drawing of a process takes a while), and only the
checks named below.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registry.extensions import db as _db
from tests.registry.api.conftest import make_tokens
from tests.registry.conftest import make_app
from tests.registry.process_factories import build_site

EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_site() -> Iterator[tuple[Flask, dict[str, str]]]:
    # Limits on the size of what schemathesis may send, as a real deployment has them.
    app = make_app(MAX_CONTENT_LENGTH=256 * 1024, UPLOAD_MAX_STEPS=200)
    build_site(app)
    tokens = make_tokens(app)
    yield app, tokens
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _operations(app: Flask) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_is_fuzzed(fuzz_site: tuple[Flask, dict[str, str]]) -> None:
    app, _tokens = fuzz_site
    labels = {op.label for op in _operations(app)}
    assert "POST /api/v1/municipalities/{number}/processes/{slug}/versions" in labels
    assert len(labels) >= 18


@pytest.mark.parametrize("role", [None, "owner", "coordinator"])
def test_api_conforms_to_its_description(
    fuzz_site: tuple[Flask, dict[str, str]], role: str | None
) -> None:
    """Each operation, each role: generated requests, every response checked against the description.

    (schemathesis' own pytest plugin cannot be used with pytest 9: it reads a private
    attribute of pytest's test items; the strategies and checks are the same.)
    """
    app, tokens = fuzz_site
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
    for operation in _operations(app):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            phases=[Phase.explicit, Phase.generate],
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as error:
            raise AssertionError(
                f"{operation.label} as {role or 'anonymous'}: {error}"
            ) from error
