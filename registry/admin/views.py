"""Administration: users and roles, municipalities, cooperations and memberships."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from registry.admin.forms import NewUserForm, UserForm
from registry.authz import can_manage, require
from registry.cooperations.forms import (
    CooperationForm,
    EndMembershipForm,
    MembershipForm,
)
from registry.cooperations.models import Cooperation, Membership
from registry.cooperations.services import (
    add_membership,
    create_cooperation,
    end_membership,
    list_cooperations,
    update_cooperation,
)
from registry.cooperations.views import load_cooperation
from registry.errors import NotFoundError, RegistryError, ValidationError
from registry.extensions import db
from registry.forms import attach_error
from registry.i18n import norwegian_key
from registry.municipalities.forms import MunicipalityForm
from registry.municipalities.models import Municipality
from registry.municipalities.services import (
    create_municipality,
    get_municipality,
    search_municipalities,
    update_municipality,
)
from registry.municipalities.views import load_municipality
from registry.users.services import (
    create_user,
    get_user,
    list_users,
    set_password,
    set_roles,
    update_user,
)

__all__ = ["bp"]

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _only_admins() -> None:
    require(can_manage(current_user))


@bp.get("/")
def index() -> str:
    """Show the administration menu with counts."""
    return render_template(
        "admin/index.html",
        user_count=len(list_users()),
        cooperation_count=len(list_cooperations()),
    )


# --- users -------------------------------------------------------------------


def _municipalities_from_numbers(numbers: list[str]) -> list[Municipality]:
    found = []
    for number in numbers:
        try:
            found.append(get_municipality(number))
        except NotFoundError as exc:
            raise ValidationError(exc.message, field="owner_of") from exc
    return found


def _user_form(form: UserForm) -> UserForm:
    form.coordinator_of.choices = [(c.id, c.name) for c in list_cooperations()]
    return form


def _chosen_cooperations(ids: list[int]) -> list[Cooperation]:
    return [c for c in list_cooperations() if c.id in set(ids)]


@bp.get("/brukere")
def users() -> str:
    """List users with their roles."""
    return render_template("admin/users.html", users=list_users())


@bp.route("/brukere/ny", methods=["GET", "POST"])
def new_user() -> str | Response:
    """Create a user with roles."""
    form = _user_form(NewUserForm())
    if form.validate_on_submit():
        try:
            user = create_user(
                email=form.email.data or "",
                name=form.name.data or "",
                password=form.password.data or "",
                is_admin=form.is_admin.data,
                active=form.active.data,
                coordinator_of=_chosen_cooperations(form.coordinator_of.data or []),
                owner_of=_municipalities_from_numbers(form.owner_of.data or []),
            )
        except ValidationError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The user %(name)s is created.", name=user.name), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/brukere/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> str | Response:
    """Change a user's details, roles or password."""
    try:
        user = get_user(user_id)
    except NotFoundError as exc:
        abort(404, description=exc.message)
    form = _user_form(UserForm(obj=user))
    if request.method == "GET":
        form.coordinator_of.data = [c.id for c in user.coordinated_cooperations]
        form.owner_of.data = [m.number for m in user.owned_municipalities]
    if form.validate_on_submit():
        if user.id == current_user.id and (not form.is_admin.data or not form.active.data):
            attach_error(form, ValidationError(_("You cannot remove your own administrator access."), field="is_admin"))
        else:
            try:
                update_user(
                    user,
                    email=form.email.data or "",
                    name=form.name.data or "",
                    is_admin=form.is_admin.data,
                    active=form.active.data,
                )
                set_roles(
                    user,
                    coordinator_of=_chosen_cooperations(form.coordinator_of.data or []),
                    owner_of=_municipalities_from_numbers(form.owner_of.data or []),
                )
                if form.password.data:
                    set_password(user, form.password.data)
            except ValidationError as exc:
                db.session.rollback()
                attach_error(form, exc)
            else:
                db.session.commit()
                flash(_("The changes to %(name)s are saved.", name=user.name), "success")
                return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=user)


# --- municipalities ------------------------------------------------------------


@bp.get("/kommuner")
def municipalities() -> str:
    """List every municipality, former ones included, with edit links."""
    return render_template("admin/municipalities.html", municipalities=search_municipalities(include_historic=True))


def _municipality_values(form: MunicipalityForm) -> dict[str, object]:
    return {
        "name": form.name.data or "",
        "county_number": form.county_number.data or "",
        "county_name": form.county_name.data or "",
        "valid_from": form.valid_from.data,
        "valid_to": form.valid_to.data,
        "successors": form.successors.data or [],
    }


@bp.route("/kommuner/ny", methods=["GET", "POST"])
def new_municipality() -> str | Response:
    """Add a municipality (e.g. after a reform)."""
    form = MunicipalityForm()
    if form.validate_on_submit():
        try:
            m = create_municipality(number=form.number.data or "", **_municipality_values(form))  # type: ignore[arg-type]
        except ValidationError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("%(municipality)s is added.", municipality=str(m)), "success")
            return redirect(url_for("municipalities.show", number=m.number))
    return render_template("admin/municipality_form.html", form=form, municipality=None)


@bp.route("/kommuner/<number>", methods=["GET", "POST"])
def edit_municipality(number: str) -> str | Response:
    """Change a municipality's name, county, validity or successors."""
    municipality = load_municipality(number)
    form = MunicipalityForm(obj=municipality)
    if request.method == "GET":
        form.successors.data = [m.number for m in municipality.successors]
    # The number identifies the row; it is shown but not changed here.
    form.number.data = municipality.number
    if form.validate_on_submit():
        try:
            update_municipality(municipality, **_municipality_values(form))  # type: ignore[arg-type]
        except ValidationError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The changes to %(municipality)s are saved.", municipality=str(municipality)), "success")
            return redirect(url_for("municipalities.show", number=municipality.number))
    return render_template("admin/municipality_form.html", form=form, municipality=municipality)


# --- cooperations --------------------------------------------------------------


@bp.get("/samarbeid")
def cooperations() -> str:
    """List cooperations with edit links."""
    return render_template("admin/cooperations.html", cooperations=list_cooperations())


@bp.route("/samarbeid/ny", methods=["GET", "POST"])
def new_cooperation() -> str | Response:
    """Register a cooperation."""
    form = CooperationForm()
    if form.validate_on_submit():
        try:
            c = create_cooperation(
                name=form.name.data or "", slug=form.slug.data or "", description=form.description.data or ""
            )
        except ValidationError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("%(cooperation)s is created. Add its members below.", cooperation=c.name), "success")
            return redirect(url_for(".edit_cooperation", slug=c.slug))
    return render_template("admin/cooperation_form.html", form=form, cooperation=None)


@bp.route("/samarbeid/<slug>", methods=["GET", "POST"])
def edit_cooperation(slug: str) -> str | Response:
    """Change a cooperation's name, address and description; list memberships."""
    cooperation = load_cooperation(slug)
    form = CooperationForm(obj=cooperation, prefix="coop")
    if form.validate_on_submit():
        try:
            update_cooperation(
                cooperation,
                name=form.name.data or "",
                slug=form.slug.data or cooperation.slug,
                description=form.description.data or "",
            )
        except ValidationError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The changes to %(cooperation)s are saved.", cooperation=cooperation.name), "success")
            return redirect(url_for(".edit_cooperation", slug=cooperation.slug))
    return _cooperation_page(cooperation, form=form, member_form=MembershipForm(prefix="member"))


def _cooperation_page(cooperation: Cooperation, *, form: CooperationForm, member_form: MembershipForm) -> str:
    memberships = sorted(cooperation.memberships, key=lambda m: (norwegian_key(m.municipality.name), m.joined_on))
    return render_template(
        "admin/cooperation_form.html",
        form=form,
        member_form=member_form,
        end_form=EndMembershipForm(prefix="end"),
        cooperation=cooperation,
        memberships=memberships,
    )


@bp.post("/samarbeid/<slug>/medlemmer")
def add_member(slug: str) -> str | Response:
    """Add a member municipality."""
    cooperation = load_cooperation(slug)
    member_form = MembershipForm(prefix="member")
    if member_form.validate_on_submit():
        try:
            municipality = get_municipality(member_form.municipality.data or "")
            add_membership(
                cooperation, municipality, joined_on=member_form.joined_on.data, left_on=member_form.left_on.data
            )
        except NotFoundError as exc:
            db.session.rollback()
            attach_error(member_form, ValidationError(exc.message, field="municipality"))
        except RegistryError as exc:
            db.session.rollback()
            attach_error(member_form, exc)
        else:
            db.session.commit()
            flash(_("%(municipality)s is now a member.", municipality=str(municipality)), "success")
            return redirect(url_for(".edit_cooperation", slug=cooperation.slug))
    cooperation = load_cooperation(slug)
    return _cooperation_page(cooperation, form=CooperationForm(obj=cooperation, prefix="coop"), member_form=member_form)


@bp.post("/samarbeid/<slug>/medlemmer/<int:membership_id>/avslutt")
def end_member(slug: str, membership_id: int) -> str | Response:
    """End a membership on a given day."""
    cooperation = load_cooperation(slug)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.cooperation_id != cooperation.id:
        abort(404)
    end_form = EndMembershipForm(prefix="end")
    if end_form.validate_on_submit():
        try:
            end_membership(membership, left_on=end_form.left_on.data)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The membership of %(municipality)s is ended.", municipality=str(membership.municipality)), "success")
    else:
        for error in end_form.left_on.errors:
            flash(str(error), "error")
    return redirect(url_for(".edit_cooperation", slug=cooperation.slug))

