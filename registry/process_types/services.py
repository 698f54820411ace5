"""Create, edit and look up process types."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.i18n import norwegian_key
from registry.process_types.models import ProcessType
from registry.syntax import is_slug
from registry.users.models import User
from registry.variants.models import Standard, Variant

__all__ = [
    "create_process_type",
    "get_process_type",
    "list_process_types",
    "standards_of",
    "update_process_type",
    "variant_counts",
    "variants_of",
]

def list_process_types() -> list[ProcessType]:
    """Every process type by Norwegian name."""
    rows = db.session.scalars(select(ProcessType))
    return sorted(rows, key=lambda t: norwegian_key(t.name_nb))


def get_process_type(slug: str) -> ProcessType:
    """The process type with this slug, or NotFoundError."""
    row = db.session.scalar(select(ProcessType).where(ProcessType.slug == slug))
    if row is None:
        raise NotFoundError(_("No process type has the address %(slug)s.", slug=slug))
    return row


def variant_counts() -> dict[int, int]:
    """Number of municipalities with a registered process, per process type id."""
    rows = db.session.execute(select(Variant.process_type_id, func.count()).group_by(Variant.process_type_id))
    return {type_id: count for type_id, count in rows}


def variants_of(process_type: ProcessType) -> list[Variant]:
    """The municipalities' variants of the type, by municipality name in Norwegian order."""
    rows = db.session.scalars(select(Variant).where(Variant.process_type_id == process_type.id))
    return sorted(rows, key=lambda v: (norwegian_key(v.municipality.name), v.municipality.number))


def standards_of(process_type: ProcessType) -> list[Standard]:
    """The cooperations' standards for the type, by cooperation name."""
    rows = db.session.scalars(select(Standard).where(Standard.process_type_id == process_type.id))
    return sorted(rows, key=lambda s: norwegian_key(s.cooperation.name))


def _check(slug: str, name_nb: str, *, exclude_id: int | None) -> None:
    if not is_slug(slug):
        raise ValidationError(
            _("Use only lower-case letters a–z, digits and single hyphens, e.g. byggesak-ett-trinn."), field="slug"
        )
    for column, value, field, message in (
        (ProcessType.slug, slug, "slug", _("Another process type already has this address.")),
        (ProcessType.name_nb, name_nb, "name_nb", _("Another process type already has this name.")),
    ):
        other = db.session.scalar(select(ProcessType).where(column == value))
        if other is not None and other.id != exclude_id:
            raise ValidationError(message, field=field)


def create_process_type(
    *,
    slug: str,
    name_nb: str,
    name_en: str = "",
    description: str = "",
    legal_basis: str = "",
    k_code: str | None = None,
    created_by: User | None = None,
) -> ProcessType:
    """Add a process type to the catalogue."""
    slug, name_nb = slug.strip(), name_nb.strip()
    _check(slug, name_nb, exclude_id=None)
    row = ProcessType(
        slug=slug,
        name_nb=name_nb,
        name_en=name_en.strip(),
        description=description.strip(),
        legal_basis=legal_basis.strip(),
        k_code=(k_code or "").strip() or None,
        created_by=created_by,
    )
    db.session.add(row)
    db.session.flush()
    return row


def update_process_type(
    process_type: ProcessType,
    *,
    slug: str,
    name_nb: str,
    name_en: str = "",
    description: str = "",
    legal_basis: str = "",
    k_code: str | None = None,
) -> None:
    """Change a process type's names, description, legal basis or K-kode."""
    slug, name_nb = slug.strip(), name_nb.strip()
    _check(slug, name_nb, exclude_id=process_type.id)
    process_type.slug = slug
    process_type.name_nb = name_nb
    process_type.name_en = name_en.strip()
    process_type.description = description.strip()
    process_type.legal_basis = legal_basis.strip()
    process_type.k_code = (k_code or "").strip() or None
    db.session.flush()
