"""The API's contract: every endpoint, pagination edges, If-Match, problems, tokens, languages."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from registry.api.models import ApiToken
from registry.audit.models import AuditEvent
from registry.extensions import db
from tests.registry.process_factories import sample

Call = Callable[..., Any]
P = "/api/v1"
VARIANT = f"{P}/municipalities/5001/processes/byggesak"
STANDARD = f"{P}/cooperations/digi-trondelag/standards/byggesak"


def _upload(
    call: Call,
    role: str | None,
    path: str = VARIANT,
    *,
    data: bytes | None = None,
    if_match: str | None = None,
    filename: str = "prosess.yaml",
    **form: str,
) -> Any:
    headers = {} if if_match is None else {"If-Match": if_match}
    body: dict[str, Any] = {
        "file": (io.BytesIO(data if data is not None else sample("5001")), filename),
        **form,
    }
    return call(
        "POST",
        path + "/versions",
        role,
        headers=headers,
        data=body,
        content_type="multipart/form-data",
    )


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json(force=True)
    assert body["status"] == status and body["code"] == code, body
    assert body["type"] == f"urn:kommuneprosess:problem:{code}"
    assert (
        body["title"] and body["detail"] and body["instance"] == response.request.path
    )
    return body


# --- reading ------------------------------------------------------------------------------------


def test_municipalities_list_filters_sorts_and_pages(call: Call) -> None:
    body = call("GET", f"{P}/municipalities").get_json()
    assert [m["number"] for m in body["items"]] == ["5001", "5030", "5035"]
    assert (
        body["total"] == 3
        and body["pages"] == 1
        and body["page"] == 1
        and body["per_page"] == 20
    )
    current = call("GET", f"{P}/municipalities?current=true").get_json()
    assert [m["number"] for m in current["items"]] == ["5001", "5035"]
    former = call("GET", f"{P}/municipalities?current=false").get_json()["items"]
    assert former[0]["number"] == "5030" and former[0]["successors"] == [
        {"number": "5001", "name": "Trondheim"}
    ]
    assert [
        m["number"]
        for m in call("GET", f"{P}/municipalities?q=stj").get_json()["items"]
    ] == ["5035"]
    assert [
        m["number"]
        for m in call("GET", f"{P}/municipalities?q=50&sort=-number").get_json()[
            "items"
        ]
    ] == ["5035", "5030", "5001"]
    assert (
        next(
            m["name"]
            for m in call("GET", f"{P}/municipalities?sort=name").get_json()["items"]
        )
        == "Klæbu"
    )


def test_pagination_edges_and_links(call: Call) -> None:
    first = call("GET", f"{P}/municipalities?per_page=2")
    body = first.get_json()
    assert len(body["items"]) == 2 and body["total"] == 3 and body["pages"] == 2
    assert (
        'rel="next"' in first.headers["Link"]
        and 'rel="prev"' not in first.headers["Link"]
    )
    last = call("GET", f"{P}/municipalities?per_page=2&page=2")
    assert [m["number"] for m in last.get_json()["items"]] == ["5035"]
    assert (
        'rel="prev"' in last.headers["Link"]
        and 'rel="next"' not in last.headers["Link"]
    )
    beyond = call("GET", f"{P}/municipalities?per_page=2&page=3").get_json()
    assert beyond["items"] == [] and beyond["total"] == 3
    empty = call("GET", f"{P}/municipalities?q=finnesikke").get_json()
    assert empty == {"items": [], "page": 1, "per_page": 20, "total": 0, "pages": 0}
    for bad in ("page=0", "per_page=0", "per_page=101", "page=x", "sort=population"):
        problem = _problem(call("GET", f"{P}/municipalities?{bad}"), 422, "validation")
        assert problem["errors"][0]["location"] == "query"
        assert problem["errors"][0]["field"] == bad.split("=")[0]


def test_municipality_cooperation_and_process_type(call: Call) -> None:
    trondheim = call("GET", f"{P}/municipalities/5001").get_json()
    assert trondheim["predecessors"] == [{"number": "5030", "name": "Klæbu"}]
    assert trondheim["cooperations"] == [
        {"slug": "digi-trondelag", "name": "DigiTrøndelag"}
    ]
    coop = call("GET", f"{P}/cooperations/digi-trondelag").get_json()
    assert sorted(m["municipality"]["number"] for m in coop["memberships"]) == [
        "5001",
        "5035",
    ]
    assert all(m["is_member_today"] for m in coop["memberships"])
    assert call("GET", f"{P}/cooperations").get_json()["total"] == 2
    types = call("GET", f"{P}/process-types").get_json()
    assert [t["slug"] for t in types["items"]] == ["byggesak"]
    assert (
        call("GET", f"{P}/process-types/byggesak")
        .get_json()["name_en"]
        .startswith("Building permit")
    )


def test_missing_things_are_problems_in_the_language_asked_for(call: Call) -> None:
    nb = _problem(call("GET", f"{P}/municipalities/9999"), 404, "not-found")
    assert (
        nb["detail"] == "Ingen kommune har nummeret 9999."
        and nb["title"] == "Finnes ikke"
    )
    en = _problem(
        call(
            "GET",
            f"{P}/municipalities/9999",
            headers={"Accept-Language": "en-GB,en;q=0.8"},
        ),
        404,
        "not-found",
    )
    assert (
        en["title"] == "Not found"
        and "9999" in en["detail"]
        and "Ingen" not in en["detail"]
    )
    _problem(call("GET", f"{P}/no-such-thing"), 404, "not-found")
    _problem(call("DELETE", f"{P}/municipalities"), 405, "method-not-allowed")
    _problem(call("GET", f"{P}/cooperations/finnes-ikke/standards"), 404, "not-found")
    _problem(
        call("GET", f"{P}/municipalities/5035/processes/byggesak"), 404, "not-found"
    )
    # A validation problem is worded in the language too.
    problem = _problem(call("GET", f"{P}/municipalities?page=0"), 422, "validation")
    assert problem["errors"][0]["message"] == "må være mellom 1 og 100000."


def test_the_language_cookie_does_not_decide_for_the_api(
    call: Call, api_site: Any
) -> None:
    app, _ids, _tokens = api_site
    client = app.test_client()
    client.set_cookie("lang", "en")
    body = client.get(f"{P}/municipalities/9999").get_json(force=True)
    assert body["title"] == "Finnes ikke"


def test_variant_versions_and_files(call: Call) -> None:
    response = call("GET", VARIANT)
    assert response.headers["ETag"] == '"v1"'
    assert response.get_json()["latest_version"] == 1
    listing = call("GET", f"{P}/municipalities/5001/processes").get_json()
    assert [v["process_type"]["slug"] for v in listing["items"]] == ["byggesak"]
    versions = call("GET", VARIANT + "/versions").get_json()
    assert [v["number"] for v in versions["items"]] == [1]
    version = call("GET", VARIANT + "/versions/1").get_json()
    assert version["author"] == "Tone Eier" and version["created_at"].endswith("+00:00")
    assert set(version["files"]) == {"svg", "png", "pdf", "bpmn", "yaml", "json"}
    bpmn = call("GET", version["files"]["bpmn"])
    assert (
        bpmn.status_code == 200
        and bpmn.mimetype == "application/xml"
        and b"<bpmn:definitions" in bpmn.data
    )
    by_accept = call(
        "GET", VARIANT + "/versions/1/file", headers={"Accept": "image/svg+xml"}
    )
    assert by_accept.mimetype == "image/svg+xml" and by_accept.data.lstrip().startswith(
        b"<"
    )
    assert (
        call("GET", VARIANT + "/versions/1/file").mimetype == "application/xml"
    )  # default: BPMN
    assert call("GET", VARIANT + "/versions/1/file?format=json").get_json()["steps"]
    _problem(
        call("GET", VARIANT + "/versions/1/file", headers={"Accept": "text/html"}),
        406,
        "not-acceptable",
    )
    _problem(call("GET", VARIANT + "/versions/1/file?format=docx"), 422, "validation")
    _problem(call("GET", VARIANT + "/versions/7"), 404, "not-found")


def test_standard_file_is_the_compared_version(call: Call) -> None:
    standard = call("GET", STANDARD).get_json()
    assert standard["compared_version"] == 1 and standard["latest_version"] == 1
    response = call("GET", STANDARD + "/file?format=bpmn")
    assert response.status_code == 200 and b"<bpmn:definitions" in response.data
    assert 'filename="byggesak-' in response.headers["Content-Disposition"]


def test_comparison_with_the_standard_in_bokmal_and_english(call: Call) -> None:
    anonymous = call("GET", VARIANT + "/comparisons/standard/digi-trondelag")
    # build_site saved the variant with its comparison computed inline.
    assert anonymous.status_code in (200, 202)
    body = call(
        "GET", VARIANT + "/comparisons/standard/digi-trondelag", "owner"
    ).get_json()
    assert body["status"] == "done" and 0 < body["similarity"]["overall"] <= 1
    assert (
        body["page"]
        == "/kommuner/5001/prosesser/byggesak/sammenlign/standard/digi-trondelag"
    )
    sentences = [d["text"] for d in body["result"]["differences"]]
    assert sentences and any("steg" in s.lower() for s in sentences), sentences
    english = call(
        "GET",
        VARIANT + "/comparisons/standard/digi-trondelag",
        "owner",
        headers={"Accept-Language": "en"},
    ).get_json()
    assert [d["kind"] for d in english["result"]["differences"]] == [
        d["kind"] for d in body["result"]["differences"]
    ]
    assert (
        english["result"]["differences"][0]["text"]
        != body["result"]["differences"][0]["text"]
    )


# --- writing ------------------------------------------------------------------------------------


def test_upload_needs_if_match_once_there_is_a_version(call: Call) -> None:
    problem = _problem(_upload(call, "owner"), 428, "version-required")
    assert '"v1"' in problem["detail"]
    created = _upload(call, "owner", if_match='"v1"', comment="Fra sak/arkiv")
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert (
        body["number"] == 2
        and body["comment"] == "Fra sak/arkiv"
        and body["source_format"] == "native"
    )
    assert created.headers["ETag"] == '"v2"' and created.headers["Location"].endswith(
        "/versions/2"
    )
    assert isinstance(body["problems"], list)
    # Somebody else's view of version 1 is now out of date: nothing is saved.
    conflict = _problem(
        _upload(call, "owner", if_match='"v1"'), 412, "version-conflict"
    )
    assert "2" in conflict["detail"]
    assert call("GET", VARIANT).get_json()["latest_version"] == 2
    # RFC 9110: a list of tags, compared strongly (a weak tag never matches); * matches any version.
    _problem(_upload(call, "owner", if_match='W/"v2"'), 412, "version-conflict")
    assert _upload(call, "owner", if_match='"v1", "v2"').status_code == 201
    assert _upload(call, "owner", if_match="*").status_code == 201
    for bad in ("3", "v3", '"3"', '"v3'):
        _problem(_upload(call, "owner", if_match=bad), 400, "bad-if-match")


def test_first_upload_of_a_new_process_needs_no_if_match(call: Call) -> None:
    response = _upload(
        call,
        "other_owner",
        f"{P}/municipalities/5035/processes/byggesak",
        data=sample("5035"),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["number"] == 1


def test_bad_files_are_refused_with_the_forms_message_and_nothing_saved(
    call: Call,
) -> None:
    problem = _problem(
        _upload(
            call, "owner", data=b"<definitions", filename="x.bpmn", if_match='"v1"'
        ),
        422,
        "format-error",
    )
    assert "x.bpmn" in problem["detail"] and problem["errors"][0]["field"] == "file"
    missing = call(
        "POST",
        VARIANT + "/versions",
        "owner",
        headers={"If-Match": '"v1"'},
        data={},
        content_type="multipart/form-data",
    )
    problem = _problem(missing, 422, "validation")
    assert problem["errors"] == [
        {
            "location": "files",
            "field": "file",
            "message": "mangler: send prosessfilen som multipart-feltet «file».",
        }
    ]
    assert call("GET", VARIANT).get_json()["latest_version"] == 1


def test_a_former_municipality_takes_no_uploads(call: Call) -> None:
    _problem(
        _upload(call, "owner", f"{P}/municipalities/5030/processes/byggesak"),
        409,
        "former-municipality",
    )


def test_write_scope_is_needed_and_rights_are_the_pages(call: Call) -> None:
    _problem(_upload(call, None, if_match='"v1"'), 401, "unauthorized")
    problem = _problem(
        _upload(call, "owner_read", if_match='"v1"'), 403, "insufficient-scope"
    )
    assert "read only" in problem["detail"]
    problem = _problem(_upload(call, "other_owner", if_match='"v1"'), 403, "forbidden")
    assert "Stjørdal" in problem["detail"] and "Trondheim" in problem["detail"]


def test_standard_upload_is_a_draft_for_coordinators(call: Call) -> None:
    problem = _problem(
        _upload(call, "owner", STANDARD, data=sample("standard"), if_match='"v1"'),
        403,
        "insufficient-scope",
    )
    assert "koordinere" in problem["detail"]
    _problem(
        _upload(
            call,
            "other_coordinator",
            STANDARD,
            data=sample("standard"),
            if_match='"v1"',
        ),
        403,
        "forbidden",
    )
    response = _upload(
        call, "coordinator", STANDARD, data=sample("standard"), if_match='"v1"'
    )
    assert response.status_code == 201 and response.get_json()["status"] == "draft"
    # The draft is the coordinator's and the members' owners' to read, not the public's.
    _problem(call("GET", STANDARD + "/versions/2"), 401, "unauthorized")
    assert call("GET", STANDARD + "/versions/2", "owner").status_code == 200
    _problem(
        call("GET", STANDARD + "/versions/2", "other_coordinator"), 403, "forbidden"
    )
    assert [
        v["number"] for v in call("GET", STANDARD + "/versions").get_json()["items"]
    ] == [1]
    assert [
        v["number"]
        for v in call("GET", STANDARD + "/versions", "coordinator").get_json()["items"]
    ] == [2, 1]
    # Members are still compared with the published version.
    assert call("GET", STANDARD).get_json()["compared_version"] == 1


def test_writes_are_audited_with_the_tokens_name(call: Call, api_site: Any) -> None:
    app, _ids, _tokens = api_site
    assert _upload(call, "owner", if_match='"v1"').status_code == 201
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "ProcessVersion")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert (
            event is not None
            and event.actor_label == "owner@trondheim.kommune.no (API: owner script)"
        )
        token_events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "ApiToken")
        ).all()
        assert token_events and all("token_hash" not in e.changes for e in token_events)


# --- tokens -------------------------------------------------------------------------------------


def test_revoked_expired_and_unknown_tokens_are_refused(
    call: Call, api_site: Any
) -> None:
    app, _ids, _tokens = api_site
    _problem(
        call(
            "GET",
            f"{P}/municipalities",
            headers={"Authorization": "Bearer kpr_unknown"},
        ),
        401,
        "invalid-token",
    )
    _problem(
        call("GET", f"{P}/municipalities", headers={"Authorization": "Basic abc"}),
        401,
        "unauthorized",
    )
    with app.app_context():
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.name == "owner script")
            .values(revoked_at=dt.datetime.now(dt.UTC))
        )
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.name == "read only")
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
        db.session.commit()
    response = call("GET", f"{P}/municipalities", "owner")
    _problem(response, 401, "invalid-token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    _problem(call("GET", f"{P}/municipalities", "owner_read"), 401, "invalid-token")
    assert call("GET", f"{P}/municipalities", "coordinator").status_code == 200


def test_last_used_is_recorded_without_an_audit_event(
    call: Call, api_site: Any
) -> None:
    app, _ids, _tokens = api_site
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    assert call("GET", f"{P}/municipalities", "coordinator").status_code == 200
    with app.app_context():
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.name == "coordinator script")
        )
        assert token is not None and token.last_used_at is not None
        assert (
            db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before
        )


def test_a_session_cookie_is_not_a_token(api_site: Any) -> None:
    """A signed-in browser cannot be made to write through the API (no CSRF token there)."""
    from tests.registry.process_factories import client_as

    app, _ids, _tokens = api_site
    client = client_as(app, "owner")
    response = client.post(
        VARIANT + "/versions",
        headers={"If-Match": '"v1"'},
        data={"file": (io.BytesIO(sample("5001")), "p.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 401
    assert client.get(f"{P}/municipalities").status_code == 200


def test_rate_limits_are_per_token(api_site: Any) -> None:
    from tests.registry.conftest import make_app
    from tests.registry.process_factories import build_site

    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    build_site(app)
    from tests.registry.api.conftest import make_tokens

    tokens = make_tokens(app)
    client = app.test_client()
    owner = {"Authorization": f"Bearer {tokens['owner']}"}
    statuses = [
        client.get(f"{P}/process-types", headers=owner).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    problem = client.get(f"{P}/process-types", headers=owner)
    assert (
        problem.mimetype == "application/problem+json"
        and problem.get_json(force=True)["code"] == "rate-limited"
    )
    assert "Retry-After" in problem.headers
    # Another token (and the anonymous caller) have their own allowance.
    assert (
        client.get(
            f"{P}/process-types",
            headers={"Authorization": f"Bearer {tokens['coordinator']}"},
        ).status_code
        == 200
    )
    assert client.get(f"{P}/process-types").status_code == 200


# --- coordination -------------------------------------------------------------------------------


def test_divergence_map_for_coordinators(call: Call) -> None:
    path = STANDARD + "/divergence"
    _problem(call("GET", path), 401, "unauthorized")
    _problem(call("GET", path, "owner"), 403, "forbidden")
    _problem(call("GET", path, "other_coordinator"), 403, "forbidden")
    body = call("GET", path, "coordinator").get_json()
    assert body["standard_version"] == 1 and body["without_process"] == ["5035"]
    assert body["columns"] and body["rows"][0]["municipality_number"] == "5001"
    assert len(body["rows"][0]["cells"]) == len(body["columns"])
    assert body["heatmap"]["municipality_numbers"] == ["5001"]
    problem = _problem(
        call("GET", path + "?date=31.12.2020", "coordinator"), 422, "validation"
    )
    assert problem["errors"][0]["field"] == "date"
    assert call("GET", path + "?date=2019-01-01", "admin").status_code == 200


# --- the description and its documentation ------------------------------------------------------


def test_openapi_description_is_3_1_and_names_every_route(api_site: Any) -> None:
    app, _ids, _tokens = api_site
    spec = app.test_client().get(f"{P}/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"][
            "description"
        ],
    }
    documented = {path for path in spec["paths"]}
    routes = {
        rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(P)
        and rule.endpoint.startswith("api_")
        and not rule.endpoint.startswith("api_docs")
    }
    assert routes == documented
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_docs_page_uses_installed_swagger_ui_only(api_site: Any) -> None:
    app, _ids, _tokens = api_site
    client = app.test_client()
    page = client.get(f"{P}/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "API-dokumentasjon" in html
    assert "https://" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    with client.get(f"{P}/docs/static/swagger-ui-bundle.js") as js:
        assert js.status_code == 200 and len(js.get_data()) > 100_000
    with client.get(f"{P}/docs/static/swagger-ui.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"
    assert client.get(f"{P}/docs/static/oauth2-redirect.html").status_code == 404


@pytest.mark.parametrize("path", ["/", "/kommuner/"])
def test_pages_keep_their_html_errors(api_site: Any, path: str) -> None:
    app, _ids, _tokens = api_site
    response = app.test_client().get(path + "finnes-ikke/x/y")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_flask_app_fixture_unused(app: Flask) -> None:
    """The plain app fixture still builds with the API registered (no second Api instance clash)."""
    assert app.test_client().get(f"{P}/openapi.json").status_code == 200


# --- harmonisation ------------------------------------------------------------------------------


def test_change_plans_and_gains_of_a_member(call: Call) -> None:
    plans = call("GET", VARIANT + "/change-plans").get_json()
    assert plans["hidden"] == 0 and len(plans["plans"]) == 1
    plan = plans["plans"][0]
    assert plan["cooperation"] == {"slug": "digi-trondelag", "name": "DigiTrøndelag"}
    assert plan["standard_version"] == 1 and plan["version"] == 1
    assert [c["text"] for c in plan["plan"]["changes"]] == [
        r["change"] for r in plan["changes"] if r["number"]
    ]
    english = call(
        "GET", VARIANT + "/change-plans", headers={"Accept-Language": "en"}
    ).get_json()["plans"][0]
    assert len(english["plan"]["changes"]) == len(plan["plan"]["changes"])
    gains = call("GET", VARIANT + "/gains").get_json()
    assert gains["hidden"] == 0 and gains["gains"][0]["baseline_version"] == 1
    assert (
        "hours" in gains["gains"][0]["estimate"]
        and gains["gains"][0]["estimate"]["assumptions"]
    )
    _problem(
        call("GET", f"{P}/municipalities/5035/processes/byggesak/change-plans"),
        404,
        "not-found",
    )


def test_a_plan_against_a_draft_is_hidden_from_those_who_may_not_see_it(
    call: Call, api_site: Any
) -> None:
    """Before anything is published members are compared with a draft: only its readers see the plan."""
    from registry.variants.models import ProcessVersion

    app, ids, _tokens = api_site
    with app.app_context():
        db.session.execute(
            update(ProcessVersion)
            .where(ProcessVersion.id == ids["standard_version_id"])
            .values(status="draft")
        )
        db.session.commit()
    anonymous = call("GET", VARIANT + "/change-plans").get_json()
    assert anonymous == {"plans": [], "hidden": 1}
    assert call("GET", VARIANT + "/gains").get_json() == {"gains": [], "hidden": 1}
    owner = call("GET", VARIANT + "/change-plans", "owner").get_json()
    assert owner["hidden"] == 0 and len(owner["plans"]) == 1
    assert (
        call("GET", VARIANT + "/change-plans", "other_coordinator").get_json()["hidden"]
        == 1
    )


def test_proposal_and_cooperation_gains_for_coordinators(call: Call) -> None:
    path = STANDARD + "/proposal"
    _problem(call("GET", path), 401, "unauthorized")
    _problem(call("GET", path, "owner"), 403, "forbidden")
    body = call(
        "GET", path + "?min_support=75&weighting=equal", "coordinator"
    ).get_json()
    assert body["status"] == "done" and body["settings"]["min_support"] == 75
    assert body["steps"] and all(isinstance(s["support"], str) for s in body["steps"])
    assert body["process"]["steps"] and body["summary"]
    problem = _problem(
        call("GET", path + "?min_support=55&weighting=x", "coordinator"),
        422,
        "validation",
    )
    assert {e["field"] for e in problem["errors"]} == {"min_support", "weighting"}
    gains = call("GET", STANDARD + "/gains", "coordinator").get_json()
    assert gains["standard_version"] == 1 and "members" in gains["gains"]
    _problem(call("GET", STANDARD + "/gains", "other_coordinator"), 403, "forbidden")


def test_docs_page_is_a_page_with_the_users_session_and_language(api_site: Any) -> None:
    from tests.registry.process_factories import client_as

    app, _ids, _tokens = api_site
    client = client_as(app, "owner")
    html = client.get(f"{P}/docs").get_data(as_text=True)
    assert "API-nøklene dine" in html and "Logg ut" in html
    client.set_cookie("lang", "en")
    assert "Your API tokens" in client.get(f"{P}/docs").get_data(as_text=True)


def test_uploads_have_their_own_smaller_allowance() -> None:
    from tests.registry.api.conftest import make_tokens
    from tests.registry.conftest import make_app
    from tests.registry.process_factories import build_site

    app = make_app(RATELIMIT_ENABLED=True, API_WRITE_RATE_LIMIT="1 per minute")
    build_site(app)
    tokens = make_tokens(app)
    client = app.test_client()
    owner = {"Authorization": f"Bearer {tokens['owner']}", "If-Match": "*"}

    def upload() -> int:
        data = {"file": (io.BytesIO(sample("5001")), "p.yaml")}
        return int(
            client.post(
                VARIANT + "/versions",
                headers=owner,
                data=data,
                content_type="multipart/form-data",
            ).status_code
        )

    assert [upload(), upload()] == [201, 429]
    assert client.get(VARIANT, headers=owner).status_code == 200  # reads go on


def test_links_are_built_from_the_path_not_from_the_callers_parameters(
    call: Call,
) -> None:
    for extra in (
        "endpoint=x",
        "_method=POST",
        "_anchor=x",
        "number=9999",
        "_external=1",
    ):
        response = call("GET", f"{P}/municipalities/5001/processes?per_page=1&{extra}")
        assert response.status_code == 200, extra
        link = response.headers["Link"]
        assert (
            link.startswith("</api/v1/municipalities/5001/processes?")
            and "#" not in link
            and "9999/" not in link
        )


def test_a_too_large_upload_is_a_problem_not_a_page() -> None:
    from tests.registry.api.conftest import make_tokens
    from tests.registry.conftest import make_app
    from tests.registry.process_factories import build_site

    app = make_app(MAX_CONTENT_LENGTH=20_000)
    build_site(app)
    tokens = make_tokens(app)
    response = app.test_client().post(
        VARIANT + "/versions",
        headers={"Authorization": f"Bearer {tokens['owner']}", "If-Match": '"v1"'},
        data={"file": (io.BytesIO(b"x" * 30_000), "big.bpmn")},
        content_type="multipart/form-data",
    )
    assert (
        response.status_code == 413 and response.mimetype == "application/problem+json"
    )
    assert "MB" in response.get_json(force=True)["detail"]


def test_method_not_allowed_says_which_are(call: Call) -> None:
    response = call("DELETE", VARIANT)
    _problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]


def test_outsiders_see_only_the_published_versions_of_a_standard(call: Call) -> None:
    assert (
        _upload(
            call, "coordinator", STANDARD, data=sample("standard"), if_match='"v1"'
        ).status_code
        == 201
    )
    public = call("GET", STANDARD)
    assert public.headers["ETag"] == '"v1"'
    assert (
        public.get_json()["latest_version"] == 1
        and public.get_json()["version_count"] == 1
    )
    listed = call("GET", f"{P}/cooperations/digi-trondelag/standards").get_json()[
        "items"
    ][0]
    assert listed["latest_version"] == 1 and listed["version_count"] == 1
    reader = call("GET", STANDARD, "owner")
    assert reader.headers["ETag"] == '"v2"' and reader.get_json()["version_count"] == 2


def test_the_allowance_is_shared_by_every_endpoint(api_site: Any) -> None:
    from tests.registry.api.conftest import make_tokens
    from tests.registry.conftest import make_app
    from tests.registry.process_factories import build_site

    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    build_site(app)
    tokens = make_tokens(app)
    client = app.test_client()
    owner = {"Authorization": f"Bearer {tokens['owner']}"}
    paths = [f"{P}/process-types", f"{P}/municipalities", f"{P}/cooperations", VARIANT]
    assert [client.get(path, headers=owner).status_code for path in paths] == [
        200,
        200,
        200,
        429,
    ]


def test_guessing_tokens_is_rate_limited() -> None:
    from tests.registry.conftest import make_app

    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute")
    client = app.test_client()
    bad = {"Authorization": "Bearer kpr_guess"}
    assert [
        client.get(f"{P}/process-types", headers=bad).status_code for _ in range(3)
    ] == [401, 401, 429]


def test_the_upload_form_is_described(api_site: Any) -> None:
    app, _ids, _tokens = api_site
    spec = app.test_client().get(f"{P}/openapi.json").get_json()
    operation = spec["paths"][
        f"{P}/municipalities/{{number}}/processes/{{slug}}/versions"
    ]["post"]
    assert operation["security"] == [{"bearerAuth": []}]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"][
        "$ref"
    ].rsplit("/", 1)[-1]
    assert {"file", "comment", "format"} <= set(
        spec["components"]["schemas"][body]["properties"]
    )
    assert set(operation["responses"]["201"]["headers"]) == {"Location", "ETag"}
