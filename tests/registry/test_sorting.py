"""Norwegian alphabetical order everywhere names are listed: a–z, then æ, ø, å (Ørland before Åfjord)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from processes.divergence import divergence_map
from processes.harmonise import join_names
from processes.samples import standard, variants
from processes.text import norwegian_key
from registry.cooperations.services import list_cooperations
from registry.divergence.services import search_steps
from registry.extensions import db
from registry.i18n import norwegian_key as registry_norwegian_key
from registry.process_types.services import list_process_types
from tests.registry.conftest import (
    create_cooperation_row,
    create_membership_row,
    create_municipality_row,
    create_user_row,
    login,
)
from tests.registry.process_factories import (
    create_process_type_row,
    create_standard_version,
    create_variant_version,
)

# Python's own order (code points) gives Å (U+00C5) before Æ (U+00C6) before Ø (U+00D8).
NORWEGIAN = ["Agdenes", "Zeta", "Ærfjord", "Ørland", "Åfjord"]


# --- the key -------------------------------------------------------------------------------------


def test_ae_oe_aa_come_after_z_in_that_order() -> None:
    assert sorted(["Åfjord", "Ørland", "Zeta", "Ærfjord", "Agdenes"], key=norwegian_key) == NORWEGIAN
    assert sorted(NORWEGIAN) != NORWEGIAN  # what a plain sort gets wrong


def test_the_order_ignores_case() -> None:
    names = ["åfjord", "Ørland", "ærfjord", "Zeta", "agdenes", "Bø"]
    assert sorted(names, key=norwegian_key) == ["agdenes", "Bø", "Zeta", "ærfjord", "Ørland", "åfjord"]
    assert norwegian_key("ØRLAND")[0] == norwegian_key("ørland")[0]


def test_aa_is_not_read_as_aa_with_ring() -> None:
    """«Aa» is two a's (among the A's), not the old spelling of «Å»: official names use «Å»."""
    assert sorted(["Åfjord", "Aafjord", "Abel"], key=norwegian_key) == ["Aafjord", "Abel", "Åfjord"]


def test_other_accents_sort_with_their_base_letter() -> None:
    assert sorted(["Kautokeino", "Kárášjohka", "Karmøy"], key=norwegian_key) == [
        "Kárášjohka",
        "Karmøy",
        "Kautokeino",
    ]
    assert sorted(["Ørsta", "Östersund", "Oslo"], key=norwegian_key) == ["Oslo", "Ørsta", "Östersund"]


def test_equal_letters_keep_a_fixed_order() -> None:
    assert sorted(["bø", "Bø"], key=norwegian_key) == sorted(["Bø", "bø"], key=norwegian_key)


def test_the_registry_and_the_engine_sort_alike() -> None:
    for name in ["Åfjord", "Ørland", "Ærfjord", "aafjord", "Kárášjohka"]:
        assert registry_norwegian_key(name) == norwegian_key(name)


# --- engine lists --------------------------------------------------------------------------------


def test_divergence_map_sorts_members_by_name_in_norwegian_order() -> None:
    found = variants("innsyn")
    keys = sorted(found)[:5]
    names = dict(zip(keys, ["Åfjord", "Ørland", "Zeta", "Ærfjord", "Agdenes"], strict=True))
    m = divergence_map(standard("innsyn"), {k: found[k] for k in keys}, names=names, compute_pairwise=False)
    assert [r.name for r in m.sorted_rows("name")] == NORWEGIAN
    assert [r.name for r in m.sorted_rows("name", descending=True)] == NORWEGIAN[::-1]


def test_joined_names_are_in_norwegian_order() -> None:
    assert join_names(["Åfjord", "Ørland", "Agdenes"]) == "Agdenes, Ørland og Åfjord"


# --- pages and services ----------------------------------------------------------------------------


def _members(app: Flask, *, with_variants: bool = True) -> dict[str, Any]:
    """Trondheim, Åfjord, Ørland, Agdenes and Ærfjord in one cooperation, each with a byggesak process."""
    with app.app_context():
        coop = create_cooperation_row()
        process_type = create_process_type_row()
        create_standard_version(coop, process_type)
        rows = [
            create_municipality_row(number="5001", name="Trondheim"),
            create_municipality_row(number="5058", name="Åfjord"),
            create_municipality_row(number="5057", name="Ørland"),
            create_municipality_row(number="5016", name="Agdenes"),
            create_municipality_row(number="5099", name="Ærfjord"),
        ]
        for municipality in rows:
            create_membership_row(coop, municipality)
            if with_variants:
                create_variant_version(municipality, process_type)
        owner = create_user_row(email="eier@trondheim.kommune.no", owner_of=[rows[0]])
        db.session.commit()
        return {"cooperation": coop.slug, "owner": owner.email}


def _order(html: str, names: list[str]) -> list[str]:
    """The names in the order they first appear in ``html``."""
    positions = {name: html.find(name) for name in names}
    assert all(p >= 0 for p in positions.values()), positions
    return sorted(names, key=positions.__getitem__)


def test_the_member_dropdown_lists_the_other_members_in_norwegian_order(app: Flask) -> None:
    world = _members(app)
    client = app.test_client()
    login(client, world["owner"])
    html = client.get("/kommuner/5001/prosesser/byggesak").get_data(as_text=True)
    select = re.search(r'<select id="compare-with".*?</select>', html, re.DOTALL)
    assert select is not None
    # The first option asks for a choice («Velg en kommune», no value); the members follow in Norwegian order.
    options = re.findall(r'<option value="([^"]*)">([^<]+)</option>', select.group(0))
    assert options[0][0] == ""
    assert [name for _value, name in options[1:]] == ["Agdenes", "Ærfjord", "Ørland", "Åfjord"]


def test_the_municipality_list_is_in_norwegian_order(app: Flask) -> None:
    _members(app, with_variants=False)
    html = app.test_client().get("/kommuner/").get_data(as_text=True)
    assert _order(html, ["Trondheim", "Åfjord", "Ørland", "Agdenes", "Ærfjord"]) == [
        "Agdenes",
        "Trondheim",
        "Ærfjord",
        "Ørland",
        "Åfjord",
    ]


def test_the_municipality_search_is_in_norwegian_order(app: Flask) -> None:
    _members(app, with_variants=False)
    html = app.test_client().get("/kommuner/?q=d").get_data(as_text=True)  # a d in every name
    main = html[html.index("<main") :]
    assert _order(main, ["Trondheim", "Åfjord", "Ørland", "Agdenes", "Ærfjord"]) == [
        "Agdenes",
        "Trondheim",
        "Ærfjord",
        "Ørland",
        "Åfjord",
    ]


def test_the_cooperation_lists_its_members_in_norwegian_order(app: Flask) -> None:
    world = _members(app, with_variants=False)
    html = app.test_client().get(f"/samarbeid/{world['cooperation']}").get_data(as_text=True)
    main = html[html.index("<main") :]
    assert _order(main, ["Trondheim", "Åfjord", "Ørland", "Agdenes", "Ærfjord"]) == [
        "Agdenes",
        "Trondheim",
        "Ærfjord",
        "Ørland",
        "Åfjord",
    ]


def test_the_process_type_page_lists_municipalities_in_norwegian_order(app: Flask) -> None:
    _members(app)
    html = app.test_client().get("/prosesstyper/byggesak").get_data(as_text=True)
    main = html[html.index("<main") :]
    assert _order(main, ["Trondheim", "Åfjord", "Ørland", "Agdenes", "Ærfjord"]) == [
        "Agdenes",
        "Trondheim",
        "Ærfjord",
        "Ørland",
        "Åfjord",
    ]


def test_step_search_lists_equally_good_members_in_norwegian_order(app: Flask) -> None:
    _members(app)
    with app.app_context():
        coop = list_cooperations()[0]
        [(_type, groups, _without)] = search_steps(coop, "vedtak")
        names = [g.member.municipality.name for g in groups]
    # Every member has the same process, so every one matches equally well.
    assert names == ["Agdenes", "Trondheim", "Ærfjord", "Ørland", "Åfjord"]


@pytest.mark.parametrize("kind", ["cooperations", "process types"])
def test_catalogue_lists_are_in_norwegian_order(app: Flask, kind: str) -> None:
    with app.app_context():
        for i, name in enumerate(["Åsnes-samarbeidet", "Ørsta-samarbeidet", "Alvdal-samarbeidet"]):
            if kind == "cooperations":
                create_cooperation_row(name=name, slug=f"s{i}")
            else:
                create_process_type_row(slug=f"t{i}", name_nb=name, name_en=None)
        db.session.commit()
        rows = list_cooperations() if kind == "cooperations" else list_process_types()
        names = [r.name if kind == "cooperations" else r.name_nb for r in rows]
    assert names == ["Alvdal-samarbeidet", "Ørsta-samarbeidet", "Åsnes-samarbeidet"]
