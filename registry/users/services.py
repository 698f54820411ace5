"""Create users, check passwords and assign roles."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from registry.cooperations.models import Cooperation
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.i18n import norwegian_key
from registry.municipalities.models import Municipality
from registry.syntax import is_email_address
from registry.users.models import User, new_login_token, owner_assignments

__all__ = [
    "authenticate",
    "create_user",
    "get_user",
    "get_user_by_login_token",
    "list_users",
    "normalise_email",
    "owners_by_municipality",
    "set_password",
    "set_roles",
    "update_user",
]

@functools.cache
def _dummy_hash(method: str) -> str:
    # Checked when the e-mail is unknown, so that the answer takes as long either way.
    return generate_password_hash(secrets.token_hex(16), method=method)


def normalise_email(email: str) -> str:
    """Trim and lower-case an address; raises ValidationError when it is not one."""
    email = email.strip().lower()
    if not is_email_address(email):
        raise ValidationError(_("Enter an e-mail address such as name@kommune.no."), field="email")
    return email


def _check_password(password: str) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ValidationError(
            _("The password must have at least %(count)d characters.", count=minimum), field="password"
        )


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _check_email_free(email: str, *, exclude_id: int | None = None) -> None:
    other = db.session.scalar(select(User.id).where(User.email == email))
    if other is not None and other != exclude_id:
        raise ValidationError(_("A user with this e-mail address already exists."), field="email")


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    is_admin: bool = False,
    active: bool = True,
    coordinator_of: Sequence[Cooperation] = (),
    owner_of: Sequence[Municipality] = (),
) -> User:
    """Register a user with a hashed password and the given roles."""
    email = normalise_email(email)
    if not name.strip():
        raise ValidationError(_("Enter the person's name."), field="name")
    _check_email_free(email)
    _check_password(password)
    user = User(
        email=email,
        name=name.strip(),
        password_hash=_hash(password),
        is_admin=is_admin,
        active=active,
        coordinated_cooperations=list(coordinator_of),
        owned_municipalities=list(owner_of),
    )
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, *, email: str, name: str, is_admin: bool, active: bool) -> None:
    """Change a user's details (administrators)."""
    email = normalise_email(email)
    if not name.strip():
        raise ValidationError(_("Enter the person's name."), field="name")
    _check_email_free(email, exclude_id=user.id)
    user.email = email
    user.name = name.strip()
    user.is_admin = is_admin
    if not active and user.active:
        user.login_token = new_login_token()  # ends the user's sessions
    user.active = active
    db.session.flush()


def set_roles(user: User, *, coordinator_of: Sequence[Cooperation], owner_of: Sequence[Municipality]) -> None:
    """Replace the cooperations a user coordinates and the municipalities they own processes for."""
    if {c.id for c in user.coordinated_cooperations} != {c.id for c in coordinator_of}:
        user.coordinated_cooperations = list(coordinator_of)
    if {m.id for m in user.owned_municipalities} != {m.id for m in owner_of}:
        user.owned_municipalities = list(owner_of)
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Set a new password and sign the user out everywhere."""
    _check_password(password)
    user.password_hash = _hash(password)
    user.login_token = new_login_token()
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def get_user(user_id: int) -> User:
    """The user with this id, or NotFoundError."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("No such user."))
    return user


def get_user_by_login_token(token: str) -> User | None:
    """The active user for a Flask-Login session id."""
    user = db.session.scalar(select(User).where(User.login_token == token))
    return user if user is not None and user.active else None


def list_users() -> list[User]:
    """Every user by name."""
    query = select(User).options(
        selectinload(User.coordinated_cooperations), selectinload(User.owned_municipalities)
    )
    return sorted(db.session.scalars(query), key=lambda u: (norwegian_key(u.name), u.id))


def owners_by_municipality(municipality_ids: Sequence[int]) -> dict[int, list[User]]:
    """Active process owners of each given municipality, by name."""
    rows = db.session.execute(
        select(owner_assignments.c.municipality_id, User)
        .join(User, User.id == owner_assignments.c.user_id)
        .where(owner_assignments.c.municipality_id.in_(municipality_ids), User.active.is_(True))
        .order_by(User.name)
    )
    result: dict[int, list[User]] = {}
    for municipality_id, user in rows:
        result.setdefault(municipality_id, []).append(user)
    for users in result.values():
        users.sort(key=lambda u: (norwegian_key(u.name), u.id))
    return result
