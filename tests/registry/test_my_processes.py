"""«Mine prosesser»: the signed-in user's start page, and a municipality's page listing its processes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from registry.comparisons.models import Comparison
from registry.extensions import db
from registry.harmonisation.services import plans_for_variant
from registry.municipalities.services import get_municipality
from registry.process_types.services import get_process_type
from registry.variants.models import ProcessVersion, Variant
from tests.registry.conftest import create_user_row, login
from tests.registry.process_factories import (
    build_site,
    build_world,
    client_as,
    create_process_type_row,
    create_standard_version,
    create_variant_version,
    sample,
)


def _page(client: Any) -> str:
    response = client.get("/mine-prosesser")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


# --- access and navigation -------------------------------------------------------------------------


def test_anonymous_visitors_are_asked_to_sign_in(app: Flask) -> None:
    response = app.test_client().get("/mine-prosesser")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logg-inn?next=")


def test_signing_in_lands_on_my_processes(app: Flask) -> None:
    build_site(app)
    response = app.test_client().post("/logg-inn", data={"email": "owner@trondheim.kommune.no", "password": "a long test password"})
    assert response.headers["Location"] == "/mine-prosesser"


def test_signing_in_from_another_page_returns_there(app: Flask) -> None:
    build_site(app)
    response = app.test_client().post(
        "/logg-inn?next=/kommuner/5001", data={"email": "owner@trondheim.kommune.no", "password": "a long test password"}
    )
    assert response.headers["Location"] == "/kommuner/5001"


def test_the_header_links_my_processes_for_signed_in_users_only(app: Flask) -> None:
    build_site(app)
    nav = re.compile(r'<nav class="main-nav".*?</nav>', re.DOTALL)
    anonymous = nav.search(app.test_client().get("/").get_data(as_text=True))
    assert anonymous is not None and "/mine-prosesser" not in anonymous.group(0)
    signed_in = nav.search(client_as(app, "owner").get("/").get_data(as_text=True))
    assert signed_in is not None
    assert '<a href="/mine-prosesser">Mine prosesser</a>' in signed_in.group(0)
    on_the_page = nav.search(_page(client_as(app, "owner")))
    assert on_the_page is not None and 'href="/mine-prosesser" aria-current="page"' in on_the_page.group(0)


# --- the process owner ------------------------------------------------------------------------------


def test_the_owner_sees_their_process_with_its_similarity_and_open_changes(app: Flask) -> None:
    build_site(app)
    with app.app_context():
        variant = db.session.scalar(select(Variant))
        assert variant is not None
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.variant_id == variant.id))
        assert version is not None
        comparison = db.session.scalar(select(Comparison).where(Comparison.version_b_id == version.id))
        assert comparison is not None and comparison.status == "done" and comparison.overall is not None
        similarity = round(comparison.overall * 100)
        [member_plan] = plans_for_variant(variant, version)
        changes, _justified = member_plan.entries()
        open_changes = len(changes)
    assert open_changes > 0  # Trondheim's sample departs from the standard
    main = _main(_page(client_as(app, "owner")))
    assert "Trondheim" in main and "Byggesak – søknad om tillatelse i ett trinn" in main
    assert 'href="/kommuner/5001/prosesser/byggesak"' in main
    assert f'<a href="/kommuner/5001/prosesser/byggesak/sammenlign/standard/digi-trondelag">{similarity} %</a>' in main
    assert f'<a href="/kommuner/5001/prosesser/byggesak/endringsplan#plan-digi-trondelag">{open_changes}</a>' in main
    assert "Ingenting trenger oppmerksomheten din nå." in main
    assert "Stjørdal" not in main  # not theirs


def test_a_change_marked_done_is_no_longer_open(app: Flask) -> None:
    build_site(app)
    with app.app_context():
        variant = db.session.scalar(select(Variant))
        assert variant is not None
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.variant_id == variant.id))
        assert version is not None
        [member_plan] = plans_for_variant(variant, version)
        changes, _justified = member_plan.entries()
        before = len(changes)
        first = changes[0].key.encode()
    owner = client_as(app, "owner")
    response = owner.post(
        "/kommuner/5001/prosesser/byggesak/endringsplan/digi-trondelag/status",
        data={"key": first, "status": "done"},
    )
    assert response.status_code == 302
    main = _main(_page(owner))
    assert f"#plan-digi-trondelag\">{before - 1}</a>" in main


def test_a_process_type_with_a_standard_but_no_process_needs_attention(app: Flask) -> None:
    build_site(app)
    with app.app_context():
        from registry.cooperations.services import get_cooperation

        startlan = create_process_type_row(slug="startlan", name_nb="Startlån", name_en="Start-up loan")
        create_standard_version(get_cooperation("digi-trondelag"), startlan, sample("standard", "startlan"))
        db.session.commit()
    main = _main(_page(client_as(app, "owner")))
    assert "Ingen prosess er registrert for «Startlån», selv om DigiTrøndelag har en standard for den." in main
    assert 'href="/kommuner/5001/prosesser/startlan/last-opp"' in main


def test_a_comparison_still_computing_needs_attention(app: Flask) -> None:
    build_site(app)
    with app.app_context():
        comparison = db.session.scalar(select(Comparison))
        assert comparison is not None
        comparison.status = "pending"
        db.session.commit()
    main = _main(_page(client_as(app, "owner")))
    assert "Sammenligningen av «Byggesak – søknad om tillatelse i ett trinn» med standarden til DigiTrøndelag beregnes fortsatt." in main
    assert "beregnes nå" in main  # the similarity cell says so too


def test_a_newer_standard_than_the_one_compared_needs_attention(app: Flask) -> None:
    build_site(app)
    with app.app_context():
        from registry.cooperations.services import get_cooperation

        new = create_standard_version(get_cooperation("digi-trondelag"), get_process_type("byggesak"))
        # As if the comparisons with the new version were not made yet.
        db.session.execute(delete(Comparison).where(Comparison.version_a_id == new.id))
        db.session.commit()
        number = new.number
    main = _main(_page(client_as(app, "owner")))
    assert (
        f"DigiTrøndelag har en nyere standard for «Byggesak – søknad om tillatelse i ett trinn» (versjon {number}) "
        f"enn den prosessen din sist ble sammenlignet med (versjon {number - 1})."
    ) in main
    assert "Sammenlign med den nye standarden" in main


def test_a_process_never_compared_needs_attention(app: Flask) -> None:
    build_site(app)
    with app.app_context():
        db.session.execute(delete(Comparison))
        db.session.commit()
    main = _main(_page(client_as(app, "owner")))
    assert "«Byggesak – søknad om tillatelse i ett trinn» er ikke sammenlignet med standarden til DigiTrøndelag ennå." in main
    assert "ikke sammenlignet" in main


def test_a_process_registered_under_a_merged_municipality_is_the_successors(app: Flask) -> None:
    build_site(app, with_variant=False)
    with app.app_context():
        create_variant_version(get_municipality("5030"), get_process_type("byggesak"))
        db.session.commit()
    main = _main(_page(client_as(app, "owner")))
    assert 'href="/kommuner/5030/prosesser/byggesak"' in main
    assert "registrert under Klæbu" in main


def test_a_user_without_roles_is_told_how_to_get_them(app: Flask) -> None:
    with app.app_context():
        create_user_row(email="ny@kommune.no")
        db.session.commit()
    client = app.test_client()
    login(client, "ny@kommune.no")
    main = _main(_page(client))
    assert "Du er ikke prosesseier for en kommune" in main


# --- the coordinator --------------------------------------------------------------------------------


def test_the_coordinator_sees_the_process_types_with_their_tools(app: Flask) -> None:
    build_site(app)
    main = _main(_page(client_as(app, "coordinator")))
    assert "Samarbeid du koordinerer" in main
    row = re.search(r"<tr>\s*<th scope=\"row\"><a href=\"/samarbeid/digi-trondelag/standarder/byggesak\">.*?</tr>", main, re.DOTALL)
    assert row is not None, main
    cells = row.group(0)
    assert "1 av 2" in cells  # Trondheim has a process, Stjørdal not
    for href in (
        "/samarbeid/digi-trondelag/avvik/byggesak",
        "/samarbeid/digi-trondelag/forslag/byggesak",
        "/samarbeid/digi-trondelag/endringsplaner/byggesak",
        "/samarbeid/digi-trondelag/utvikling/byggesak",
    ):
        assert f'href="{href}"' in cells
    assert "/samarbeid/vaernesregionen" not in main  # not theirs


@pytest.mark.parametrize("role", ["owner", "coordinator"])
def test_every_link_on_my_processes_works(app: Flask, role: str) -> None:
    build_site(app)
    client = client_as(app, role)
    main = _main(_page(client))
    links = sorted({h for h in re.findall(r'href="(/[^"#]*)', main)})
    assert links
    for href in links:
        assert client.get(href).status_code == 200, href


def test_the_page_is_in_english_when_asked(app: Flask) -> None:
    build_site(app)
    client = client_as(app, "owner")
    client.get("/sprak/en")
    main = _main(_page(client))
    assert "My processes" in main and "Open changes" in main and "Nothing needs your attention now." in main


# --- a municipality's page --------------------------------------------------------------------------


def test_a_municipality_page_lists_its_registered_processes(app: Flask) -> None:
    build_site(app)
    main = _main(app.test_client().get("/kommuner/5001").get_data(as_text=True))
    assert "Registrerte prosesser" in main
    assert '<a href="/kommuner/5001/prosesser/byggesak">Byggesak – søknad om tillatelse i ett trinn</a>' in main


def test_a_municipality_without_processes_says_so(app: Flask) -> None:
    build_site(app)
    main = _main(app.test_client().get("/kommuner/5035").get_data(as_text=True))
    assert "Ingen prosess er registrert for Stjørdal ennå." in main
    assert "/prosesser/" not in main


def test_a_municipality_page_lists_the_processes_of_the_municipalities_merged_into_it(app: Flask) -> None:
    with app.app_context():
        world = build_world()
        create_variant_version(world["klaebu"], world["process_type"])
        db.session.commit()
    main = _main(app.test_client().get("/kommuner/5001").get_data(as_text=True))
    assert 'href="/kommuner/5030/prosesser/byggesak"' in main
    assert "registrert under Klæbu" in main


def test_the_start_page_opens_when_a_change_plan_cannot_be_made(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import registry.harmonisation.services
    from processes.exceptions import ProcessError

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ProcessError("the classes could not be built")

    build_site(app)
    monkeypatch.setattr(registry.harmonisation.services, "plans_for_variant", broken)
    main = _main(_page(client_as(app, "owner")))
    row = re.search(r"<tr>\s*<th scope=\"row\"><a href=\"/kommuner/5001/prosesser/byggesak\">.*?</tr>", main, re.DOTALL)
    assert row is not None
    assert " %</a>" in row.group(0)  # the similarity is still there
    assert row.group(0).rstrip().endswith('<td class="number">–</td>\n  </tr>')
