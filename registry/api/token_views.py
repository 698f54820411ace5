"""Pages for personal access tokens: a user's own (make, list, revoke) and the administrators' list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from registry.api.models import SCOPES, ApiToken
from registry.api.token_forms import TokenForm, scope_choices, scope_label
from registry.api.tokens import (
    MAX_LIFETIME_DAYS,
    create_token,
    list_all_tokens,
    list_tokens,
    revoke_token,
)
from registry.authz import can_manage, require
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.forms import attach_error
from registry.users.models import User, utcnow

__all__ = ["bp"]

bp = Blueprint("tokens", __name__)


@dataclass(frozen=True)
class TokenRow:
    """A token as the tables show it: its scopes in words, its expiry day and its status."""

    token: ApiToken
    scopes: list[str]
    expires_on: dt.date
    #: ``active``, ``expired`` or ``revoked``.
    status: str


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every time the registry stores is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _rows(tokens: list[ApiToken]) -> list[TokenRow]:
    now = utcnow()
    rows = []
    for token in tokens:
        expires = _utc(token.expires_at)
        status = (
            "revoked"
            if token.revoked_at is not None
            else "expired"
            if expires <= now
            else "active"
        )
        scopes = [scope_label(s) for s in SCOPES if s in token.scope_set]
        # The day it works through, in UTC (shown as a date, not moved into Oslo's next day).
        rows.append(TokenRow(token, scopes, expires.date(), status))
    return rows


def _form(user: User, *, fresh: bool = False) -> TokenForm:
    form = TokenForm(formdata=None) if fresh else TokenForm()
    form.scopes.choices = scope_choices(user)
    today = utcnow().date()
    form.expires_on.render_kw = {
        "min": (today + dt.timedelta(days=1)).isoformat(),
        "max": (today + dt.timedelta(days=MAX_LIFETIME_DAYS)).isoformat(),
    }
    return form


def _own_page(
    user: User,
    form: TokenForm,
    *,
    secret: str | None = None,
    created: ApiToken | None = None,
) -> str:
    return render_template(
        "api/tokens.html",
        form=form,
        rows=_rows(list_tokens(user)),
        secret=secret,
        created=created,
        api_base=request.url_root.rstrip("/") + "/api/v1",
        max_days=MAX_LIFETIME_DAYS,
    )


@bp.route("/konto/api-nokler", methods=["GET", "POST"])
@login_required
def index() -> tuple[str, int]:
    """List one's own tokens and make a new one; its secret is shown on this response only."""
    user = current_user._get_current_object()
    form = _form(user)
    if form.validate_on_submit():
        try:
            token, secret = create_token(
                user,
                name=form.name.data or "",
                scopes=form.scopes.data or [],
                expires_on=form.expires_on.data or utcnow().date(),
            )
        except ValidationError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            # Rendered, not redirected: the secret must not pass through the URL, a flash or the session.
            return _own_page(
                user, _form(user, fresh=True), secret=secret, created=token
            ), 201
    # A refused form is 422 with its errors (200 would read as success to scripts).
    status = 422 if form.is_submitted() else 200
    return _own_page(user, form), status


@bp.post("/konto/api-nokler/<int:token_id>/tilbakekall")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of one's own tokens."""
    user = current_user._get_current_object()
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        # Another person's token (an administrator revokes those from the admin page) is not confirmed to exist.
        abort(404, description=_("There is no such token."))
    revoke_token(token.id, by=user)
    db.session.commit()
    flash(
        _(
            "The token «%(name)s» is revoked; requests with it are refused from now on.",
            name=token.name,
        ),
        "success",
    )
    return redirect(url_for(".index"))


@bp.get("/admin/api-nokler")
@login_required
def admin_index() -> str:
    """List every unrevoked token with its user, for administrators."""
    require(can_manage(current_user))
    return render_template(
        "api/admin_tokens.html", rows=_rows(list_all_tokens()), nav_section="admin"
    )


@bp.post("/admin/api-nokler/<int:token_id>/tilbakekall")
@login_required
def admin_revoke(token_id: int) -> Response:
    """Revoke anybody's token (administrators)."""
    require(can_manage(current_user))
    try:
        token = revoke_token(token_id, by=current_user._get_current_object())
    except NotFoundError as exc:
        abort(404, description=exc.message)
    db.session.commit()
    flash(
        _(
            "The token «%(name)s» of %(user)s is revoked.",
            name=token.name,
            user=token.user.name,
        ),
        "success",
    )
    return redirect(url_for(".admin_index"))
