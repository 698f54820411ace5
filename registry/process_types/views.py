"""The catalogue of process types: list, page, create and edit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.authz import can_edit_municipality, can_manage_process_types, require
from registry.comparisons.services import latest_version, standard_version_for
from registry.errors import NotFoundError, RegistryError
from registry.extensions import db
from registry.forms import attach_error
from registry.process_types.forms import ProcessTypeForm
from registry.process_types.models import ProcessType
from registry.process_types.services import (
    create_process_type,
    get_process_type,
    list_process_types,
    standards_of,
    update_process_type,
    variant_counts,
    variants_of,
)

__all__ = ["bp", "load_process_type"]

bp = Blueprint("process_types", __name__, url_prefix="/prosesstyper")


def load_process_type(slug: str) -> ProcessType:
    """The process type or a 404 page."""
    try:
        return get_process_type(slug)
    except NotFoundError as exc:
        abort(404, description=exc.message)


@bp.get("/")
def index() -> str:
    """List the process types with how many municipalities have described each."""
    return render_template(
        "process_types/index.html",
        process_types=list_process_types(),
        counts=variant_counts(),
        can_manage=can_manage_process_types(current_user),
    )


@bp.get("/<slug>")
def show(slug: str) -> str:
    """Show a process type, its standards and the municipalities that have described it."""
    process_type = load_process_type(slug)
    owned = list(current_user.owned_municipalities) if current_user.is_authenticated else []
    if current_user.is_authenticated and current_user.is_admin:
        owned = []  # admins upload from a municipality's own page, not a list of all 357
    variants = variants_of(process_type)
    return render_template(
        "process_types/show.html",
        process_type=process_type,
        variants=[(v, latest_version(v)) for v in variants],
        standards=[(s, standard_version_for(s)) for s in standards_of(process_type)],
        uploadable=[m for m in owned if m.is_current and can_edit_municipality(current_user, m)],
        can_manage=can_manage_process_types(current_user),
    )


@bp.route("/ny", methods=["GET", "POST"])
def create() -> str | Response:
    """Add a process type (administrators and coordinators)."""
    require(can_manage_process_types(current_user))
    form = ProcessTypeForm()
    if form.validate_on_submit():
        try:
            row = create_process_type(
                slug=form.slug.data or "",
                name_nb=form.name_nb.data or "",
                name_en=form.name_en.data or "",
                description=form.description.data or "",
                legal_basis=form.legal_basis.data or "",
                k_code=form.k_code.data,
                created_by=current_user,
            )
        except RegistryError as exc:
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The process type %(name)s is added.", name=row.name_nb), "success")
            return redirect(url_for(".show", slug=row.slug))
    return render_template("process_types/edit.html", form=form, process_type=None)


@bp.route("/<slug>/rediger", methods=["GET", "POST"])
def edit(slug: str) -> str | Response:
    """Change a process type (administrators and coordinators)."""
    process_type = load_process_type(slug)
    require(can_manage_process_types(current_user))
    form = ProcessTypeForm(obj=process_type)
    if form.validate_on_submit():
        try:
            update_process_type(
                process_type,
                slug=form.slug.data or "",
                name_nb=form.name_nb.data or "",
                name_en=form.name_en.data or "",
                description=form.description.data or "",
                legal_basis=form.legal_basis.data or "",
                k_code=form.k_code.data,
            )
        except RegistryError as exc:
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The changes to %(name)s are saved.", name=process_type.name_nb), "success")
            return redirect(url_for(".show", slug=process_type.slug))
    return render_template("process_types/edit.html", form=form, process_type=process_type)
