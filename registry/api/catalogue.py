"""Municipalities (with former ones and successors), cooperations with members, process types."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from registry.api.problems import ApiProblem
from registry.api.schemas import ListArgs, page_of, page_schema, query_field, sort_field
from registry.cooperations.models import Cooperation
from registry.errors import NotFoundError
from registry.municipalities.models import Municipality
from registry.municipalities.services import get_municipality, normalise_name
from registry.process_types.models import ProcessType

__all__ = ["blp", "load_cooperation", "load_municipality", "load_process_type"]

blp = Blueprint(
    "api_catalogue",
    __name__,
    description="Municipalities, cooperations and process types",
)


def load_municipality(number: str) -> Municipality:
    try:
        return get_municipality(number)
    except NotFoundError as exc:
        raise ApiProblem(404, "not-found", exc.message) from exc


def load_cooperation(slug: str) -> Cooperation:
    from registry.cooperations.services import get_cooperation

    try:
        return get_cooperation(slug)
    except NotFoundError as exc:
        raise ApiProblem(404, "not-found", exc.message) from exc


def load_process_type(slug: str) -> ProcessType:
    from registry.process_types.services import get_process_type

    try:
        return get_process_type(slug)
    except NotFoundError as exc:
        raise ApiProblem(404, "not-found", exc.message) from exc


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- schemas -----------------------------------------------------------------------------------


class MunicipalityRefSchema(ma.Schema):
    number = ma.fields.String(
        required=True, metadata={"description": "Kommunenummer, four digits"}
    )
    name = ma.fields.String(required=True)


class MunicipalitySchema(MunicipalityRefSchema):
    county_number = ma.fields.String(required=True)
    county_name = ma.fields.String(required=True)
    valid_from = ma.fields.Date(allow_none=True)
    valid_to = ma.fields.Date(
        allow_none=True, metadata={"description": "Set for a former municipality"}
    )
    is_current = ma.fields.Boolean(required=True)
    successors = ma.fields.List(ma.fields.Nested(MunicipalityRefSchema), required=True)
    predecessors = ma.fields.List(
        ma.fields.Nested(MunicipalityRefSchema), required=True
    )


class MunicipalityDetailSchema(MunicipalitySchema):
    description = ma.fields.String(required=True)
    population = ma.fields.Integer(allow_none=True)
    cooperations = ma.fields.Method(
        "_cooperations",
        metadata={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
                "required": ["slug", "name"],
            },
            "description": "Cooperations it is a member of today",
        },
    )

    def _cooperations(self, municipality: Municipality) -> list[dict[str, str]]:
        from registry.cooperations.services import memberships_of

        today = dt.date.today()
        found = {
            m.cooperation.slug: m.cooperation.name
            for m in memberships_of(municipality)
            if m.is_active_on(today)
        }
        return [{"slug": slug, "name": name} for slug, name in sorted(found.items())]


class MunicipalityArgs(ListArgs):
    q = query_field()
    county = ma.fields.String(
        load_default="",
        validate=ma.validate.Regexp(r"[0-9]{2}\Z|\Z", error=_l("must be two digits.")),
        metadata={"description": "County number (fylkesnummer), two digits"},
    )
    current = ma.fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "true: only current municipalities, false: only former ones; leave out for both"
        },
    )
    sort = sort_field(["number", "name"], "number")


class MemberSchema(ma.Schema):
    municipality = ma.fields.Nested(MunicipalityRefSchema, required=True)
    joined_on = ma.fields.Date(required=True)
    left_on = ma.fields.Date(allow_none=True)
    is_member_today = ma.fields.Method("_today", metadata={"type": "boolean"})

    def _today(self, membership: Any) -> bool:
        return bool(membership.is_active_on(dt.date.today()))


class CooperationSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)


class CooperationDetailSchema(CooperationSchema):
    memberships = ma.fields.List(ma.fields.Nested(MemberSchema), required=True)


class CooperationArgs(ListArgs):
    q = query_field()
    sort = sort_field(["name", "slug"], "name")


class ProcessTypeSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    name_nb = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    legal_basis = ma.fields.String(required=True)
    k_code = ma.fields.String(
        allow_none=True, metadata={"description": "The archive key (K-kode), if given"}
    )


class ProcessTypeArgs(ListArgs):
    q = query_field()
    sort = sort_field(["slug", "name"], "name")


MunicipalityPage = page_schema(MunicipalitySchema, "MunicipalityPage")
CooperationPage = page_schema(CooperationSchema, "CooperationPage")
ProcessTypePage = page_schema(ProcessTypeSchema, "ProcessTypePage")


# --- routes ------------------------------------------------------------------------------------


@blp.route("/municipalities")
class Municipalities(MethodView):
    @blp.arguments(MunicipalityArgs, location="query")
    @blp.response(200, MunicipalityPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List municipalities, current and former

        `q` matches the start of the number or any part of the name.
        """
        query = select(Municipality).options(
            selectinload(Municipality.successors),
            selectinload(Municipality.predecessors),
        )
        q = args["q"].strip()
        if q:
            query = query.where(
                or_(
                    Municipality.number.startswith(q, autoescape=True),
                    Municipality.search_name.like(
                        f"%{_escaped(normalise_name(q))}%", escape="\\"
                    ),
                )
            )
        if args["county"]:
            query = query.where(Municipality.county_number == args["county"])
        if args["current"] is True:
            query = query.where(Municipality.valid_to.is_(None))
        elif args["current"] is False:
            query = query.where(Municipality.valid_to.is_not(None))
        sort = {"number": Municipality.number, "name": Municipality.search_name}
        return page_of(query, args, sort=sort, key=Municipality.id)


@blp.route("/municipalities/<number>")
class MunicipalityItem(MethodView):
    @blp.response(200, MunicipalityDetailSchema)
    def get(self, number: str) -> Any:
        """One municipality, with the ones it was merged from or into and its cooperations"""
        return load_municipality(number)


@blp.route("/cooperations")
class Cooperations(MethodView):
    @blp.arguments(CooperationArgs, location="query")
    @blp.response(200, CooperationPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List cooperations"""
        query = select(Cooperation)
        q = args["q"].strip()
        if q:
            query = query.where(Cooperation.name.ilike(f"%{_escaped(q)}%", escape="\\"))
        return page_of(
            query,
            args,
            sort={"name": Cooperation.name, "slug": Cooperation.slug},
            key=Cooperation.id,
        )


@blp.route("/cooperations/<slug>")
class CooperationItem(MethodView):
    @blp.response(200, CooperationDetailSchema)
    def get(self, slug: str) -> Any:
        """One cooperation with its memberships (past ones included)"""
        return load_cooperation(slug)


@blp.route("/process-types")
class ProcessTypes(MethodView):
    @blp.arguments(ProcessTypeArgs, location="query")
    @blp.response(200, ProcessTypePage)
    def get(self, args: dict[str, Any]) -> Any:
        """List process types (the catalogue of casework processes)"""
        query = select(ProcessType)
        q = args["q"].strip()
        if q:
            pattern = f"%{_escaped(q)}%"
            query = query.where(
                or_(
                    ProcessType.name_nb.ilike(pattern, escape="\\"),
                    ProcessType.name_en.ilike(pattern, escape="\\"),
                )
            )
        return page_of(
            query,
            args,
            sort={"name": ProcessType.name_nb, "slug": ProcessType.slug},
            key=ProcessType.id,
        )


@blp.route("/process-types/<slug>")
class ProcessTypeItem(MethodView):
    @blp.response(200, ProcessTypeSchema)
    def get(self, slug: str) -> Any:
        """One process type"""
        return load_process_type(slug)
