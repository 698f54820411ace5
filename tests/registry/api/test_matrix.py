"""The role × action matrix through the API: the pages' rules, with 401 for «sign in» and 403 for «not you».

Each role calls with a token that has every scope the role can have (see conftest.SCOPES; a
coordinator cannot have «write», so its upload of a municipality's process is refused by the
scope as the page refuses the person); narrower tokens are tested in test_contract.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from registry.cooperations.services import get_cooperation
from registry.extensions import db as _db
from registry.process_types.services import get_process_type
from tests.registry.api.conftest import make_tokens
from tests.registry.conftest import make_app
from tests.registry.process_factories import (
    ROLES,
    build_site,
    create_standard_version,
    sample,
)

P = "/api/v1"
STANDARD = f"{P}/cooperations/digi-trondelag/standards/byggesak"


@pytest.fixture(scope="module")
def matrix_site() -> Iterator[tuple[Flask, dict[str, str]]]:
    """build_site's world plus a draft version 2 of DigiTrøndelag's standard."""
    app = make_app()
    build_site(app)
    with app.app_context():
        create_standard_version(
            get_cooperation("digi-trondelag"),
            get_process_type("byggesak"),
            status="draft",
        )
        _db.session.commit()
    tokens = make_tokens(app)
    yield app, tokens
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _upload(number: str | None = None) -> dict[str, Any]:
    data = sample("standard") if number is None else sample("5001")
    return {
        "data": {"file": (io.BytesIO(data), "p.yaml")},
        "content_type": "multipart/form-data",
    }


# (method, path, request keyword arguments)
ACTIONS: dict[str, tuple[str, str, Any]] = {
    "list municipalities": ("GET", f"{P}/municipalities", dict),
    "read a municipality's version": (
        "GET",
        f"{P}/municipalities/5001/processes/byggesak/versions/1",
        dict,
    ),
    "download a municipality's version": (
        "GET",
        f"{P}/municipalities/5001/processes/byggesak/versions/1/file?format=yaml",
        dict,
    ),
    "read the published standard": ("GET", f"{STANDARD}/versions/1", dict),
    "read the draft standard": ("GET", f"{STANDARD}/versions/2", dict),
    "read a change plan": (
        "GET",
        f"{P}/municipalities/5001/processes/byggesak/change-plans",
        dict,
    ),
    "read the divergence map": ("GET", f"{STANDARD}/divergence", dict),
    "read the proposal": ("GET", f"{STANDARD}/proposal", dict),
    "read the cooperation's gains": ("GET", f"{STANDARD}/gains", dict),
    "upload own process": (
        "POST",
        f"{P}/municipalities/5001/processes/byggesak/versions",
        lambda: _upload("5001"),
    ),
    "upload other municipality's process": (
        "POST",
        f"{P}/municipalities/5035/processes/byggesak/versions",
        lambda: _upload("5035"),
    ),
    "upload a standard version": ("POST", f"{STANDARD}/versions", _upload),
}

OK, CREATED, LOGIN, DENY = 200, 201, 401, 403

#                                       anonymous owner  other_owner coordinator other_coord admin
EXPECTED: dict[str, tuple[int, ...]] = {
    "list municipalities": (OK, OK, OK, OK, OK, OK),
    "read a municipality's version": (OK, OK, OK, OK, OK, OK),
    "download a municipality's version": (OK, OK, OK, OK, OK, OK),
    "read the published standard": (OK, OK, OK, OK, OK, OK),
    # Owners of members read the drafts they are compared with; Værnesregionen's coordinator does not.
    "read the draft standard": (LOGIN, OK, OK, OK, DENY, OK),
    "read a change plan": (OK, OK, OK, OK, OK, OK),
    "read the divergence map": (LOGIN, DENY, DENY, OK, DENY, OK),
    "read the proposal": (LOGIN, DENY, DENY, OK, DENY, OK),
    "read the cooperation's gains": (LOGIN, DENY, DENY, OK, DENY, OK),
    "upload own process": (LOGIN, CREATED, DENY, DENY, DENY, CREATED),
    "upload other municipality's process": (LOGIN, DENY, CREATED, DENY, DENY, CREATED),
    "upload a standard version": (LOGIN, DENY, DENY, CREATED, DENY, CREATED),
}

CASES = [
    pytest.param(action, role, EXPECTED[action][i], id=f"{action}-{role}")
    for action in ACTIONS
    for i, role in enumerate(ROLES)
]


def test_matrix_covers_every_action() -> None:
    assert set(EXPECTED) == set(ACTIONS)
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_role_action_matrix(
    matrix_site: tuple[Flask, dict[str, str]], action: str, role: str, expected: int
) -> None:
    app, tokens = matrix_site
    method, path, make_kwargs = ACTIONS[action]
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        headers["Authorization"] = f"Bearer {tokens[role]}"
    if method == "POST":
        # As a client does: build on the newest version it can see (none yet: no If-Match).
        etag = client.get(path.removesuffix("/versions"), headers=headers).headers.get(
            "ETag"
        )
        if etag and etag != '"v0"':
            headers["If-Match"] = etag
    response = app.test_client().open(
        path, method=method, headers=headers, **make_kwargs()
    )
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if expected >= 400:
        problem = response.get_json(force=True)
        assert response.mimetype == "application/problem+json" and problem["detail"]
