"""Harmonisation as JSON: the proposed common standard, change plans and gains.

The same data as the pages and their downloads, with the sentences in the language of
``Accept-Language``: a member's change plans and gains are read as the member's pages
show them (a plan against a standard version the caller may not see is left out and
counted in ``hidden``); the proposal and the cooperation's gains are the coordinators'.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint

from processes import write_process
from registry.api.auth import require_api
from registry.api.catalogue import load_cooperation, load_process_type
from registry.api.problems import ApiProblem
from registry.api.processes import _load_variant
from registry.authz import can_view_divergence, can_view_version
from registry.comparisons.services import latest_version
from registry.errors import ValidationError
from registry.extensions import db
from registry.gains.services import cooperation_estimate, member_gains
from registry.graphs import process_from_content
from registry.harmonisation.exports import plan_rows
from registry.harmonisation.services import (
    MIN_SUPPORT_CHOICES,
    WEIGHTINGS,
    ProposalSettings,
    harmonisation_inputs,
    plans_for_variant,
    request_proposal,
)
from registry.i18n import ui_language

__all__ = ["blp"]

blp = Blueprint(
    "api_harmonisation",
    __name__,
    description="Proposed common standards, change plans and gains",
)

_SUPPORT = [round(share * 100) for share in MIN_SUPPORT_CHOICES]


class ProposalArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    min_support = ma.fields.Integer(
        load_default=50,
        validate=ma.validate.OneOf(
            _SUPPORT,
            error=_l(
                "must be one of: %(choices)s.", choices=", ".join(map(str, _SUPPORT))
            ),
        ),
        metadata={
            "description": "Percent of the members a step needs to be in the proposal",
            "enum": _SUPPORT,
        },
    )
    max_drift = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Range(
            min=0,
            max=10_000,
            error=_l("must be between %(low)s and %(high)s.", low=0, high=10_000),
        ),
        metadata={
            "description": "At most this many changes to the current standard; leave out for no limit"
        },
    )
    weighting = ma.fields.String(
        load_default="equal",
        validate=ma.validate.OneOf(
            list(WEIGHTINGS),
            error=_l("must be one of: %(choices)s.", choices=", ".join(WEIGHTINGS)),
        ),
        metadata={"description": "How members are weighted", "enum": list(WEIGHTINGS)},
    )
    count_justified = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Count justified deviations as disagreement"},
    )


class ProposalSchema(ma.Schema):
    status = ma.fields.String(
        required=True, metadata={"description": "done, pending or failed"}
    )
    settings = ma.fields.Dict(required=True)
    standard_version = ma.fields.Integer(allow_none=True)
    summary = ma.fields.String(allow_none=True)
    departures = ma.fields.List(
        ma.fields.String(), metadata={"description": "How it departs from the standard"}
    )
    steps = ma.fields.List(
        ma.fields.Dict(), metadata={"description": "Each step with its support"}
    )
    left_out = ma.fields.List(
        ma.fields.Dict(), metadata={"description": "Steps some members have, left out"}
    )
    process = ma.fields.Dict(
        allow_none=True,
        metadata={"description": "The proposal in the registry's JSON format"},
    )
    error = ma.fields.String(allow_none=True)


class PlanSchema(ma.Schema):
    cooperation = ma.fields.Dict(required=True)
    standard_version = ma.fields.Integer(required=True)
    version = ma.fields.Integer(
        required=True, metadata={"description": "The member's version the plan is for"}
    )
    plan = ma.fields.Dict(
        required=True,
        metadata={"description": "The engine's plan: changes with kind, effort, text"},
    )
    changes = ma.fields.List(
        ma.fields.Dict(),
        required=True,
        metadata={"description": "Each change with its follow-up"},
    )
    justified = ma.fields.List(
        ma.fields.Dict(),
        required=True,
        metadata={"description": "Justified deviations"},
    )


class PlansSchema(ma.Schema):
    plans = ma.fields.List(ma.fields.Nested(PlanSchema), required=True)
    hidden = ma.fields.Integer(
        required=True,
        metadata={"description": "Plans against standards you may not see"},
    )


class MemberGainSchema(ma.Schema):
    cooperation = ma.fields.Dict(required=True)
    standard_version = ma.fields.Integer(required=True)
    baseline_version = ma.fields.Integer(
        required=True, metadata={"description": "The nullpunkt"}
    )
    baseline_date = ma.fields.Date(required=True)
    estimate = ma.fields.Dict(
        required=True,
        metadata={"description": "Hours, kroner and days with every assumption"},
    )


class MemberGainsSchema(ma.Schema):
    gains = ma.fields.List(ma.fields.Nested(MemberGainSchema), required=True)
    hidden = ma.fields.Integer(required=True)


class CooperationGainsSchema(ma.Schema):
    standard_version = ma.fields.Integer(allow_none=True)
    gains = ma.fields.Dict(
        required=True,
        metadata={"description": "Totals and members and changes ranked by gain"},
    )
    without_plan = ma.fields.List(ma.fields.String(), required=True)


def _coop_ref(cooperation: Any) -> dict[str, str]:
    return {"slug": cooperation.slug, "name": cooperation.name}


def _member_plans(number: str, slug: str) -> tuple[list[Any], int]:
    _m, _t, variant = _load_variant(number, slug)
    version = latest_version(variant)
    if version is None:  # pragma: no cover - a variant always has a version
        return [], 0
    shown, hidden = [], 0
    for mp in plans_for_variant(variant, version):
        if can_view_version(current_user, mp.standard_version):
            shown.append(mp)
        else:
            hidden += 1
    db.session.commit()  # keeps the step classes, if this request made them
    return shown, hidden


@blp.route("/municipalities/<number>/processes/<slug>/change-plans")
class ChangePlans(MethodView):
    @blp.response(200, PlansSchema)
    def get(self, number: str, slug: str) -> Any:
        """The municipality's change plan towards each of its cooperations' standards, with follow-up"""
        plans, hidden = _member_plans(number, slug)
        lang = ui_language()
        out = []
        for mp in plans:
            changes, justified = plan_rows(mp, lang)
            out.append(
                {
                    "cooperation": _coop_ref(mp.cooperation),
                    "standard_version": mp.standard_version.number,
                    "version": mp.version.number,
                    "plan": mp.plan.to_dict(lang),
                    "changes": [dataclasses.asdict(r) for r in changes],
                    "justified": [dataclasses.asdict(r) for r in justified],
                }
            )
        return {"plans": out, "hidden": hidden}


@blp.route("/municipalities/<number>/processes/<slug>/gains")
class MemberGainsItem(MethodView):
    @blp.response(200, MemberGainsSchema)
    def get(self, number: str, slug: str) -> Any:
        """What following each cooperation's standard is worth for the municipality, with every assumption"""
        plans, hidden = _member_plans(number, slug)
        lang = ui_language()
        gains = []
        for mp in plans:
            g = member_gains(mp)
            gains.append(
                {
                    "cooperation": _coop_ref(mp.cooperation),
                    "standard_version": mp.standard_version.number,
                    "baseline_version": g.baseline_version.number,
                    "baseline_date": g.baseline_date,
                    "estimate": g.estimate.to_dict(lang),
                }
            )
        db.session.commit()
        return {"gains": gains, "hidden": hidden}


@blp.route("/cooperations/<cooperation>/standards/<slug>/proposal")
class Proposal(MethodView):
    @blp.arguments(ProposalArgs, location="query")
    @blp.response(200, ProposalSchema)
    @blp.alt_response(
        202,
        schema=ProposalSchema,
        description="Being computed; ask again (Retry-After)",
    )
    def get(self, args: dict[str, Any], cooperation: str, slug: str) -> Any:
        """The proposed common standard with the support behind each step (coordinators)"""
        coop, process_type = load_cooperation(cooperation), load_process_type(slug)
        require_api(can_view_divergence(current_user, coop))
        settings = ProposalSettings(
            min_support=args["min_support"] / 100,
            max_drift=args["max_drift"],
            weighting=args["weighting"],
            count_justified=bool(args["count_justified"]),
        )
        inputs = harmonisation_inputs(coop, process_type)
        try:
            row = request_proposal(
                inputs,
                settings,
                user=current_user,
                max_pending=int(current_app.config["TASK_MAX_PENDING_PER_USER"]),
            )
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            field = {"vekt": "weighting"}.get(
                exc.field or "", "max_drift" if exc.field else ""
            )
            errors = (
                [{"location": "query", "field": field, "message": exc.message}]
                if field
                else None
            )
            raise ApiProblem(422, "validation", exc.message, errors=errors) from exc
        lang = ui_language()
        body: dict[str, Any] = {
            "status": row.status,
            "settings": {
                "min_support": args["min_support"],
                "max_drift": args["max_drift"],
                "weighting": args["weighting"],
                "count_justified": bool(args["count_justified"]),
            },
            "standard_version": inputs.standard_version.number
            if inputs.standard_version is not None
            else None,
            "summary": None,
            "departures": [],
            "steps": [],
            "left_out": [],
            "process": None,
            "error": None,
        }
        if row.status == "pending":
            return body, 202, {"Retry-After": "5"}
        if row.status != "done":
            body["error"] = row.error or None
            return body
        view = json.loads(row.view)
        texts = view["texts"][lang]

        def worded(step: dict[str, Any]) -> dict[str, Any]:
            return {**step, "support": step["support"][lang]}

        body.update(
            summary=texts["summary"],
            departures=texts["departures"],
            steps=[worded(s) for s in view["steps"]],
            left_out=[worded(s) for s in view["left_out"]],
            process=json.loads(
                write_process(process_from_content(view["content"]), "json")
            ),
        )
        return body


@blp.route("/cooperations/<cooperation>/standards/<slug>/gains")
class CooperationGains(MethodView):
    @blp.response(200, CooperationGainsSchema)
    def get(self, cooperation: str, slug: str) -> Any:
        """The cooperation's gains: members and changes ranked by what converging is worth (coordinators)"""
        coop, process_type = load_cooperation(cooperation), load_process_type(slug)
        require_api(can_view_divergence(current_user, coop))
        state = cooperation_estimate(coop, process_type)
        db.session.commit()
        version = state.inputs.standard_version
        return {
            "standard_version": version.number if version is not None else None,
            "gains": state.gains.to_dict(ui_language()),
            "without_plan": list(state.without),
        }
