"""Cooperation list and pages (members; contacts for coordinators)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.authz import (
    can_edit_cooperation,
    can_manage,
    can_view_cooperation_contacts,
    require,
)
from registry.cooperations.forms import CooperationDescriptionForm
from registry.cooperations.models import Cooperation
from registry.cooperations.services import (
    get_cooperation,
    list_cooperations,
    update_cooperation,
)
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.forms import attach_error
from registry.i18n import norwegian_key
from registry.standards.services import types_with_standards
from registry.users.services import owners_by_municipality

__all__ = ["bp", "load_cooperation"]

bp = Blueprint("cooperations", __name__, url_prefix="/samarbeid")


def load_cooperation(slug: str) -> Cooperation:
    """The cooperation or a 404 page."""
    try:
        return get_cooperation(slug)
    except NotFoundError as exc:
        abort(404, description=exc.message)


@bp.get("/")
def index() -> str:
    """List every cooperation."""
    return render_template("cooperations/index.html", cooperations=list_cooperations(), today=dt.date.today())


@bp.get("/<slug>")
def show(slug: str) -> str:
    """Show a cooperation with its current and former members."""
    cooperation = load_cooperation(slug)
    today = dt.date.today()
    current = [m for m in cooperation.memberships if m.is_active_on(today)]
    upcoming = [m for m in cooperation.memberships if m.joined_on > today]
    former = [m for m in cooperation.memberships if m.left_on is not None and m.left_on < today]
    for members in (current, upcoming, former):
        members.sort(key=lambda m: (norwegian_key(m.municipality.name), m.municipality.number))
    contacts = can_view_cooperation_contacts(current_user, cooperation)
    return render_template(
        "cooperations/show.html",
        tool_types=types_with_standards(cooperation) if contacts else [],
        cooperation=cooperation,
        current=current,
        upcoming=upcoming,
        former=former,
        show_contacts=bool(contacts),
        owners=owners_by_municipality([m.municipality_id for m in current]) if contacts else {},
        can_edit=can_edit_cooperation(current_user, cooperation),
        can_manage=can_manage(current_user),
        today=today,
    )


@bp.route("/<slug>/rediger", methods=["GET", "POST"])
def edit(slug: str) -> str | Response:
    """Let a coordinator change the cooperation's description."""
    cooperation = load_cooperation(slug)
    require(can_edit_cooperation(current_user, cooperation))
    form = CooperationDescriptionForm(obj=cooperation)
    if form.validate_on_submit():
        try:
            update_cooperation(
                cooperation, name=cooperation.name, slug=cooperation.slug, description=form.description.data or ""
            )
        except ValidationError as exc:
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The changes to %(cooperation)s are saved.", cooperation=cooperation.name), "success")
            return redirect(url_for(".show", slug=cooperation.slug))
    return render_template("cooperations/edit.html", cooperation=cooperation, form=form)
