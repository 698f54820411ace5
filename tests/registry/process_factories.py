"""Factories for process types, variants, standards and versions (call inside an app context; they flush)."""

from __future__ import annotations

from typing import Any

from processes.samples import sample_bytes
from registry.cooperations.models import Cooperation
from registry.extensions import db
from registry.graphs import parse_upload
from registry.municipalities.models import Municipality
from registry.process_types.models import ProcessType
from registry.users.models import User
from registry.variants.models import ProcessVersion
from registry.variants.services import (
    get_or_create_standard,
    get_or_create_variant,
    save_version,
)

__all__ = ["EMAILS", "ROLES", "build_site", "build_world", "client_as", "create_process_type_row", "create_standard_version", "create_variant_version", "sample"]


def sample(name: str = "standard", case: str = "byggesak") -> bytes:
    """A bundled sample process as YAML bytes ("standard" or a kommunenummer such as "5001")."""
    return sample_bytes(case, name)


def create_process_type_row(**overrides: Any) -> ProcessType:
    values: dict[str, Any] = {
        "slug": "byggesak",
        "name_nb": "Byggesak – søknad om tillatelse i ett trinn",
        "name_en": "Building permit – one-step application",
        "legal_basis": "Plan- og bygningsloven § 20-1",
    }
    values.update(overrides)
    row = ProcessType(**values)
    db.session.add(row)
    db.session.flush()
    return row


def _save(owner: Any, data: bytes, *, author: User | None, filename: str, **kwargs: Any) -> ProcessVersion:
    parsed = parse_upload(data, filename=filename)
    return save_version(
        owner,
        content=parsed.content,
        step_count=parsed.step_count,
        source_format=parsed.source_format,
        source_filename=filename,
        source_data=data,
        author=author,
        **kwargs,
    )


def create_variant_version(
    municipality: Municipality,
    process_type: ProcessType,
    data: bytes | None = None,
    *,
    author: User | None = None,
    filename: str = "prosess.yaml",
    comment: str = "",
) -> ProcessVersion:
    variant = get_or_create_variant(municipality, process_type)
    return _save(variant, data or sample("5001"), author=author, filename=filename, comment=comment)


def create_standard_version(
    cooperation: Cooperation,
    process_type: ProcessType,
    data: bytes | None = None,
    *,
    author: User | None = None,
    status: str = "published",
    filename: str = "standard.yaml",
) -> ProcessVersion:
    standard = get_or_create_standard(cooperation, process_type)
    return _save(standard, data or sample("standard"), author=author, filename=filename, status=status)


# --- a small world: two municipalities of one cooperation, one user per role ----------------

EMAILS = {
    "owner": "owner@trondheim.kommune.no",
    "other_owner": "owner@stjordal.kommune.no",
    "coordinator": "coordinator@digi.no",
    "other_coordinator": "coordinator@vaernes.no",
    "admin": "admin@registry.no",
}


def build_world(*, with_standard: bool = True) -> dict[str, Any]:
    """Trondheim (Klæbu merged into it) and Stjørdal in DigiTrøndelag; Værnesregionen with Stjørdal only.

    Users: owner (Trondheim), other_owner (Stjørdal), coordinator (DigiTrøndelag),
    other_coordinator (Værnesregionen), admin. One process type (byggesak) whose
    DigiTrøndelag standard has a published version when ``with_standard``.
    """
    import datetime as dt

    from tests.registry.conftest import (
        create_cooperation_row,
        create_membership_row,
        create_municipality_row,
        create_user_row,
    )

    trondheim = create_municipality_row(number="5001", name="Trondheim")
    klaebu = create_municipality_row(
        number="5030", name="Klæbu", valid_from=dt.date(2018, 1, 1), valid_to=dt.date(2019, 12, 31), successors=["5001"]
    )
    stjordal = create_municipality_row(number="5035", name="Stjørdal")
    digi = create_cooperation_row(name="DigiTrøndelag", slug="digi-trondelag")
    vaernes = create_cooperation_row(name="Værnesregionen", slug="vaernesregionen")
    create_membership_row(digi, trondheim)
    create_membership_row(digi, stjordal)
    create_membership_row(vaernes, stjordal)
    users = {
        "owner": create_user_row(email=EMAILS["owner"], name="Tone Eier", owner_of=[trondheim]),
        "other_owner": create_user_row(email=EMAILS["other_owner"], name="Stian Eier", owner_of=[stjordal]),
        "coordinator": create_user_row(email=EMAILS["coordinator"], name="Kari Koordinator", coordinator_of=[digi]),
        "other_coordinator": create_user_row(
            email=EMAILS["other_coordinator"], name="Vidar Koordinator", coordinator_of=[vaernes]
        ),
        "admin": create_user_row(email=EMAILS["admin"], name="Anne Admin", is_admin=True),
    }
    process_type = create_process_type_row()
    standard_version = (
        create_standard_version(digi, process_type, author=users["coordinator"]) if with_standard else None
    )
    return {
        "trondheim": trondheim,
        "klaebu": klaebu,
        "stjordal": stjordal,
        "digi": digi,
        "vaernes": vaernes,
        "users": users,
        "process_type": process_type,
        "standard_version": standard_version,
    }


# --- page tests: a committed world and a client per role --------------------------------------

ROLES = ("anonymous", "owner", "other_owner", "coordinator", "other_coordinator", "admin")


def build_site(app: Any, *, with_variant: bool = True) -> dict[str, Any]:
    """``build_world`` committed, plus Trondheim's variant (version 1); returns ids, not rows."""
    from registry.extensions import db as _db

    with app.app_context():
        w = build_world()
        version = create_variant_version(w["trondheim"], w["process_type"], author=w["users"]["owner"]) if with_variant else None
        _db.session.commit()
        return {
            "standard_version_id": w["standard_version"].id,
            "variant_version_id": version.id if version else None,
            "variant_id": version.variant_id if version else None,
        }


def client_as(app: Any, role: str) -> Any:
    """A test client signed in as ``role`` (see EMAILS), or anonymous."""
    from tests.registry.conftest import login

    client = app.test_client()
    if role != "anonymous":
        login(client, EMAILS[role])
    return client


def save_twice_at_once(app: Any, number: str) -> list[int]:
    """Two saves of municipality ``number``'s byggesak from two connections, the second while the first is open.

    The first save flushes its version and keeps its transaction open for a second; the
    second starts meanwhile. Works whether the variant exists yet or not. Returns the two
    version numbers, smallest first; an exception in either save is raised here.
    """
    import threading
    import time

    from registry.extensions import db as _db
    from registry.municipalities.services import get_municipality
    from registry.process_types.services import get_process_type

    first_flushed = threading.Event()
    numbers: list[int] = []
    failures: list[Exception] = []

    def save(*, hold: bool) -> None:
        try:
            with app.app_context():
                version = create_variant_version(
                    get_municipality(number), get_process_type("byggesak"), filename="samtidig.yaml"
                )
                if hold:
                    first_flushed.set()
                    time.sleep(1.0)  # the other save starts while this one is uncommitted
                _db.session.commit()
                numbers.append(version.number)
                _db.session.remove()
        except Exception as exc:  # noqa: BLE001 - re-raised in the test thread below
            first_flushed.set()
            failures.append(exc)

    first = threading.Thread(target=save, kwargs={"hold": True})
    second = threading.Thread(target=save, kwargs={"hold": False})
    first.start()
    first_flushed.wait(30)
    second.start()
    first.join(60)
    second.join(60)
    if failures:
        raise failures[0]
    return sorted(numbers)
