"""Load the reference list, search, follow successions and edit municipalities."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.i18n import norwegian_key
from registry.municipalities.models import Municipality

__all__ = [
    "ImportResult",
    "MunicipalityRecord",
    "create_municipality",
    "current_successors",
    "get_municipality",
    "import_municipalities",
    "lineage",
    "list_counties",
    "load_reference_list",
    "normalise_name",
    "search_municipalities",
    "update_municipality",
    "update_municipality_profile",
]

NUMBER_RE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class MunicipalityRecord:
    """One entry of the reference list."""

    number: str
    name: str
    county_number: str
    county_name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successors: tuple[str, ...] = ()


@dataclass
class ImportResult:
    """What :func:`import_municipalities` did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


def normalise_name(name: str) -> str:
    """Case-fold a name for search (SQLite's lower() ignores Æ, Ø and Å)."""
    return " ".join(name.split()).casefold()


def _date(value: str | None, where: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def load_reference_list(path: Path | None = None) -> list[MunicipalityRecord]:
    """Read the shipped list (registry/data/municipalities.json) or another file in the same format."""
    if path is None:
        text = resources.files("registry.data").joinpath("municipalities.json").read_text(encoding="utf-8")
        source = "registry/data/municipalities.json"
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = str(path)
    try:
        doc = json.loads(text)
        counties: dict[str, str] = doc["counties"]
        entries = doc["municipalities"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError(f"{source}: not a municipality list ({exc})") from exc
    records = []
    for index, entry in enumerate(entries):
        where = f"{source}, municipality #{index + 1}"
        number = str(entry.get("number", ""))
        if not NUMBER_RE.match(number):
            raise ValidationError(f"{where}: number {number!r} is not four digits")
        county = str(entry.get("county", ""))
        if county not in counties:
            raise ValidationError(f"{where} ({number}): county {county!r} is not in the counties table")
        records.append(
            MunicipalityRecord(
                number=number,
                name=str(entry["name"]),
                county_number=county,
                county_name=counties[county],
                valid_from=_date(entry.get("valid_from"), where),
                valid_to=_date(entry.get("valid_to"), where),
                successors=tuple(entry.get("successors", ())),
            )
        )
    known = {r.number for r in records}
    for r in records:
        missing = [s for s in r.successors if s not in known]
        if missing:
            raise ValidationError(f"{source} ({r.number}): successor(s) {', '.join(missing)} not in the list")
    return records


def import_municipalities(records: Sequence[MunicipalityRecord]) -> ImportResult:
    """Insert or update every record; running it twice changes nothing the second time."""
    result = ImportResult()
    existing = {m.number: m for m in db.session.scalars(select(Municipality))}
    for r in records:
        m = existing.get(r.number)
        values = {
            "name": r.name,
            "search_name": normalise_name(r.name),
            "county_number": r.county_number,
            "county_name": r.county_name,
            "valid_from": r.valid_from,
            "valid_to": r.valid_to,
        }
        if m is None:
            m = Municipality(number=r.number, description="", contact_email="", **values)
            db.session.add(m)
            existing[r.number] = m
            result.added.append(r.number)
        elif any(getattr(m, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(m, k, v)
            result.updated.append(r.number)
        else:
            result.unchanged += 1
    for r in records:
        m = existing[r.number]
        wanted = [existing[s] for s in r.successors]
        if {s.number for s in m.successors} != set(r.successors):
            m.successors = wanted
            if r.number not in result.added and r.number not in result.updated:
                result.updated.append(r.number)
                result.unchanged -= 1
    db.session.flush()
    return result


def get_municipality(number: str) -> Municipality:
    """The municipality with this kommunenummer, or NotFoundError."""
    m = db.session.scalar(select(Municipality).where(Municipality.number == number))
    if m is None:
        raise NotFoundError(_("No municipality has the number %(number)s.", number=number))
    return m


def list_counties() -> list[tuple[str, str]]:
    """(number, name) of every county that has a current municipality."""
    rows = db.session.execute(
        select(Municipality.county_number, Municipality.county_name)
        .where(Municipality.valid_to.is_(None))
        .distinct()
        .order_by(Municipality.county_number)
    )
    return [(number, name) for number, name in rows]


def search_municipalities(
    query: str = "", *, include_historic: bool = False, county: str | None = None
) -> list[Municipality]:
    """Municipalities whose number starts with, or whose name contains, ``query``.

    Historic municipalities (ended, e.g. 5030 Klæbu) are included when asked for, and
    always when the query names one, so that old codes stay findable.
    """
    # The list shows where each former municipality went.
    stmt = select(Municipality).options(selectinload(Municipality.successors)).order_by(Municipality.number)
    q = query.strip()
    if q:
        needle = normalise_name(q)
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            or_(
                Municipality.number.startswith(q, autoescape=True),
                Municipality.search_name.like(f"%{escaped}%", escape="\\"),
            )
        )
    elif not include_historic:
        stmt = stmt.where(Municipality.valid_to.is_(None))
    if county:
        stmt = stmt.where(Municipality.county_number == county)
    # In Python: ORDER BY puts Å before Ø on SQLite (and on PostgreSQL without a Norwegian collation).
    return sorted(db.session.scalars(stmt), key=lambda m: (norwegian_key(m.name), m.number))


def current_successors(municipality: Municipality) -> list[Municipality]:
    """The current municipalities that took over ``municipality`` (itself when it is current)."""
    found: dict[int, Municipality] = {}
    seen: set[int] = set()
    todo = [municipality]
    while todo:
        m = todo.pop()
        if m.id in seen:
            continue
        seen.add(m.id)
        if m.is_current:
            found[m.id] = m
        todo.extend(m.successors)
    return sorted(found.values(), key=lambda m: m.number)


def lineage(municipality: Municipality) -> list[Municipality]:
    """``municipality`` and every earlier municipality merged or split into it.

    Data registered under 5030 Klæbu belongs to the lineage of 5001 Trondheim, so a
    query over ``[m.id for m in lineage(trondheim)]`` finds it.
    """
    found: dict[int, Municipality] = {}
    todo = [municipality]
    while todo:
        m = todo.pop()
        if m.id in found:
            continue
        found[m.id] = m
        todo.extend(m.predecessors)
    return sorted(found.values(), key=lambda m: m.number)


def update_municipality_profile(
    municipality: Municipality, *, description: str, contact_email: str, population: int | None = None
) -> None:
    """Change the parts a process owner maintains."""
    municipality.description = description.strip()
    municipality.contact_email = contact_email.strip()
    municipality.population = population
    db.session.flush()


def _successors_from_numbers(numbers: Iterable[str], *, own_number: str) -> list[Municipality]:
    result = []
    for number in numbers:
        if number == own_number:
            raise ValidationError(_("A municipality cannot succeed itself."), field="successors")
        m = db.session.scalar(select(Municipality).where(Municipality.number == number))
        if m is None:
            raise ValidationError(
                _("No municipality has the number %(number)s.", number=number), field="successors"
            )
        result.append(m)
    return result


def _check_dates(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError(_("The end date must be on or after the start date."), field="valid_to")


def create_municipality(
    *,
    number: str,
    name: str,
    county_number: str,
    county_name: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    successors: Sequence[str] = (),
) -> Municipality:
    """Add a municipality that is not yet in the register."""
    if not NUMBER_RE.match(number):
        raise ValidationError(_("A municipality number has exactly four digits, e.g. 0301."), field="number")
    if db.session.scalar(select(Municipality.id).where(Municipality.number == number)) is not None:
        raise ValidationError(_("The number %(number)s is already registered.", number=number), field="number")
    _check_dates(valid_from, valid_to)
    m = Municipality(
        number=number,
        name=name.strip(),
        search_name=normalise_name(name),
        county_number=county_number,
        county_name=county_name.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        description="",
        contact_email="",
    )
    m.successors = _successors_from_numbers(successors, own_number=number)
    db.session.add(m)
    db.session.flush()
    return m


def update_municipality(
    municipality: Municipality,
    *,
    name: str,
    county_number: str,
    county_name: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    successors: Sequence[str],
) -> None:
    """Change a municipality's reference data (administrators)."""
    _check_dates(valid_from, valid_to)
    new_successors = _successors_from_numbers(successors, own_number=municipality.number)
    if successors and valid_to is None:
        raise ValidationError(
            _("A municipality with successors must have an end date."), field="valid_to"
        )
    municipality.name = name.strip()
    municipality.search_name = normalise_name(name)
    municipality.county_number = county_number
    municipality.county_name = county_name.strip()
    municipality.valid_from = valid_from
    municipality.valid_to = valid_to
    if {m.id for m in municipality.successors} != {m.id for m in new_successors}:
        municipality.successors = new_successors
    db.session.flush()
