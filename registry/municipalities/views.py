"""Municipality list, search, page and profile editing."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.authz import (
    can_edit_municipality,
    can_manage,
    can_view_municipality_contacts,
    require,
)
from registry.cooperations.services import memberships_of
from registry.dashboard.services import variants_of_municipality
from registry.errors import NotFoundError
from registry.extensions import db
from registry.municipalities.forms import (
    MunicipalityProfileForm,
    MunicipalitySearchForm,
)
from registry.municipalities.models import Municipality
from registry.municipalities.services import (
    current_successors,
    get_municipality,
    list_counties,
    search_municipalities,
    update_municipality_profile,
)
from registry.users.services import owners_by_municipality

__all__ = ["bp", "load_municipality"]

bp = Blueprint("municipalities", __name__, url_prefix="/kommuner")


def load_municipality(number: str) -> Municipality:
    """The municipality or a 404 page."""
    try:
        return get_municipality(number)
    except NotFoundError as exc:
        abort(404, description=exc.message)


@bp.get("/")
def index() -> str:
    """List municipalities, optionally filtered by name or number."""
    form = MunicipalitySearchForm(request.args)
    counties = list_counties()
    form.county.choices = [("", _("All counties")), *((number, f"{number} {name}") for number, name in counties)]
    valid = form.validate()
    query = (form.q.data or "") if valid else ""
    county = form.county.data if valid and form.county.data in {number for number, _name in counties} else None
    results = search_municipalities(query, include_historic=bool(form.historic.data), county=county)
    return render_template("municipalities/index.html", form=form, query=query, municipalities=results)


@bp.get("/<number>")
def show(number: str) -> str:
    """Show one municipality, its history and its cooperations."""
    municipality = load_municipality(number)
    memberships = memberships_of(municipality)
    return render_template(
        "municipalities/show.html",
        municipality=municipality,
        successors=current_successors(municipality) if not municipality.is_current else [],
        memberships=memberships,
        processes=variants_of_municipality(municipality),
        today=dt.date.today(),
        can_edit=can_edit_municipality(current_user, municipality),
        can_manage=can_manage(current_user),
        owners=owners_by_municipality([municipality.id]).get(municipality.id, [])
        if can_view_municipality_contacts(current_user, municipality)
        else None,
    )


@bp.route("/<number>/rediger", methods=["GET", "POST"])
def edit(number: str) -> str | Response:
    """Let a process owner change their municipality's description and contact."""
    municipality = load_municipality(number)
    require(can_edit_municipality(current_user, municipality))
    form = MunicipalityProfileForm(obj=municipality)
    if form.validate_on_submit():
        update_municipality_profile(
            municipality,
            description=form.description.data or "",
            contact_email=form.contact_email.data or "",
            population=form.population.data,
        )
        db.session.commit()
        flash(_("The changes to %(municipality)s are saved.", municipality=str(municipality)), "success")
        return redirect(url_for(".show", number=municipality.number))
    return render_template("municipalities/edit.html", municipality=municipality, form=form)
