"""Demo data for a development machine: DigiTrøndelag, a coordinator and process owners."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from registry.cooperations.models import Cooperation
from registry.cooperations.services import add_membership, create_cooperation
from registry.extensions import db
from registry.municipalities.models import Municipality
from registry.municipalities.services import (
    get_municipality,
    import_municipalities,
    load_reference_list,
)
from registry.users.models import User
from registry.users.services import create_user

__all__ = ["DemoAccount", "has_data", "seed_demo"]

DIGI_TRONDELAG = (
    "DigiTrøndelag er samarbeidet om digitalisering mellom kommunene i Trøndelag. "
    "Her sammenligner kommunene saksbehandlingsprosessene sine og blir enige om felles standarder."
)
VAERNESREGIONEN = "Værnesregionen er et interkommunalt samarbeid mellom kommunene rundt Værnes."
VAERNES_MEMBERS = ("5032", "5033", "5034", "5035", "5036")

# (e-mail, name, role description, municipality numbers owned)
OWNERS = (
    ("trondheim@demo.kommune.no", "Tone Trondheim", ("5001",)),
    ("stjordal@demo.kommune.no", "Stian Stjørdal", ("5035",)),
    ("steinkjer@demo.kommune.no", "Siri Steinkjer", ("5006",)),
)


@dataclass(frozen=True)
class DemoAccount:
    """Credentials to print once on the console."""

    email: str
    password: str
    role: str


def has_data() -> bool:
    """True when the database already has users or cooperations."""
    users = db.session.scalar(select(func.count()).select_from(User)) or 0
    cooperations = db.session.scalar(select(func.count()).select_from(Cooperation)) or 0
    return bool(users or cooperations)


def _password() -> str:
    return secrets.token_urlsafe(12)


def seed_demo() -> list[DemoAccount]:
    """Load municipalities, two cooperations and demo users; return their credentials."""
    import_municipalities(load_reference_list())
    digi = create_cooperation(name="DigiTrøndelag", slug="digi-trondelag", description=DIGI_TRONDELAG)
    current_trondelag = db.session.scalars(
        select(Municipality)
        .where(Municipality.county_number == "50", Municipality.valid_to.is_(None))
        .order_by(Municipality.number)
    ).all()
    for m in current_trondelag:
        add_membership(digi, m, joined_on=dt.date(2020, 1, 1))
    vaernes = create_cooperation(name="Værnesregionen", slug="vaernesregionen", description=VAERNESREGIONEN)
    for number in VAERNES_MEMBERS:
        add_membership(vaernes, get_municipality(number), joined_on=dt.date(2020, 1, 1))

    accounts = []
    password = _password()
    create_user(email="admin@demo.kommune.no", name="Anne Admin", password=password, is_admin=True)
    accounts.append(DemoAccount("admin@demo.kommune.no", password, "administrator"))
    password = _password()
    create_user(
        email="koordinator@demo.kommune.no", name="Kari Koordinator", password=password, coordinator_of=[digi]
    )
    accounts.append(DemoAccount("koordinator@demo.kommune.no", password, "coordinator of DigiTrøndelag"))
    for email, name, numbers in OWNERS:
        password = _password()
        owned = [get_municipality(n) for n in numbers]
        create_user(email=email, name=name, password=password, owner_of=owned)
        accounts.append(
            DemoAccount(email, password, "process owner for " + ", ".join(str(m) for m in owned))
        )
    return accounts
