"""A small cooperation whose members' processes differ from the standard in known ways (shared by the divergence and standards tests)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from processes.formats import write_process
from processes.model import Flow, Process, Step
from registry.extensions import db as _db
from registry.graphs import parse_upload
from registry.variants.services import (
    get_or_create_standard,
    get_or_create_variant,
    save_version,
)
from tests.registry.conftest import (
    create_cooperation_row,
    create_membership_row,
    create_municipality_row,
    create_user_row,
    login,
)
from tests.registry.process_factories import create_process_type_row

EMAILS = {
    "owner": "owner@melhus.kommune.no",
    "coordinator": "coordinator@digi.no",
    "other_coordinator": "coordinator@vaernes.no",
    "admin": "admin@registry.no",
    "nobody": "nobody@registry.no",
}
ROLES = ("anonymous", "nobody", "owner", "other_coordinator", "coordinator", "admin")

STANDARD = ("Motta søknad", "Registrere søknaden", "Befaring", "Vurdere søknaden", "Fatte vedtak", "Arkivere")
VARIANTS = {
    # number: (name, labels)
    "5028": ("Melhus", ("Motta søknad", "Registrere søknaden", "Vurdere søknaden", "Fatte vedtak", "Arkivere")),
    "5031": (
        "Malvik",
        ("Motta søknad", "Registrere søknaden", "Befaring", "Vurdere søknaden", "Treffe avgjørelse i saken", "Arkivere"),
    ),
    "5035": (
        "Stjørdal",
        ("Motta søknad", "Registrere søknaden", "Vurdere søknaden", "Fatte vedtak", "Befaring", "Sende faktura", "Arkivere"),
    ),
    "5029": (
        "=Skaun",
        ("Motta søknad", "Registrere søknaden", "Befaring", "Vurdere søknaden", "Fatte vedtak", "Arkivere"),
    ),
}


def chain_bytes(labels: tuple[str, ...], name: str = "Byggesak") -> bytes:
    p = Process("p", name)
    for i, label in enumerate(labels):
        p.add_step(Step(f"s{i}", label))
        if i:
            p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    return write_process(p, "yaml")


def save(owner: Any, data: bytes, **kwargs: Any) -> Any:
    parsed = parse_upload(data, filename="p.yaml")
    return save_version(
        owner,
        content=parsed.content,
        step_count=parsed.step_count,
        source_format=parsed.source_format,
        source_filename="p.yaml",
        source_data=data,
        author=None,
        **kwargs,
    )


def build_map_world() -> dict[str, Any]:
    """DigiTrøndelag with four members (one without a process), a published standard, Værnesregionen apart."""
    digi = create_cooperation_row(name="DigiTrøndelag", slug="digi-trondelag")
    vaernes = create_cooperation_row(name="Værnesregionen", slug="vaernesregionen")
    municipalities = {}
    for number, (name, _labels) in VARIANTS.items():
        municipalities[number] = create_municipality_row(number=number, name=name)
        create_membership_row(digi, municipalities[number])
    municipalities["5032"] = create_municipality_row(number="5032", name="Selbu")
    create_membership_row(digi, municipalities["5032"])
    create_membership_row(vaernes, municipalities["5035"])
    users = {
        "owner": create_user_row(email=EMAILS["owner"], owner_of=[municipalities["5028"]]),
        "coordinator": create_user_row(email=EMAILS["coordinator"], coordinator_of=[digi]),
        "other_coordinator": create_user_row(email=EMAILS["other_coordinator"], coordinator_of=[vaernes]),
        "admin": create_user_row(email=EMAILS["admin"], is_admin=True),
        "nobody": create_user_row(email=EMAILS["nobody"]),
    }
    process_type = create_process_type_row()
    standard = get_or_create_standard(digi, process_type)
    save(standard, chain_bytes(STANDARD), status="published")
    for number, (_name, labels) in VARIANTS.items():
        save(get_or_create_variant(municipalities[number], process_type), chain_bytes(labels))
    return {"digi": digi, "vaernes": vaernes, "municipalities": municipalities, "users": users, "process_type": process_type}


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    with app.app_context():
        build_map_world()
        _db.session.commit()
    return {"coop": "digi-trondelag", "slug": "byggesak"}


def client_as(app: Flask, role: str, lang: str = "en") -> FlaskClient:
    """A client signed in as ``role`` whose browser asks for ``lang``."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    if role != "anonymous":
        login(client, EMAILS[role])
    return client
