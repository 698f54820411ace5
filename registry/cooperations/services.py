"""Create and edit cooperations and their memberships."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext as _
from sqlalchemy import select

from registry.cooperations.models import Cooperation, Membership
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.i18n import norwegian_key
from registry.municipalities.models import Municipality
from registry.syntax import is_slug

__all__ = [
    "add_membership",
    "create_cooperation",
    "end_membership",
    "get_cooperation",
    "list_cooperations",
    "memberships_of",
    "slugify",
    "update_cooperation",
]

_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u"})


def slugify(name: str) -> str:
    """A URL-friendly form of ``name``: ``"IKT Agder"`` → ``"ikt-agder"``."""
    text = name.casefold().translate(_TRANSLITERATE)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def list_cooperations() -> list[Cooperation]:
    """Every cooperation by name."""
    return sorted(db.session.scalars(select(Cooperation)), key=lambda c: norwegian_key(c.name))


def memberships_of(municipality: Municipality) -> list[Membership]:
    """The municipality's memberships: current ones first, then by cooperation name."""
    rows = db.session.scalars(select(Membership).where(Membership.municipality_id == municipality.id))
    return sorted(rows, key=lambda m: (m.left_on is not None, norwegian_key(m.cooperation.name), m.joined_on))


def get_cooperation(slug: str) -> Cooperation:
    """The cooperation with this slug, or NotFoundError."""
    c = db.session.scalar(select(Cooperation).where(Cooperation.slug == slug))
    if c is None:
        raise NotFoundError(_("No cooperation has the address %(slug)s.", slug=slug))
    return c


def _check_unique(name: str, slug: str, *, exclude_id: int | None) -> None:
    if not is_slug(slug):
        raise ValidationError(
            _("Use only lower-case letters a–z, digits and single hyphens, e.g. digi-trondelag."), field="slug"
        )
    other = db.session.scalar(select(Cooperation.id).where(Cooperation.name == name))
    if other is not None and other != exclude_id:
        raise ValidationError(_("Another cooperation already has this name."), field="name")
    other = db.session.scalar(select(Cooperation.id).where(Cooperation.slug == slug))
    if other is not None and other != exclude_id:
        raise ValidationError(_("Another cooperation already has this address."), field="slug")


def create_cooperation(*, name: str, slug: str = "", description: str = "") -> Cooperation:
    """Register a new cooperation; the slug is derived from the name when left empty."""
    name = name.strip()
    slug = slug.strip() or slugify(name)
    _check_unique(name, slug, exclude_id=None)
    c = Cooperation(name=name, slug=slug, description=description.strip())
    db.session.add(c)
    db.session.flush()
    return c


def update_cooperation(cooperation: Cooperation, *, name: str, slug: str, description: str) -> None:
    """Change a cooperation's name, address or description."""
    name, slug = name.strip(), slug.strip()
    _check_unique(name, slug, exclude_id=cooperation.id)
    cooperation.name = name
    cooperation.slug = slug
    cooperation.description = description.strip()
    db.session.flush()


def add_membership(
    cooperation: Cooperation, municipality: Municipality, *, joined_on: dt.date, left_on: dt.date | None = None
) -> Membership:
    """Make ``municipality`` a member from ``joined_on``; periods of one municipality must not overlap."""
    if left_on is not None and left_on < joined_on:
        raise ValidationError(_("The leave date must be on or after the join date."), field="left_on")
    for existing in cooperation.memberships:
        if existing.municipality_id != municipality.id:
            continue
        ends = existing.left_on or dt.date.max
        if joined_on <= ends and (left_on or dt.date.max) >= existing.joined_on:
            raise ValidationError(
                _("%(municipality)s is already a member in that period.", municipality=str(municipality)),
                field="municipality",
            )
    membership = Membership(municipality=municipality, joined_on=joined_on, left_on=left_on)
    cooperation.memberships.append(membership)
    db.session.flush()
    return membership


def end_membership(membership: Membership, *, left_on: dt.date) -> None:
    """Record that the municipality left the cooperation on ``left_on`` (its last day as member)."""
    if left_on < membership.joined_on:
        raise ValidationError(_("The leave date must be on or after the join date."), field="left_on")
    membership.left_on = left_on
    db.session.flush()
