"""Sign in, sign out and change one's own password."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from registry.errors import ValidationError
from registry.extensions import db, limiter
from registry.forms import attach_error
from registry.pages.views import safe_next
from registry.users.forms import LoginForm, PasswordChangeForm
from registry.users.services import authenticate
from registry.users.sessions import (
    change_own_password,
    end_session,
    record_failed_sign_in,
    start_session,
)

__all__ = ["bp"]

bp = Blueprint("users", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _account_limit() -> str:
    return str(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


def _account_key() -> str:
    # The address typed, as authenticate() compares it; a blank one is its own bucket.
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response: Response) -> bool:
    # Only failed attempts count: a right password never uses up anybody's allowance.
    return response.status_code != 302


@bp.route("/logg-inn", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed)
def login() -> str | Response:
    """Check e-mail and password and start a session."""
    # Signed in, a user starts from «Mine prosesser» unless they came from another page.
    target = safe_next(request.args.get("next"), url_for("dashboard.my_processes"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            start_session(user)
            db.session.commit()
            flash(_("You are signed in as %(name)s.", name=user.name), "success")
            return redirect(target)
        # For the operator: failures show up in the audit log and the server log.
        current_app.logger.warning("Failed sign-in for %r from %s", form.email.data, request.remote_addr)
        record_failed_sign_in(form.email.data or "")
        db.session.commit()
        form.form_errors.append(_("The e-mail address or the password is wrong."))
    return render_template("users/login.html", form=form)


@bp.post("/logg-ut")
def logout() -> Response:
    """End the session everywhere its cookie was copied (a POST: CSRFProtect checks its token)."""
    end_session(current_user)
    db.session.commit()
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.index"))


@bp.route("/konto/passord", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    """Change one's own password: the current one is asked; other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()  # the row, not the proxy: the session is renewed with it
        try:
            change_own_password(user, current=form.current_password.data or "", new=form.password.data or "")
        except ValidationError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("Your password is changed. You are signed out everywhere else."), "success")
            return redirect(url_for("pages.index"))
    return render_template("users/password.html", form=form)
