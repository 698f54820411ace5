"""What coordinators see: the divergence map and the heatmap of a cooperation's members, as JSON."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint

from registry.api.auth import require_api
from registry.api.catalogue import load_cooperation, load_process_type
from registry.api.problems import ApiProblem
from registry.authz import can_view_divergence
from registry.divergence.forms import parse_as_of
from registry.divergence.services import divergence_state
from registry.i18n import ui_language

__all__ = ["blp"]

blp = Blueprint(
    "api_coordination",
    __name__,
    description="Divergence maps and heatmaps (coordinators)",
)


class MapArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    date = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=10, error=_l("must be a date (YYYY-MM-DD).")),
        metadata={
            "description": "The map as it was on this day (YYYY-MM-DD); default: today, newest versions"
        },
    )


class ColumnSchema(ma.Schema):
    step_id = ma.fields.String(required=True)
    name = ma.fields.String(
        required=True,
        metadata={"description": "The standard step's name, in the language asked for"},
    )
    lane = ma.fields.String(allow_none=True)
    present = ma.fields.Integer(
        required=True,
        metadata={"description": "Members that have the step in some form"},
    )
    total = ma.fields.Integer(required=True)
    share = ma.fields.Float(required=True)
    counts = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Integer(), required=True
    )


class CellSchema(ma.Schema):
    status = ma.fields.String(
        required=True,
        metadata={"description": "same, renamed, moved, split, merged, missing …"},
    )
    variant_steps = ma.fields.List(ma.fields.String(), required=True)
    variant_labels = ma.fields.List(ma.fields.String(), required=True)
    score = ma.fields.Float(required=True)
    also = ma.fields.List(ma.fields.String(), required=True)


class RowSchema(ma.Schema):
    municipality_number = ma.fields.String(required=True, attribute="key")
    municipality = ma.fields.String(required=True, attribute="name")
    group = ma.fields.Integer(required=True, attribute="cluster")
    similarity = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Float(), required=True
    )
    extra_steps = ma.fields.List(ma.fields.String(), required=True)
    extra_labels = ma.fields.List(ma.fields.String(), required=True)
    cells = ma.fields.List(
        ma.fields.Nested(CellSchema),
        required=True,
        metadata={"description": "One per column"},
    )


class HeatmapSchema(ma.Schema):
    municipality_numbers = ma.fields.List(
        ma.fields.String(), required=True, attribute="keys"
    )
    municipalities = ma.fields.List(
        ma.fields.String(), required=True, attribute="names"
    )
    values = ma.fields.List(
        ma.fields.List(ma.fields.Float(allow_none=True)),
        required=True,
        metadata={
            "description": "values[i][j]: overall similarity of members i and j; null where not computed"
        },
    )
    complete = ma.fields.Boolean(required=True)


class DivergenceSchema(ma.Schema):
    cooperation = ma.fields.String(required=True)
    process_type = ma.fields.String(required=True)
    standard_version = ma.fields.Integer(allow_none=True)
    as_of = ma.fields.Date(allow_none=True)
    complete = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "False while comparisons are missing (see the counts)"
        },
    )
    pending = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "Members being compared"},
    )
    failed = ma.fields.List(ma.fields.String(), required=True)
    not_requested = ma.fields.List(ma.fields.String(), required=True)
    without_process = ma.fields.List(ma.fields.String(), required=True)
    missing_pairs = ma.fields.Integer(required=True)
    columns = ma.fields.List(ma.fields.Nested(ColumnSchema), required=True)
    rows = ma.fields.List(ma.fields.Nested(RowSchema), required=True)
    heatmap = ma.fields.Nested(HeatmapSchema, allow_none=True)


def _numbers(members: list[Any]) -> list[str]:
    return [m.municipality.number for m in members]


@blp.route("/cooperations/<cooperation>/standards/<slug>/divergence")
class Divergence(MethodView):
    @blp.arguments(MapArgs, location="query")
    @blp.response(200, DivergenceSchema)
    def get(self, args: dict[str, Any], cooperation: str, slug: str) -> Any:
        """The divergence map (standard steps × members) with the heatmap, for coordinators

        Built from stored comparisons, as the page shows it; ``complete`` says whether every
        member is in it.
        """
        coop, process_type = load_cooperation(cooperation), load_process_type(slug)
        require_api(can_view_divergence(current_user, coop))
        day, problem = parse_as_of(args["date"])
        if problem is not None:
            raise ApiProblem(
                422,
                "validation",
                problem,
                errors=[{"location": "query", "field": "date", "message": problem}],
            )
        state = divergence_state(coop, process_type, on=day)
        if state.standard is None:
            raise ApiProblem(
                404,
                "not-found",
                _(
                    "%(cooperation)s has no standard for this process type yet.",
                    cooperation=coop.name,
                ),
            )
        lang = ui_language()
        dmap = state.dmap
        columns = []
        if dmap is not None:
            for column in dmap.columns:
                columns.append(
                    {
                        "step_id": column.step_id,
                        "name": column.name(lang),
                        "lane": column.lane,
                        "present": column.present,
                        "total": column.total,
                        "share": column.share,
                        "counts": dict(column.counts),
                    }
                )
        return {
            "cooperation": coop.slug,
            "process_type": process_type.slug,
            "standard_version": state.standard_version.number
            if state.standard_version is not None
            else None,
            "as_of": day,
            "complete": state.is_complete,
            "pending": _numbers(state.pending),
            "failed": _numbers(state.failed),
            "not_requested": _numbers(state.not_requested),
            "without_process": _numbers(state.without_variant),
            "missing_pairs": state.missing_pairs,
            "columns": columns,
            "rows": list(dmap.rows) if dmap is not None else [],
            "heatmap": dmap.heatmap if dmap is not None else None,
        }
