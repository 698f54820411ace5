"""Create, find, use and revoke personal access tokens.

A token is ``kpr_`` followed by 43 URL-safe characters (32 random bytes). The registry
keeps its SHA-256 digest and its first 12 characters; the secret is shown once, when it
is made. A request presents it as ``Authorization: Bearer kpr_…``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from registry.api.models import SCOPES, ApiToken
from registry.errors import NotFoundError, ValidationError
from registry.extensions import db
from registry.users.models import User, utcnow

__all__ = [
    "MAX_LIFETIME_DAYS",
    "MAX_TOKENS_PER_USER",
    "PREFIX",
    "create_token",
    "digest",
    "find_token",
    "list_all_tokens",
    "list_tokens",
    "mark_used",
    "revoke_token",
]

PREFIX = "kpr_"
#: A token lives at most a year; a person makes a new one rather than keeping one for ever.
MAX_LIFETIME_DAYS = 366
#: Unrevoked tokens one person may have at a time.
MAX_TOKENS_PER_USER = 20
# The last-used time is written at most this often per token (one UPDATE, not one per request).
_LAST_USED_PRECISION = dt.timedelta(minutes=1)


def digest(secret: str) -> str:
    """The stored form of a token's secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    user: User,
    *,
    name: str,
    scopes: Iterable[str],
    expires_on: dt.date,
    today: dt.date | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns the row and the secret (shown once, never stored)."""
    today = today or utcnow().date()
    name = " ".join(name.split())
    if not name:
        raise ValidationError(
            _("Give the token a name that says what it is for."), field="name"
        )
    if len(name) > 100:
        raise ValidationError(
            _("The name can be at most 100 characters."), field="name"
        )
    chosen = set(scopes) | {"read"}
    unknown = sorted(chosen - set(SCOPES))
    if unknown:
        raise ValidationError(
            _("Unknown scope: %(scope)s.", scope=", ".join(unknown)), field="scopes"
        )
    if "write" in chosen and not user.owned_municipalities and not user.is_admin:
        raise ValidationError(
            _(
                "You are not process owner of any municipality, so a token cannot write processes for you."
            ),
            field="scopes",
        )
    if (
        "coordinate" in chosen
        and not user.coordinated_cooperations
        and not user.is_admin
    ):
        raise ValidationError(
            _(
                "You do not coordinate any cooperation, so a token cannot do coordinator actions for you."
            ),
            field="scopes",
        )
    if expires_on <= today:
        raise ValidationError(
            _("The expiry date must be after today."), field="expires_on"
        )
    if expires_on > today + dt.timedelta(days=MAX_LIFETIME_DAYS):
        raise ValidationError(
            _(
                "A token can live at most %(days)d days; choose an earlier expiry date.",
                days=MAX_LIFETIME_DAYS,
            ),
            field="expires_on",
        )
    active = [t for t in list_tokens(user) if t.revoked_at is None]
    if len(active) >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            _(
                "You have %(count)d tokens already; revoke one you no longer use first.",
                count=len(active),
            ),
            field="name",
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:12],
        scopes=" ".join(s for s in SCOPES if s in chosen),
        created_at=utcnow(),
        # The token works through the whole expiry day (UTC).
        expires_at=dt.datetime.combine(expires_on, dt.time.max, tzinfo=dt.UTC),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def find_token(secret: str) -> ApiToken | None:
    """The usable token with this secret, or None (unknown, revoked, expired, user deactivated)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .options(selectinload(ApiToken.user))
        .where(ApiToken.token_hash == digest(secret))
    )
    if token is None or not token.is_usable():
        return None
    return token


def mark_used(token: ApiToken, now: dt.datetime | None = None) -> None:
    """Record that the token was used now (at most once a minute, without an audit event)."""
    now = now or utcnow()
    last = token.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    if last is not None and now - last < _LAST_USED_PRECISION:
        return
    db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
    )
    db.session.commit()
    # The ORM copy must not write the old value back or show a stale one.
    db.session.expire(token, ["last_used_at"])


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked ones included, so that they can be recognised)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def list_all_tokens() -> list[ApiToken]:
    """Every unrevoked token, for administrators, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .options(selectinload(ApiToken.user))
            .where(ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(token_id: int, *, by: User) -> ApiToken:
    """Revoke a token: its owner may revoke their own, an administrator anybody's."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != by.id and not by.is_admin):
        # Another person's token is not even confirmed to exist.
        raise NotFoundError(_("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_by = by
        db.session.flush()
    return token
