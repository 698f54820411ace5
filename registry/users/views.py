"""Sign in and sign out."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from registry.extensions import limiter
from registry.pages.views import safe_next
from registry.users.forms import LoginForm
from registry.users.services import authenticate

__all__ = ["bp"]

bp = Blueprint("users", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/logg-inn", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    """Check e-mail and password and start a session."""
    target = safe_next(request.args.get("next"), url_for("pages.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            language = session.get("lang")
            session.clear()  # a fresh session on sign-in
            if language:
                session["lang"] = language
            # Signed-in sessions end after PERMANENT_SESSION_LIFETIME (a working day).
            session.permanent = True
            login_user(user)
            flash(_("You are signed in as %(name)s.", name=user.name), "success")
            return redirect(target)
        # For the operator: repeated failures from one address show up in the server log.
        current_app.logger.warning("Failed sign-in for %r from %s", form.email.data, request.remote_addr)
        form.form_errors.append(_("The e-mail address or the password is wrong."))
    return render_template("users/login.html", form=form)


@bp.post("/logg-ut")
def logout() -> Response:
    """End the session (a POST: CSRFProtect checks its token, so no other site can sign you out)."""
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.index"))
